"""Forms of the members registry: they parse input; the rules live in services.py."""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from . import services
from .exceptions import MembersError
from .models import Establishment, OfferCategory, Organisation
from .validators import validate_postcode, validate_siren, validate_siret


class DigitsField(forms.CharField):
    """An identifier typed with or without spaces ("732 829 320 00074")."""

    def to_python(self, value):
        value = super().to_python(value)
        return "".join(value.split()) if value else value


class OrganisationProfileForm(forms.ModelForm):
    website = forms.URLField(
        label=_("Site web"),
        required=False,
        assume_scheme="https",
        max_length=200,
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    siren = DigitsField(
        label=_("SIREN"),
        required=False,
        validators=[validate_siren],
        help_text=_("9 chiffres, facultatif."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    # Not a model field of the form: the service stores the file only when the whole
    # edit is valid (M2), under a name it chooses.
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Retirer le logo actuel"), required=False)

    class Meta:
        model = Organisation
        fields = ["kind", "description", "website", "siren", "offer_categories"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "offer_categories": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer_categories"].queryset = OfferCategory.objects.order_by("name")
        self.fields["logo"].help_text = _("Image PNG, JPEG ou WebP de %(size)s au plus.") % {
            "size": filesizeformat(settings.LOGO_MAX_BYTES)
        }
        if not self.instance.logo:
            del self.fields["remove_logo"]

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):
            try:
                services.logo_check(file=logo)
            except MembersError as error:
                raise forms.ValidationError(error.message, code="logo") from error
        return logo

    def profile_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.PROFILE_FIELDS}

    def logo_change(self):
        """The uploaded file, False to remove the logo, None to keep it (service contract)."""
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):
            return logo
        return False if self.cleaned_data.get("remove_logo") else None


class EstablishmentForm(forms.ModelForm):
    siret = DigitsField(
        label=_("SIRET"),
        required=False,
        validators=[validate_siret],
        help_text=_("14 chiffres, facultatif."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    postcode = forms.CharField(
        label=_("Code postal"),
        validators=[validate_postcode],
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "postal-code", "maxlength": 5}
        ),
    )

    class Meta:
        model = Establishment
        fields = ["name", "siret", "address", "postcode", "city", "is_active"]
        widgets = {
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }


EstablishmentFormSet = forms.inlineformset_factory(
    Organisation,
    Establishment,
    form=EstablishmentForm,
    extra=1,
    can_delete=False,
)


class ConsentForm(forms.Form):
    public_consent = forms.BooleanField(
        label=_("Apparaître dans l'annuaire public"),
        required=False,
        help_text=_("Vos nom et fonction figurent sur la fiche publique de l'entité."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
