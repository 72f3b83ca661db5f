"""Forms of the charter pages: signing (re-authentication, consent) and verification."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import content_starts_with

from .constants import SignatureCapacity

# A certificate is a few hundred kilobytes; anything far larger is not one of ours.
VERIFICATION_PDF_MAX_BYTES = 5 * 1024 * 1024


class SignatureForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    organisation = forms.SlugField(widget=forms.HiddenInput)
    capacity = forms.ChoiceField(
        label=_("Je signe en qualité de"),
        choices=SignatureCapacity.choices,
        initial=SignatureCapacity.SIGNATORY,
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(label="", required=False)
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Ressaisissez votre mot de passe pour confirmer votre identité."),
    )

    def __init__(self, *args, consent_label: str, ask_capacity: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_label
        if not ask_capacity:
            self.fields["capacity"].widget = forms.HiddenInput()
        self.helper = FormHelper()
        self.helper.form_tag = False


class VerificationForm(forms.Form):
    code = forms.CharField(
        label=_("Code de vérification"),
        required=False,
        max_length=40,
        help_text=_(
            "Le code figure sur la page de preuve du certificat, par ex. COSGE-ABCD-EFGH-JKMN."
        ),
    )
    certificate = forms.FileField(
        label=_("Ou le certificat PDF"),
        required=False,
        help_text=_(
            "Fichier PDF de 5 Mo au plus. Il est vérifié puis oublié : rien n'est conservé."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_certificate(self):
        upload = self.cleaned_data.get("certificate")
        if not upload:
            return None
        if upload.size > VERIFICATION_PDF_MAX_BYTES:
            raise forms.ValidationError(
                _("Le fichier dépasse 5 Mo : ce n'est pas un certificat de la COS-GE.")
            )
        if not upload.name.lower().endswith(".pdf") or not content_starts_with(upload, b"%PDF-"):
            raise forms.ValidationError(_("Le fichier n'est pas un PDF."))
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("code") and not data.get("certificate") and not self.errors:
            raise forms.ValidationError(
                _("Saisissez un code de vérification ou joignez un certificat PDF.")
            )
        return data
