"""Forms of referents: the public contact form (R4) and the contact log (R3)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.forms import GovernanceForm

from .models import BodyKind
from .services import CONTACT_MESSAGE_MAX_CHARS


class ReferentContactForm(GovernanceForm):
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


class ContactLogForm(GovernanceForm):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    body_kind = forms.ChoiceField(label=_("Type d'organisme"), choices=BodyKind.choices)
    body_name = forms.CharField(label=_("Organisme"), max_length=200)
    subject = forms.CharField(label=_("Objet"), max_length=300)
    outcome = forms.CharField(
        label=_("Suite donnée"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
