"""Forms of activities: they parse input; the rules live in services.py."""

import datetime
import uuid
from dataclasses import dataclass

from crispy_forms.bootstrap import FieldWithButtons, StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout
from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from members.forms import SearchPickMixin, pick_matches_field, pick_search_field
from members.models import Organisation, User
from members.selectors import organisations_search

from . import selectors
from .checkin_sync import MAX_ACTIONS, SyncAction, SyncWalkIn
from .constants import MINUTES_MAX_BYTES, ActivityKind, ConvenedScope
from .resources import MAX_BYTES


class WalkInForm(SearchPickMixin, forms.Form):
    """A person who came without being convened (A2).

    Their organisation is found by a search among the organisations the activity
    convened (thousands at a plenary), never listed whole: the organiser types part of
    its name or its SIREN; one match is taken, several are offered as a short choice.
    """

    email = forms.EmailField(
        label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    organisation_search = pick_search_field(
        _("Entité représentée"),
        _("Une partie de son nom ou son SIREN ; laissez vide à titre personnel."),
    )
    organisation = pick_matches_field(_("Entités qui correspondent"))

    def __init__(self, *args, activity=None, **kwargs):
        super().__init__(*args, **kwargs)
        convened = Organisation.objects.none()
        if activity is not None:
            convened = Organisation.objects.filter(convocations__activity=activity)
        self.pick_among(
            "organisation",
            convened,
            take_lone_match=True,
            none_found=_("Aucune entité convoquée à cette activité ne correspond à « %(text)s »."),
        )


class SyncWalkInForm(forms.Form):
    """A walk-in sent by the check-in app (A2): the fields of ``WalkInForm``, the
    organisation by id (the app found it among the convened ones)."""

    email = forms.EmailField(label=_("Adresse e-mail"))
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)


def _sync_time(value) -> datetime.datetime | None:
    """The phone's time of an action, ISO 8601; a time without offset is the portal's."""
    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value.strip())
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _sync_action(number: int, raw) -> SyncAction:
    """One action of the app; ``ValidationError`` when its shape is not the contract's
    (the whole request is refused), ``refusal`` set when only its values are wrong."""
    malformed = forms.ValidationError(
        _(
            "Action n° %(number)s mal formée : un objet avec « id » (UUID), « at » et une "
            "seule clé parmi « person », « code » et « walk_in » est attendu."
        ),
        params={"number": number},
    )
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise malformed
    try:
        client_id = uuid.UUID(raw["id"])
    except ValueError:
        raise malformed from None
    kinds = [key for key in ("person", "code", "walk_in") if raw.get(key) is not None]
    offline = raw.get("offline", False)
    if len(kinds) != 1 or not isinstance(offline, bool):
        raise malformed
    action = SyncAction(client_id=client_id, at=_sync_time(raw.get("at")), offline=offline)
    if kinds == ["person"]:
        person = raw["person"]
        if isinstance(person, bool) or not isinstance(person, int):
            raise malformed
        action.person = person
        attendance = raw.get("attendance", "")
        action.attendance = attendance if isinstance(attendance, str) else ""
    elif kinds == ["code"]:
        if not isinstance(raw["code"], str):
            raise malformed
        action.code = raw["code"][:200]
    else:
        walk_in = raw["walk_in"]
        organisation = walk_in.get("organisation") if isinstance(walk_in, dict) else None
        if not isinstance(walk_in, dict) or (
            organisation is not None
            and (isinstance(organisation, bool) or not isinstance(organisation, int))
        ):
            raise malformed
        form = SyncWalkInForm(
            {name: walk_in.get(name) or "" for name in ("email", "first_name", "last_name")}
        )
        if form.is_valid():
            action.walk_in = SyncWalkIn(
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                organisation=organisation,
            )
        else:
            # The first reason, prefixed by its field: "Adresse e-mail : Saisissez...".
            name, errors = next(iter(form.errors.items()))
            action.refusal = f"{form.fields[name].label} : {errors[0]}"
    if action.at is None and not action.refusal:
        action.refusal = str(
            _("Heure de l'action illisible : une date ISO 8601 avec son fuseau est attendue.")
        )
    return action


def checkin_sync_actions(payload) -> list[SyncAction]:
    """The actions of a check-in sync (A2), parsed from the request's JSON; a
    ``ValidationError`` with a French message when the request as a whole is malformed
    (then nothing is applied)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("actions"), list):
        raise forms.ValidationError(_("La requête doit contenir une liste « actions »."))
    raw_actions = payload["actions"]
    if len(raw_actions) > MAX_ACTIONS:
        raise forms.ValidationError(
            _("Au plus %(max)s actions par synchronisation : envoyez la file en plusieurs fois."),
            params={"max": MAX_ACTIONS},
        )
    return [_sync_action(number, raw) for number, raw in enumerate(raw_actions, start=1)]


class AttendanceImportForm(forms.Form):
    sheet = forms.FileField(
        label=_("Feuille de présence (CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=_(
            "Colonnes : email;nom;prenom;entite;statut;date — statut « présent », « absent » ou "
            "« excusé », date JJ/MM/AAAA. Rien n'est enregistré avant votre confirmation."
        ),
    )

    def clean_sheet(self):
        sheet = self.cleaned_data["sheet"]
        if not sheet.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Le fichier doit être au format CSV."))
        if sheet.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Le fichier dépasse %(size)s.") % {"size": filesizeformat(MAX_BYTES)}
            )
        return sheet


class MinutesForm(forms.Form):
    text = forms.CharField(
        label=_("Compte rendu"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    file = forms.FileField(
        label=_("Fichier"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.odt,.docx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, ODT ou DOCX de %(size)s au plus.") % {
            "size": filesizeformat(MINUTES_MAX_BYTES)
        }


DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"]


class LocalDateTimeInput(forms.DateTimeInput):
    """A browser's date and time picker. A typed value it cannot hold (sent by hand, not
    by a browser) is not echoed back: the field shows its error, the page stays valid."""

    input_type = "datetime-local"

    def format_value(self, value):
        formatted = super().format_value(value)
        if isinstance(formatted, str):
            for pattern in DATETIME_INPUT_FORMATS[:2]:
                try:
                    datetime.datetime.strptime(formatted, pattern)  # noqa: DTZ007
                except ValueError:
                    continue
                return formatted
            return None
        return formatted


def datetime_field(label: str, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=LocalDateTimeInput(format="%Y-%m-%dT%H:%M"),
    )


# The entities a search lists at most (the others: "précisez").
INVITED_SEARCH_SHOWN = 20
INVITED_SEARCH_BUTTON = "invited_search_go"


@dataclass(frozen=True)
class InvitedSearch:
    """A search of the entities to convene, as the activity form shows it again."""

    query: str
    found: list  # Organisation, at most INVITED_SEARCH_SHOWN
    more: bool  # whether more matched than are shown

    @property
    def message(self) -> str:
        if not self.query:
            return _("Saisissez une partie de la raison sociale, le SIREN ou un SIRET.")
        if not self.found:
            return _("Aucune entité ne correspond à « %(query)s ».") % {"query": self.query}
        if self.more:
            return _(
                "Plus de %(shown)d entités correspondent à « %(query)s » : les %(shown)d "
                "premières sont listées ; précisez la recherche."
            ) % {"shown": len(self.found), "query": self.query}
        return ngettext(
            "%(count)d entité trouvée pour « %(query)s » : cochez-la pour la convoquer, "
            "puis enregistrez.",
            "%(count)d entités trouvées pour « %(query)s » : cochez celles à convoquer, "
            "puis enregistrez.",
            len(self.found),
        ) % {"count": len(self.found), "query": self.query}


def _invited_choices(*, named: list[int], found) -> list[tuple[int, str]]:
    """The entities ticked (by legal name), then those found not yet ticked."""
    ticked = list(
        Organisation.objects.filter(pk__in=named)
        .order_by("legal_name", "pk")
        .values_list("pk", "legal_name")
        if named
        else ()
    )
    shown = {pk for pk, _name in ticked}
    return ticked + [(o.pk, o.legal_name) for o in found if o.pk not in shown]


class ActivityForm(forms.Form):
    """An activity as its organisers create or change it (A1); the rules (place in the
    Grand Est, the dates an election or a revision vote holds) are the services'."""

    kind = forms.ChoiceField(label=_("Type d'activité"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Programme, public visé, ce qu'il faut apporter."),
    )
    starts_at = datetime_field(_("Début"), _("Date et heure, heure de Paris."))
    ends_at = datetime_field(_("Fin"))
    place = forms.CharField(
        label=_("Lieu"),
        max_length=300,
        required=False,
        help_text=_("Adresse en région Grand Est ; laissez vide pour une activité en ligne."),
    )
    postcode = forms.CharField(label=_("Code postal"), max_length=5, required=False)
    city = forms.CharField(label=_("Ville"), max_length=100, required=False)
    online_url = forms.URLField(
        label=_("Lien de visioconférence"),
        required=False,
        assume_scheme="https",
        help_text=_("Obligatoire pour une activité en ligne ; possible en plus d'un lieu."),
    )
    is_public = forms.BooleanField(
        label=_("Activité publique"),
        required=False,
        help_text=_(
            "Elle figure alors sur la page publique des activités et le calendrier public."
        ),
    )
    convened_scope = forms.ChoiceField(
        label=_("Personnes convoquées"),
        choices=ConvenedScope.choices,
        initial=ConvenedScope.ALL_MEMBERS,
        help_text=_(
            "« Tous les membres » convoque les entités membres à la date de l'activité ; "
            "leur présence compte dans leur taux de présence (article 7)."
        ),
    )
    invited_organisations = forms.ModelMultipleChoiceField(
        label=_("Entités convoquées nommément"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Partenaires, invités ou membres convoqués au cas par cas : cochez ceux à "
            "convoquer, décochez pour retirer."
        ),
    )
    invited_search = forms.CharField(
        label=_("Chercher une entité à convoquer"),
        required=False,
        max_length=100,
        help_text=_(
            "Une partie de sa raison sociale, son SIREN ou un SIRET, puis « Chercher » : les "
            "entités trouvées s'ajoutent à la liste ci-dessus, à cocher. Rien n'est enregistré."
        ),
    )
    organisers = forms.ModelMultipleChoiceField(
        label=_("Organisateurs"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Ils pointent les présences et modifient l'activité avec vous."),
    )

    def __init__(self, *args, search: InvitedSearch | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.search = search
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            *(name for name in self.fields if name not in ("invited_search", "organisers")),
            FieldWithButtons(
                "invited_search",
                StrictButton(
                    _("Chercher"),
                    type="submit",
                    name=INVITED_SEARCH_BUTTON,
                    value="1",
                    css_class="btn-outline-secondary",
                ),
            ),
            HTML('{% include "activities/invited_search.html" %}'),
            "organisers",
        )
        invited = self.fields["invited_organisations"]
        # A sent form may name any entity; the page lists only those named and those found
        # (the community counts thousands: the page does not grow with it).
        invited.queryset = Organisation.objects.all()
        invited.choices = _invited_choices(
            named=self._named_ids(), found=search.found if search else ()
        )
        self.fields["organisers"].queryset = selectors.organiser_candidates()

    def _named_ids(self) -> list[int]:
        if self.is_bound:
            values = self.data.getlist(self.add_prefix("invited_organisations"))
        else:
            values = self.initial.get("invited_organisations") or ()
        ids = (getattr(value, "pk", value) for value in values)
        return [int(pk) for pk in ids if str(pk).isdigit()]

    def search_requested(self) -> bool:
        """Whether the sent form asks for a search rather than a save: the « Chercher »
        button, or words left in the search box (Enter in it sends the form)."""
        return INVITED_SEARCH_BUTTON in self.data or bool(
            self.data.get(self.add_prefix("invited_search"), "").strip()
        )

    def with_search(self) -> "ActivityForm":
        """The sent form shown again as typed, unsaved and without errors yet, listing the
        entities the search found beside those ticked."""
        typed = {
            name: field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            for name, field in self.fields.items()
        }
        query = (typed.pop("invited_search") or "").strip()[:100]
        found = organisations_search(query=query, limit=INVITED_SEARCH_SHOWN + 1)
        search = InvitedSearch(
            query=query,
            found=found[:INVITED_SEARCH_SHOWN],
            more=len(found) > INVITED_SEARCH_SHOWN,
        )
        return type(self)(initial=typed, search=search)

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at < starts_at:
            self.add_error("ends_at", _("La fin doit suivre le début."))
        return cleaned

    @classmethod
    def initial_for(cls, activity) -> dict:
        return {
            **{name: getattr(activity, name) for name in ACTIVITY_FIELDS},
            "starts_at": timezone.localtime(activity.starts_at),
            "ends_at": timezone.localtime(activity.ends_at),
            "invited_organisations": list(activity.invited_organisations.all()),
            "organisers": list(activity.organisers.all()),
        }


# The fields of ActivityForm that are columns of Activity (the others are relations).
ACTIVITY_FIELDS = (
    "kind", "title", "description", "starts_at", "ends_at", "place", "postcode", "city",
    "online_url", "is_public", "convened_scope",
)  # fmt: skip
