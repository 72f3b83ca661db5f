"""Forms of commissions, referents and charter revision: they parse, services decide."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models.commissions import BodyKind, RevisionNature, RoadmapAction, VoteChoice
from .services.commissions import ATTACHMENT_MAX_COUNT, CONTACT_MESSAGE_MAX_CHARS


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class RepresentationChoiceMixin:
    """A choice among the person's representations, shown only when there are several."""

    def set_representations(self, representations, *, label):
        field = self.fields["representation"]
        field.choices = [(r.pk, r.organisation.legal_name) for r in representations]
        field.label = label
        if len(field.choices) == 1:
            field.initial = field.choices[0][0]
            field.widget = forms.HiddenInput()


class VolunteerForm(RepresentationChoiceMixin, _Form):
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


class ProgressReportForm(_Form):
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


class MeetingForm(_Form):
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


# --- Referents ---


class ReferentContactForm(_Form):
    """The public form to write to a zone referent (R4), with its spam guards."""

    name = forms.CharField(label=_("Votre nom"), max_length=150)
    email = forms.EmailField(label=_("Votre adresse e-mail"))
    organisation = forms.CharField(label=_("Votre entreprise"), max_length=200, required=False)
    message = forms.CharField(
        label=_("Votre message"),
        max_length=CONTACT_MESSAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("%(n)s caractères au plus. Le référent vous répondra par e-mail.")
        % {"n": CONTACT_MESSAGE_MAX_CHARS},
    )
    # Honeypot: hidden from people (CSS class), filled in by robots.
    website = forms.CharField(label=_("Ne pas remplir ce champ"), required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    error_messages = {
        "spam": _(
            "Votre message n'a pas été envoyé : il ressemble à un envoi automatique. "
            "Si vous êtes une personne, laissez vide le dernier champ et réessayez."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update(
            {"autocomplete": "off", "tabindex": "-1", "class": "form-control"}
        )
        self.fields["name"].error_messages["required"] = _("Indiquez votre nom.")
        self.fields["email"].error_messages["required"] = _("Indiquez votre adresse e-mail.")
        self.fields["email"].error_messages["invalid"] = _("Saisissez une adresse e-mail valide.")
        self.fields["message"].error_messages["required"] = _("Écrivez votre message.")
        self.fields["message"].error_messages["max_length"] = _(
            "Votre message dépasse %(limit_value)d caractères (il en compte %(show_value)d)."
        )

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Écrivez votre message."))
        return message

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(self.error_messages["spam"], code="spam")
        return data


class ContactLogForm(_Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    body_kind = forms.ChoiceField(label=_("Type d'organisme"), choices=BodyKind.choices)
    body_name = forms.CharField(label=_("Organisme"), max_length=200)
    subject = forms.CharField(label=_("Objet"), max_length=300)
    outcome = forms.CharField(
        label=_("Suite donnée"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- Charter revision ---


class PetitionForm(RepresentationChoiceMixin, _Form):
    representation = forms.TypedChoiceField(coerce=int, label=_("Au nom de"))
    nature = forms.ChoiceField(label=_("Demande de"), choices=RevisionNature.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    reason = forms.CharField(
        label=_("Motifs"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )

    def __init__(self, *args, representations, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_representations(representations, label=_("Au nom de"))


class SupportForm(RepresentationChoiceMixin, _Form):
    representation = forms.TypedChoiceField(coerce=int, label=_("Au nom de"))

    def __init__(self, *args, representations, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_representations(representations, label=_("Au nom de"))


class CopilRevisionForm(_Form):
    nature = forms.ChoiceField(label=_("Nature"), choices=RevisionNature.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    reason = forms.CharField(
        label=_("Motifs"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )


class RevisionCommissionForm(_Form):
    name = forms.CharField(label=_("Nom de la commission ad hoc"), max_length=150, required=False)
    end_date = forms.DateField(
        label=_("Fin des travaux"), widget=forms.DateInput(attrs={"type": "date"})
    )
    facilitator = forms.TypedChoiceField(coerce=int, label=_("Animateur"), required=False)

    def __init__(self, *args, representatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].choices = [("", "—")] + [
            (r.pk, f"{r.user} ({r.organisation})") for r in representatives
        ]


class DraftForm(_Form):
    label = forms.CharField(label=_("Version"), max_length=40, help_text=_("Par ex. V2 R001."))
    effective_date = forms.DateField(
        label=_("Date d'entrée en vigueur"), widget=forms.DateInput(attrs={"type": "date"})
    )
    change_note = forms.CharField(
        label=_("Nature de la modification"), widget=forms.Textarea(attrs={"rows": 3})
    )
    body = forms.CharField(
        label=_("Texte de la nouvelle version"), widget=forms.Textarea(attrs={"rows": 20})
    )


class VoteOpenForm(_Form):
    plenary = forms.TypedChoiceField(coerce=int, label=_("Plénière extraordinaire"))

    def __init__(self, *args, plenaries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plenary"].choices = [
            (a.pk, f"{a.title} — {timezone.localtime(a.starts_at):%d/%m/%Y}") for a in plenaries
        ]


class VoteRecordForm(_Form):
    organisation = forms.TypedChoiceField(coerce=int, label=_("Entité membre"))
    choice = forms.ChoiceField(
        label=_("Vote"), choices=VoteChoice.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.legal_name) for o in organisations]
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
            self.fields["organisation"].widget = forms.HiddenInput()
