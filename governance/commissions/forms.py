"""Forms of commissions: they parse, services decide."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from governance.forms import GovernanceForm, RepresentationChoiceMixin

from .models import RoadmapAction
from .services import ATTACHMENT_MAX_COUNT


class VolunteerForm(RepresentationChoiceMixin, GovernanceForm):
    representation = forms.TypedChoiceField(coerce=int, label=_("Au titre de"))
    motivation = forms.CharField(
        label=_("Votre motivation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Facultatif : ce que vous souhaitez apporter à la commission."),
    )

    def __init__(self, *args, representations, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_representations(representations, label=_("Au titre de"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ProgressReportForm(GovernanceForm):
    title = forms.CharField(label=_("Titre"), max_length=200)
    text = forms.CharField(
        label=_("Point d'avancement"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )
    files = MultipleFileField(
        label=_("Pièces jointes"),
        required=False,
        help_text=_(
            "%(n)s fichiers au plus, 10 Mo chacun : PDF, OpenDocument, Office, PNG ou JPEG."
        )
        % {"n": ATTACHMENT_MAX_COUNT},
    )


class MeetingForm(GovernanceForm):
    title = forms.CharField(label=_("Titre"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Début"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Fin"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("Lieu (adresse)"), max_length=300, required=False)
    postcode = forms.CharField(label=_("Code postal"), max_length=5, required=False)
    city = forms.CharField(label=_("Ville"), max_length=100, required=False)
    online_url = forms.URLField(
        label=_("Lien de visioconférence"), required=False, assume_scheme="https"
    )
    description = forms.CharField(
        label=_("Ordre du jour"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
            self.add_error("ends_at", _("La fin doit suivre le début."))
        return data


class RoadmapActionForm(forms.ModelForm):
    class Meta:
        model = RoadmapAction
        fields = [
            "code",
            "action",
            "objectives",
            "prerequisites",
            "deliverables",
            "target_year",
            "target_quarter",
            "status",
        ]
        widgets = {
            "objectives": forms.Textarea(attrs={"rows": 2}),
            "prerequisites": forms.Textarea(attrs={"rows": 2}),
            "deliverables": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
