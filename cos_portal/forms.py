"""Forms of the portal's cross-cutting pages: they parse input; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureForm(forms.Form):
    """The person confirms, with their password, that their account is to be erased."""

    confirm = forms.BooleanField(
        label=_("Je comprends que mon compte sera effacé définitivement."),
        required=True,
        error_messages={"required": _("Cochez la case pour confirmer l'effacement.")},
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Ressaisissez votre mot de passe pour confirmer votre identité."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mot de passe incorrect."), code="wrong_password")
        return password


class SignupNamesForm(forms.Form):
    """Sign-up asks the person's name: legal texts (signatures, consents) and e-mails
    name the signatory rather than an address. allauth adds its e-mail and password fields."""

    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": _("Indiquez votre prénom.")},
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": _("Indiquez votre nom.")},
    )

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])
