"""Form of an announcement (the COPIL's newsletter): it parses, the service decides."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from governance.commissions.models import Commission, CommissionStatus


class AnnouncementForm(forms.Form):
    subject = forms.CharField(label=_("Objet"), max_length=200)
    body = forms.CharField(
        label=_("Texte"), max_length=20000, widget=forms.Textarea(attrs={"rows": 12})
    )
    subject_en = forms.CharField(label=_("Objet en anglais"), max_length=200, required=False)
    body_en = forms.CharField(
        label=_("Texte en anglais"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Facultatif : envoyé aux destinataires qui ont choisi l'anglais ; "
            "sinon ils reçoivent le texte français."
        ),
    )
    to_members_partners = forms.BooleanField(
        label=_("Aux représentants des membres et partenaires actuels"),
        required=False,
        initial=True,
    )
    commission = forms.ModelChoiceField(
        label=_("Aussi aux membres d'une commission"),
        queryset=Commission.objects.filter(status=CommissionStatus.ACTIVE).order_by("name"),
        required=False,
        empty_label="—",
        help_text=_(
            "Les destinataires sont calculés au moment de l'envoi : une entité qui n'est "
            "plus membre ni partenaire ne reçoit plus les annonces (article 3.4)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
