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
