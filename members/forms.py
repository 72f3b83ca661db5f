"""Forms of the members registry: they parse input; the rules live in services.py."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from . import services
from .constants import OrganisationKind
from .exceptions import MembersError
from .models import Establishment, OfferCategory, Organisation
from .selectors import organisations_search
from .validators import validate_postcode, validate_siren, validate_siret

# The matches a search of one entity offers at most (the others: "précisez").
PICK_SHOWN = 20


def pick_search_field(label, help_text):
    """The text field ``<name>_search`` of a SearchPickMixin form."""
    return forms.CharField(
        label=label,
        max_length=100,
        required=False,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def pick_matches_field(label):
    """The field ``<name>`` of a SearchPickMixin form: the matches, as radio buttons (a
    hidden field before a search); its queryset is set by ``pick_among``."""
    return forms.ModelChoiceField(label=label, queryset=Organisation.objects.none(), required=False)


@dataclass(frozen=True)
class _Pick:
    search: Callable
    label: Callable
    take_lone_match: bool
    none_found: str  # with %(text)s
    missing: str
    lone: str
    several: str


class SearchPickMixin:
    """A form field choosing one organisation (or one representative) among thousands,
    never listed whole.

    The form declares the field ``<name>`` (``pick_matches_field``) and the text field
    ``<name>_search`` (``pick_search_field``) before it, then calls ``pick_among`` in
    ``__init__``. The person types part of a name, a SIREN or a SIRET (what ``search``
    reads); the matches (at most PICK_SHOWN) come back as radio buttons. A lone match is
    taken at once when ``take_lone_match``, or else offered ticked, to be confirmed by
    sending the form again. The chosen id is validated against every eligible one, so that
    the page's size does not grow with them.
    """

    def pick_among(
        self,
        name: str,
        eligible,
        *,
        none_found,
        missing="",
        lone="",
        several="",
        search=organisations_search,
        label=lambda organisation: organisation.legal_name,
        take_lone_match: bool = False,
    ) -> None:
        """``none_found`` (with %(text)s) when nothing matches; ``missing`` when the field
        is required and neither chosen nor searched; ``lone`` and ``several`` when the
        matches are offered (an entity's wording by default)."""
        pick = _Pick(
            search=search,
            label=label,
            take_lone_match=take_lone_match,
            none_found=none_found,
            missing=missing,
            lone=lone or _("Vérifiez l'entité trouvée ci-dessous, puis confirmez."),
            several=several
            or _(
                "Plusieurs entités correspondent : choisissez-la ci-dessous ou précisez la recherche."
            ),
        )
        self._picks = {**getattr(self, "_picks", {}), name: pick}
        self.fields[name].queryset = eligible
        self._pick_offer(name, [])

    def _pick_offer(self, name: str, matches) -> None:
        """The radio buttons of the search's matches; none (a hidden field) before a search."""
        field = self.fields[name]
        field.widget = forms.RadioSelect() if matches else forms.HiddenInput()
        field.widget.choices = [(match.pk, self._picks[name].label(match)) for match in matches]

    def clean(self):
        cleaned = super().clean()
        for name, pick in getattr(self, "_picks", {}).items():
            self._pick_clean(cleaned, name, pick)
        return cleaned

    def _pick_clean(self, cleaned: dict, name: str, pick: _Pick) -> None:
        """Resolve the search into ``cleaned[name]``, or say on the search field (which the
        error summary links to: the radios have no element of the field's own id) what to
        do."""
        search_field = f"{name}_search"
        if cleaned.get(name):
            # Chosen: shown ticked if the form comes back (a wrong password, a refusal).
            self._pick_offer(name, [cleaned[name]])
            return
        if self.has_error(name):
            return
        text = (cleaned.get(search_field) or "").strip()
        if not text:
            if pick.missing:
                self.add_error(search_field, pick.missing)
            return
        eligible = self.fields[name].queryset
        matches = pick.search(query=text, limit=PICK_SHOWN + 1, among=eligible)
        if len(matches) == 1 and pick.take_lone_match:
            cleaned[name] = matches[0]
            return
        if not matches:
            self.add_error(search_field, pick.none_found % {"text": text})
            return
        self._pick_offer(name, matches[:PICK_SHOWN])
        if len(matches) == 1:
            # Ticked, for the person to check the name before confirming.
            self.data = self.data.copy()
            self.data[self.add_prefix(name)] = str(matches[0].pk)
            message = pick.lone
        elif len(matches) > PICK_SHOWN:
            message = _(
                "Plus de %(shown)s réponses correspondent : choisissez parmi les premières "
                "ci-dessous ou précisez la recherche."
            ) % {"shown": PICK_SHOWN}
        else:
            message = pick.several
        self.add_error(search_field, message)


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
            "address": forms.TextInput(attrs={"autocomplete": "address-line1"}),
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


# --- The status lifecycle (issue 6) -------------------------------------------------------


class ApplicationForm(forms.Form):
    """The application (M1, M3): the organisation, the AIF reference, a motivation, and the
    charter signature (M4): consent sentence and password re-entry."""

    legal_name = forms.CharField(label=_("Raison sociale"), max_length=200)
    kind = forms.ChoiceField(label=_("Type d'entité"), choices=OrganisationKind.choices)
    siren = DigitsField(
        label=_("SIREN"),
        required=False,
        validators=[validate_siren],
        help_text=_("9 chiffres, facultatif."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    website = forms.URLField(
        label=_("Site web"), required=False, assume_scheme="https", max_length=200
    )
    description = forms.CharField(
        label=_("Activité de l'entité"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    job_title = forms.CharField(label=_("Votre fonction"), max_length=150, required=False)
    aif_reference = forms.CharField(
        label=_("Référence dans l'annuaire AIF"),
        max_length=300,
        help_text=_(
            "Référence ou adresse de la fiche de votre entité dans l'annuaire de l'Alliance "
            "Industrie du Futur (article 3.1 de la charte)."
        ),
    )
    motivation = forms.CharField(
        label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    consent = forms.BooleanField(label="", required=False)
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Ressaisissez votre mot de passe pour signer la charte."),
    )

    DRAFT_FIELDS = ("legal_name", "kind", "siren", "website", "description", "job_title")

    def __init__(self, *args, consent_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_label or _(
            "Je déclare avoir lu la charte et engage mon entité à la respecter."
        )

    def organisation_data(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in self.DRAFT_FIELDS}


class ApplicationEstablishmentForm(forms.Form):
    name = forms.CharField(label=_("Nom de l'établissement"), max_length=200, required=False)
    siret = DigitsField(
        label=_("SIRET"),
        required=False,
        validators=[validate_siret],
        help_text=_("14 chiffres, facultatif."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(label=_("Adresse"), max_length=300)
    postcode = forms.CharField(
        label=_("Code postal"),
        validators=[validate_postcode],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 5}),
    )
    city = forms.CharField(label=_("Ville"), max_length=100)


ApplicationEstablishmentFormSet = forms.formset_factory(
    ApplicationEstablishmentForm, extra=0, min_num=1, validate_min=True, max_num=20
)


def draft_from_post(post) -> dict:
    """What the applicant typed, valid or not, to keep as a draft (never the password)."""
    data = {name: post.get(name, "")[:5000] for name in ApplicationForm.DRAFT_FIELDS}
    try:
        total = min(int(post.get("establishments-TOTAL_FORMS", 0)), 20)
    except ValueError:
        total = 0
    data["establishments"] = [
        {
            name: post.get(f"establishments-{i}-{name}", "")[:300]
            for name in ("name", "siret", "address", "postcode", "city")
        }
        for i in range(total)
    ]
    return data


class OpinionForm(forms.Form):
    text = forms.CharField(
        label=_("Votre avis"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("Seul le COPIL lira votre avis (article 3.1 de la charte)."),
    )


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("Je confirme"), required=True)


class RepresentativeAddForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    job_title = forms.CharField(label=_("Fonction"), max_length=150, required=False)
    is_authorised_signatory = forms.BooleanField(
        label=_("Signataire habilité"),
        required=False,
        help_text=_("Peut signer la charte et faire les démarches au nom de l'entité."),
    )


class ExclusionResponseForm(forms.Form):
    response = forms.CharField(
        label=_("Votre réponse au COPIL"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
    )


class ProofUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Document"),
        help_text=_("PDF, PNG, JPEG ou WebP, 10 Mo au plus."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/png,image/jpeg,image/webp"}
        ),
    )


class InvitationProposeForm(forms.Form):
    proposing_organisation = forms.ModelChoiceField(
        label=_("Au nom de"), queryset=Organisation.objects.none(), empty_label=None
    )
    guest_organisation_name = forms.CharField(
        label=_("Entité invitée"),
        max_length=200,
        required=False,
        help_text=_("Vide si vous invitez une personne à titre personnel."),
    )
    guest_name = forms.CharField(label=_("Personne invitée"), max_length=200)
    guest_email = forms.EmailField(label=_("Son adresse e-mail"))
    starts_on = forms.DateField(label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Au"), widget=forms.DateInput(attrs={"type": "date"}))
    occasion = forms.CharField(
        label=_("Occasion"),
        max_length=300,
        required=False,
        help_text=_("Les activités ou l'événement concernés."),
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["proposing_organisation"].queryset = organisations


class InvitationAcceptForm(forms.Form):
    consent = forms.BooleanField(label="", required=False)

    def __init__(self, *args, consent_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_label
