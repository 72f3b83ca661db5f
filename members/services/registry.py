"""The registry: organisations and their status history, every transition through
``organisation_status_change`` (S1)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from charters.selectors import charter_parameters
from core.audit import audit_log
from core.public_cache import public_pages_changed

from .. import selectors
from ..audit_actions import STATUS_CHANGED, MembersAudit
from ..constants import (
    ALLOWED_TRANSITIONS,
    REASONS_BY_STATUS,
    STATUS_ENDED_BY,
    STATUSES_WITH_END_DATE,
    OrganisationKind,
    Status,
    StatusReason,
)
from ..exceptions import InvitationBanned, MembersError, NotInGrandEst, TransitionNotAllowed
from ..hooks import MembershipChange, membership_changed
from ..models import Organisation, StatusChange
from ._common import _date

# French before slugify: ligatures it would drop (Œuvre -> uvre), elisions it would glue
# (d'Études -> detudes) and the ampersand.
_FRENCH_SLUG = str.maketrans(
    {"œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae", "'": " ", "’": " ", "&": " et "}
)
# Paths under /annuaire/ that are pages of their own, not organisations (members/urls.py).
RESERVED_SLUGS = {"integration"}


def french_slug(name: str) -> str:
    """A clean URL word for a French name: "Société d'Études & Œuvres" ->
    "societe-d-etudes-et-oeuvres"."""
    return slugify(name.translate(_FRENCH_SLUG))[:200].strip("-")


def unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = french_slug(name) or "organisation"
    slug, n = base, 2
    taken = Organisation.objects.exclude(pk=exclude_pk)
    while slug in RESERVED_SLUGS or taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(
    *,
    legal_name: str,
    kind: str = OrganisationKind.COMPANY,
    actor=None,
    now: datetime.datetime | None = None,
    **fields,
) -> Organisation:
    organisation = Organisation(
        legal_name=legal_name.strip(), kind=kind, slug=unique_slug(legal_name), **fields
    )
    organisation.full_clean()
    organisation.save()
    audit_log(
        action=MembersAudit.ORGANISATION_CREATED,
        actor=actor,
        target=organisation,
        data={"legal_name": organisation.legal_name},
        now=now,
    )
    return organisation


def organisation_check_grand_est(*, organisation: Organisation, on=None) -> None:
    """Charter art. 3.1 (M2): at least one active establishment in the Grand Est."""
    departments = charter_parameters(on=on).grand_est_departments
    if not selectors.has_grand_est_establishment(
        organisation=organisation, departments=departments
    ):
        raise NotInGrandEst(departments=departments)


def status_change_check(
    *,
    status: str,
    reason: str,
    explanation: str = "",
    ends_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> None:
    """Raise MembersError (with the field at fault) when a decision is inconsistent (S1)."""
    today = today or timezone.localdate()
    if status not in REASONS_BY_STATUS:
        raise TransitionNotAllowed(field="status")
    if reason not in REASONS_BY_STATUS[status]:
        raise MembersError(
            _("Le motif « %(reason)s » ne correspond pas au statut « %(status)s ».")
            % {"reason": StatusReason(reason).label, "status": Status(status).label},
            field="reason",
        )
    if reason == StatusReason.EXCLUDED and not (explanation or "").strip():
        # Charter art. 3.4 (L3): an exclusion is pronounced on a stated ground.
        raise MembersError(_("Indiquez le motif de l'exclusion."), field="explanation")
    if ends_on and status not in STATUSES_WITH_END_DATE:
        raise MembersError(
            _("Seuls un partenariat ou une invitation peuvent avoir une date de fin."),
            field="ends_on",
        )
    if ends_on and ends_on <= today:
        raise MembersError(
            _("La date de fin doit être postérieure à aujourd'hui."), field="ends_on"
        )


# The statuses an excluded organisation may not get back during its ban (I4): the charter
# names the invitee; what it forbids to an invitee it forbids a fortiori to an applicant
# (M6 asks for attendance as an invitee first), a member or a partner (interpretation).
RETURN_STATUSES = (Status.APPLICANT, Status.MEMBER, Status.PARTNER, Status.INVITEE)

_BAN_MATCHES = {
    "name": _lazy(
        "« %(given)s » est le nom de %(name)s, aux accents, à la casse, à la ponctuation et "
        "à la forme juridique près."
    ),
    "siren": _lazy("Le SIREN ou SIRET %(given)s est celui de %(name)s."),
    "email": _lazy("%(given)s est l'adresse d'un ancien représentant de %(name)s."),
}


def return_ban_message(ban: selectors.ReturnBan, *, purpose: str = "invitation") -> str:
    """The French message of a ban (I4), with its length from the charter version in force
    on the day of the exclusion. ``purpose``: "invitation", "application" or "status"."""
    values = {
        "given": ban.given,
        "name": ban.organisation.legal_name,
        "excluded": _date(ban.excluded_on),
        "months": ban.months,
        "until": _date(ban.until),
    }
    sentences = []
    if ban.how in _BAN_MATCHES:
        sentences.append(str(_BAN_MATCHES[ban.how]) % values)
    sentences.append(
        _(
            "%(name)s a été exclue de la COS-GE le %(excluded)s : l'article 5 de la charte "
            "interdit de l'inviter pendant %(months)s mois après son exclusion, soit avant le "
            "%(until)s."
        )
        % values
    )
    if purpose == "application":
        sentences.append(
            _(
                "Sa candidature ne peut pas être déposée avant cette date : l'adhésion suppose "
                "d'avoir participé aux activités en tant qu'invitée (article 3.1)."
            )
        )
    elif purpose == "status":
        sentences.append(
            _(
                "Elle ne peut recevoir aucun statut avant cette date : ce que la charte "
                "interdit à une invitée l'est a fortiori à une candidate, un membre ou un "
                "partenaire."
            )
        )
    return " ".join(sentences)


def return_ban_check(
    *,
    candidate,
    on: datetime.date,
    purpose: str = "invitation",
    fields: dict[str, str] | None = None,
) -> None:
    """Charter art. 5 (I4): refuse what would bring back an organisation excluded as a
    member before its ban ends, under whatever name, SIREN or representative it comes
    (``candidate``: a members.matching.Identity). ``fields`` names the form field of each
    way it was recognised ("organisation", "name", "siren", "email")."""
    ban = selectors.return_ban_match(candidate=candidate, on=on)
    if ban is not None:
        raise InvitationBanned(
            return_ban_message(ban, purpose=purpose), field=(fields or {}).get(ban.how)
        )


def imported_status_check(*, organisation: Organisation) -> None:
    """S1: "taken over from the former registry" is a starting status. Once the portal has
    recorded a decision for an organisation, its status changes by that decision's path
    (or by a justified correction), never by a spreadsheet."""
    if (
        StatusChange.objects.filter(organisation=organisation)
        .exclude(reason=StatusReason.IMPORTED)
        .exists()
    ):
        raise TransitionNotAllowed(
            _(
                "%(name)s a déjà un historique de statuts dans le portail : le statut repris "
                "de l'ancien registre ne s'applique qu'à une entité sans décision enregistrée "
                "dans le portail. Suivez la démarche prévue (candidature, invitation, "
                "partenariat, démission, procédure d'exclusion) ou, pour une erreur, "
                "« Corriger l'historique »."
            )
            % {"name": organisation.legal_name},
            field="status",
        )


@transaction.atomic
def organisation_status_change(
    *,
    organisation: Organisation,
    status: str,
    reason: str,
    actor=None,
    explanation: str = "",
    notice_reference: str = "",
    ends_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> StatusChange:
    """Record a transition (S1); the status is derived from this history, never edited.

    Losing member or partner status takes effect at ``now``: the directory and the
    mailing lists read the history, so the organisation leaves them the same day (S2).
    """
    now = now or timezone.now()
    # Lock the organisation so two decisions on it are taken one after the other.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    current = selectors.organisation_status(organisation=organisation, at=now)
    if status not in ALLOWED_TRANSITIONS.get(current, set()):
        raise TransitionNotAllowed(
            _("La charte ne permet pas de passer du statut « %(from)s » au statut « %(to)s ».")
            % {"from": Status(current).label, "to": Status(status).label}
        )
    # The consistency of the decision holds on every path (admin, import, services).
    status_change_check(
        status=status,
        reason=reason,
        explanation=explanation,
        ends_on=ends_on,
        today=timezone.localdate(now),
    )
    if reason in STATUS_ENDED_BY and current != STATUS_ENDED_BY[reason]:
        # S1: a resignation ends a membership, not an invitation (L2, L4, M5, P5, I1).
        raise TransitionNotAllowed(
            _("Le motif « %(reason)s » ne s'applique pas à une entité au statut « %(status)s ».")
            % {"reason": StatusReason(reason).label, "status": Status(current).label},
            field="reason",
        )
    if status == Status.MEMBER:
        organisation_check_grand_est(organisation=organisation, on=timezone.localdate(now))
    if reason == StatusReason.IMPORTED:
        imported_status_check(organisation=organisation)
    if status in RETURN_STATUSES:
        # Charter art. 5 (I4): not back before the ban ends, under any name.
        return_ban_check(
            candidate=selectors.organisation_identity(organisation=organisation),
            on=timezone.localdate(now),
            purpose="invitation" if status == Status.INVITEE else "status",
        )
    change = StatusChange.objects.create(
        organisation=organisation,
        status=status,
        reason=reason,
        effective_at=now,
        ends_on=ends_on,
        decided_by=actor if getattr(actor, "pk", None) else None,
        explanation=explanation,
        notice_reference=notice_reference,
        recorded_at=now,
    )
    public_pages_changed()  # S2: the directory shows the new status with the next request
    audit_log(
        action=STATUS_CHANGED[status],
        actor=actor,
        target=organisation,
        data={"from": current, "to": status, "reason": reason, "notice": notice_reference},
        now=now,
    )
    # S2, L5, V3, X2: what follows in the higher apps (convocations, COPIL mandates and
    # roles, petitions), in this transaction (members/hooks.py).
    membership_changed(
        change=MembershipChange(
            organisation=organisation, change=change, previous_status=current, actor=actor, now=now
        )
    )
    return change


def organisation_import_status(
    *, organisation: Organisation, status: str, actor=None, now=None
) -> StatusChange | None:
    """Set the starting status of an organisation imported from a spreadsheet."""
    if selectors.organisation_status(organisation=organisation, at=now) == status:
        return None
    return organisation_status_change(
        organisation=organisation,
        status=status,
        reason=StatusReason.IMPORTED,
        actor=actor,
        now=now,
    )


def organisation_create_from(
    *, organisation: Organisation, actor=None, now: datetime.datetime | None = None
) -> Organisation:
    """Save a new organisation built by the admin form or a CSV import with organisation_create.

    The slug, the checks and the audit entry come from ``organisation_create``; the saved
    state is copied back onto ``organisation`` so the caller (inline formsets, the
    import's many-to-many step) keeps working with the same object.
    """
    if not organisation._state.adding:
        raise ValueError("Not a new organisation.")
    skip = {"id", "legal_name", "kind", "slug", "created_at", "updated_at"}
    fields = {
        field.attname: getattr(organisation, field.attname)
        for field in Organisation._meta.concrete_fields
        if field.attname not in skip
    }
    created = organisation_create(
        legal_name=organisation.legal_name,
        kind=organisation.kind,
        actor=actor,
        now=now,
        **fields,
    )
    for field in Organisation._meta.concrete_fields:
        setattr(organisation, field.attname, getattr(created, field.attname))
    organisation._state.adding = False
    organisation._state.db = created._state.db
    return organisation
