"""Reads of the charter: versions, signatures, who owes which signature.

Dependency note (ARCHITECTURE: "members may import charters; charters imports
neither"): charters never imports members. The few reads that need an organisation's
status (who owes a signature, when a status was lost) go through the readers members
registers in charters/organisations.py; models refer to members through string foreign
keys, and the COPIL is known through core/roles.py.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Subquery
from django.utils import timezone

from core.dates import add_months, local_midnight
from core.deadlines import deadline_cached, deadline_memo_active
from core.models import AuditEntry, Reminder, ReminderStatus
from core.roles import is_copil

from . import organisations
from .audit_actions import ChartersAudit
from .constants import CharterParameters, SignatureCapacity, SignatureScope
from .evidence import ChainReport, normalise_code, verify_chain
from .models import CharterVersion, Signature, text_hash

# Status values of members.constants.Status, as plain strings (no import of members).
_FULL_SCOPE_STATUSES = {"member", "applicant", "none"}
_ETHICS_SCOPE_STATUSES = {"partner", "invitee"}
_SIGNATURE_OWING_STATUSES = {"member", "partner", "invitee"}
SIGNATURE_OWING_STATUSES = frozenset(_SIGNATURE_OWING_STATUSES)


def published_versions() -> QuerySet:
    return CharterVersion.objects.filter(published_at__isnull=False)


def _in_force(*, on: datetime.date | None) -> QuerySet:
    day = on or timezone.localdate()
    return (
        published_versions()
        .filter(effective_date__lte=day, end_date__gte=day)
        .order_by("-effective_date")
    )


def _covering(versions, day: datetime.date) -> CharterVersion | None:
    """The first of ``versions`` (latest effective first) in force on ``day``."""
    return next((v for v in versions if v.effective_date <= day <= v.end_date), None)


def _in_force_and_latest(*, on: datetime.date | None) -> tuple[CharterVersion | None, ...]:
    """The version in force on ``on`` and the latest published one (mostly the same) in
    one query; read once per list of deadlines (core/deadlines.py deadline_cached), whose
    sources ask for them several times."""
    day = on or timezone.localdate()

    def read():
        latest = published_versions().order_by("-effective_date", "-pk").values("pk")[:1]
        versions = list(
            published_versions()
            .filter(Q(effective_date__lte=day, end_date__gte=day) | Q(pk=Subquery(latest)))
            .order_by("-effective_date", "-pk")
        )
        in_force = _covering(versions, day)
        return in_force, versions[0] if versions else None

    return deadline_cached(("charter_versions", day), read)


def charter_version_in_force(*, on: datetime.date | None = None) -> CharterVersion | None:
    """The version in force on ``on``."""
    return _in_force_and_latest(on=on)[0]


def charter_version_latest(*, on: datetime.date | None = None) -> CharterVersion | None:
    """The latest published version (in force or to come): the one whose end the COPIL
    is reminded of (X1)."""
    return _in_force_and_latest(on=on)[1]


def charter_parameters(*, on: datetime.date | None = None) -> CharterParameters:
    """The parameters of the version in force; V1 R001's values before any version exists.
    Within a list of deadlines, from the version it already holds; elsewhere read alone:
    the text of the charter stays in the database (the directory's filters read the
    departments on every uncached page)."""
    if deadline_memo_active():
        version = charter_version_in_force(on=on)
    else:
        version = _in_force(on=on).only("parameters").first()
    return version.governance if version else CharterParameters()


def charter_parameters_on_days(
    days: Iterable[datetime.date],
) -> dict[datetime.date, CharterParameters]:
    """``charter_parameters(on=day)`` for each of ``days``, in one query: the parameters of
    the version in force on each day, V1 R001's values on a day no version covers."""
    days = set(days)
    if not days:
        return {}
    versions = list(
        published_versions()
        .filter(effective_date__lte=max(days), end_date__gte=min(days))
        .order_by("-effective_date")
        .only("effective_date", "end_date", "parameters")
    )
    covering = {day: _covering(versions, day) for day in days}
    return {day: v.governance if v else CharterParameters() for day, v in covering.items()}


def charter_version_history() -> list[CharterVersion]:
    """Published versions, newest first (W1: version, date, nature of the change), without
    their texts: the lists of versions show their labels, dates and notes."""
    return list(published_versions().defer("body", "parameters").order_by("-effective_date", "-id"))


def charter_version_get(*, slug: str) -> CharterVersion:
    """A published version by the slug of its label; DoesNotExist otherwise."""
    for version in published_versions().only("id", "label"):
        if version.slug == slug:
            return published_versions().get(pk=version.pk)
    raise CharterVersion.DoesNotExist


def _active_representations(user, *, on: datetime.date):
    # Duck typing on members.Representative through the reverse relation of the user.
    return user.representations.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on
    )


def signatory_representations(*, user, on: datetime.date | None = None) -> QuerySet:
    """The active representations in which ``user`` is an authorised signatory."""
    if not getattr(user, "is_authenticated", False):
        from django.apps import apps

        return apps.get_model("members", "Representative").objects.none()
    day = on or timezone.localdate()
    return (
        _active_representations(user, on=day)
        .filter(is_authorised_signatory=True)
        .select_related("organisation")
        .order_by("organisation__legal_name")
    )


def is_authorised_signatory(*, user, organisation, on: datetime.date | None = None) -> bool:
    return signatory_representations(user=user, on=on).filter(organisation=organisation).exists()


def is_active_representative(*, user, organisation, on: datetime.date | None = None) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    day = on or timezone.localdate()
    return _active_representations(user, on=day).filter(organisation=organisation).exists()


def scope_required_for(status: str | None) -> str | None:
    """Charter art. 3.3, 4, 5 (E1): members (and applicants, M4) sign the whole charter;
    partners without an agreement and invitees commit to art. 3.3 only."""
    if status in _ETHICS_SCOPE_STATUSES:
        return SignatureScope.ETHICS
    if status in _FULL_SCOPE_STATUSES or not status:
        return SignatureScope.FULL
    return None


def required_capacities(version: CharterVersion) -> tuple[str, ...]:
    # W2: some versions need the head of the organisation to sign too.
    if version.requires_head_signature:
        return (SignatureCapacity.SIGNATORY, SignatureCapacity.HEAD)
    return (SignatureCapacity.SIGNATORY,)


def _covers(signature_scope: str, needed_scope: str) -> bool:
    return signature_scope == SignatureScope.FULL or signature_scope == needed_scope


def commitment_complete(*, version: CharterVersion, scope: str, signatures) -> bool:
    """Whether ``signatures`` (of one organisation, on ``version``) complete the commitment."""
    capacities = {
        s.capacity for s in signatures if s.version_id == version.pk and _covers(s.scope, scope)
    }
    return all(capacity in capacities for capacity in required_capacities(version))


def organisation_signatures(*, organisation, version: CharterVersion | None = None) -> QuerySet:
    qs = Signature.objects.filter(organisation=organisation).select_related("version", "signer")
    if version is not None:
        qs = qs.filter(version=version)
    return qs.order_by("signed_at", "id")


def signature_get_by_code(*, code: str) -> Signature | None:
    normalised = normalise_code(code)
    if not normalised:
        return None
    return (
        Signature.objects.select_related("version", "organisation", "signer")
        .filter(verification_code=normalised)
        .first()
    )


def signature_chain() -> QuerySet:
    """All signatures in insertion order, for the hash-chain check."""
    return Signature.objects.select_related("version").order_by("id")


def signature_chain_anchors() -> list[str]:
    return [
        entry.data.get("record_hash", "")
        for entry in AuditEntry.objects.filter(action=ChartersAudit.SIGNATURE_RECORDED).only("data")
        if entry.data.get("record_hash")
    ]


def signature_chain_verify() -> ChainReport:
    return verify_chain(signature_chain().iterator(), anchored_hashes=signature_chain_anchors())


@dataclass
class SignatureCheck:
    signature: Signature
    text_matches: bool
    chain: ChainReport

    @property
    def valid(self) -> bool:
        return self.text_matches and self.chain.intact


def signature_check(*, signature: Signature) -> SignatureCheck:
    """Does the recorded signature still stand: same text, intact chain?"""
    version = signature.version
    text_matches = text_hash(version.body) == signature.text_sha256 == version.text_sha256
    return SignatureCheck(
        signature=signature, text_matches=text_matches, chain=signature_chain_verify()
    )


def can_download_certificate(*, user, signature: Signature) -> bool:
    """The organisation's representatives and the COPIL may download a certificate."""
    if is_copil(user):
        return True
    return is_active_representative(user=user, organisation=signature.organisation)


def user_signatures(*, user, on: datetime.date | None = None) -> QuerySet:
    """Signatures of the organisations the person currently represents."""
    day = on or timezone.localdate()
    organisation_ids = _active_representations(user, on=day).values("organisation_id")
    return (
        Signature.objects.filter(organisation_id__in=organisation_ids)
        .select_related("version", "organisation")
        .order_by("-signed_at", "-id")
    )


# --- Who owes which signature (E1, X4) -------------------------------------------------


@dataclass
class CampaignRow:
    organisation: object
    status: str
    scope: str
    owed_since: datetime.date
    signatures: list
    complete: bool
    completed_at: datetime.datetime | None
    reminders: list

    @property
    def ethics_only(self) -> bool:
        """E1: the organisation commits to article 3.3 only."""
        return self.scope == SignatureScope.ETHICS

    @property
    def missing_capacities(self) -> list[str]:
        have = {s.capacity for s in self.signatures if _covers(s.scope, self.scope)}
        return [c for c in self.required if c not in have]

    required: tuple = ()
    status_label: str = ""
    signatories: list = field(default_factory=list)
    version: CharterVersion | None = None
    # Every active representative (with_representatives=True): who is written to when
    # the organisation has no authorised signatory.
    representatives: list = field(default_factory=list)

    @property
    def missing_capacity_labels(self) -> list[str]:
        return [SignatureCapacity(c).label for c in self.missing_capacities]


@dataclass(frozen=True, slots=True)
class SignedCapacity:
    """A signature as ``campaign_rows(people_as_ids=True)`` reads it: what
    ``commitment_complete`` and ``CampaignRow.completed_at`` need of it."""

    organisation_id: int
    version_id: int
    capacity: str
    scope: str
    signed_at: datetime.datetime


def campaign_rows(
    *,
    version: CharterVersion | None = None,
    at: datetime.datetime | None = None,
    with_representatives: bool = False,
    organisation_ids=None,
    with_reminders: bool = True,
    people_as_ids: bool = False,
    owed_since_between: tuple[datetime.date, datetime.date] | None = None,
) -> list[CampaignRow]:
    """Every organisation that holds a status on ``at`` and so owes a signature of
    ``version`` (the version in force by default): members the full charter,
    partners and invitees art. 3.3 (E1), with what they signed and since when they
    owe it (X4). A constant number of queries, whatever the number of organisations.
    ``organisation_ids`` keeps those organisations only; without ``with_reminders`` the
    re-signature reminders sent are not read (the deadlines do not show them);
    ``people_as_ids``: the signatories and representatives are user ids, the organisation
    its id and name, the signatures what completes a commitment (``SignedCapacity``);
    ``owed_since_between`` (first and last day): those owing it since one of those days
    only, chosen in the database (the deadlines of a window).
    """
    moment = at or timezone.now()
    version = version or charter_version_in_force(on=timezone.localdate(moment))
    if version is None:
        return []
    since_from = since_before = None
    if owed_since_between is not None:
        # Owed since the later of the version's start and the status's: none in the
        # window when the version starts after it; otherwise the status started before
        # its end, and within it too when the version started before it.
        first, last = owed_since_between
        if version.effective_date > last:
            return []
        since_before = local_midnight(last + datetime.timedelta(days=1))
        if version.effective_date < first:
            since_from = local_midnight(first)
    holders = organisations.status_holders(
        statuses=_SIGNATURE_OWING_STATUSES,
        at=moment,
        with_representatives=with_representatives,
        organisation_ids=organisation_ids,
        people_as_ids=people_as_ids,
        since_from=since_from,
        since_before=since_before,
    )
    if not holders:
        return []
    ids = [holder.organisation.pk for holder in holders]
    signatures: dict[int, list] = {}
    signed = Signature.objects.filter(version=version).order_by("signed_at", "id")
    if organisation_ids is not None:  # otherwise every holder: no list of ids to send
        signed = signed.filter(organisation_id__in=ids)
    if people_as_ids:  # what completes a commitment only: no model instance for each
        signed = (
            SignedCapacity(organisation_id, version.pk, capacity, scope, signed_at)
            for organisation_id, capacity, scope, signed_at in signed.values_list(
                "organisation_id", "capacity", "scope", "signed_at"
            )
        )
    for signature in signed:
        signatures.setdefault(signature.organisation_id, []).append(signature)
    reminders = _resignature_reminders_sent(version=version) if with_reminders else {}
    rows = []
    # The day each stretch started, in the portal's time zone: read once, not per holder.
    zone = timezone.get_current_timezone()
    for holder in holders:
        organisation = holder.organisation
        scope = scope_required_for(holder.status)
        signed = signatures.get(organisation.pk, [])
        complete = commitment_complete(version=version, scope=scope, signatures=signed)
        since = holder.since
        owed_since = max(
            version.effective_date,
            since.astimezone(zone).date() if since else version.effective_date,
        )
        rows.append(
            CampaignRow(
                organisation=organisation,
                status=holder.status,
                status_label=holder.status_label,
                scope=scope,
                owed_since=owed_since,
                signatures=signed,
                complete=complete,
                completed_at=signed[-1].signed_at if complete and signed else None,
                reminders=reminders.get(organisation.pk, []),
                required=required_capacities(version),
                signatories=holder.signatories,
                version=version,
                representatives=holder.representatives,
            )
        )
    return rows


def signatures_owed(
    *,
    at: datetime.datetime | None = None,
    with_representatives: bool = False,
    organisation_ids=None,
    with_reminders: bool = True,
    people_as_ids: bool = False,
    owed_since_between: tuple[datetime.date, datetime.date] | None = None,
) -> list[CampaignRow]:
    """The organisations that still owe a signature of the version in force
    (``organisation_ids``, ``owed_since_between``: among those only)."""
    return [
        row
        for row in campaign_rows(
            at=at,
            with_representatives=with_representatives,
            organisation_ids=organisation_ids,
            with_reminders=with_reminders,
            people_as_ids=people_as_ids,
            owed_since_between=owed_since_between,
        )
        if not row.complete
    ]


def signatures_owed_since(
    *, statuses: dict, at: datetime.datetime | None = None, held_since: dict | None = None
) -> tuple[CharterVersion | None, dict[int, datetime.date]]:
    """For the organisations given with their statuses (those a person represents): the
    version in force and, for each that still owes its signature, since when (X4), as
    campaign_rows counts it; two queries besides the version, one when ``held_since``
    (organisation id -> since when it holds a status that owes, read with the person's
    representations) is given."""
    moment = at or timezone.now()
    version = charter_version_in_force(on=timezone.localdate(moment))
    owing = {pk: status for pk, status in statuses.items() if status in _SIGNATURE_OWING_STATUSES}
    if version is None or not owing:
        return version, {}
    since = held_since
    if since is None:
        since = organisations.statuses_held_since(
            organisation_ids=list(owing), statuses=_SIGNATURE_OWING_STATUSES, at=moment
        )
    signed: dict[int, list] = {}
    for signature in Signature.objects.filter(version=version, organisation_id__among=owing):
        signed.setdefault(signature.organisation_id, []).append(signature)
    owed = {}
    for pk, status in owing.items():
        scope = scope_required_for(status)
        if commitment_complete(version=version, scope=scope, signatures=signed.get(pk, [])):
            continue
        start = since.get(pk)
        owed[pk] = max(
            version.effective_date, timezone.localdate(start) if start else version.effective_date
        )
    return version, owed


def _resignature_reminders_sent(*, version: CharterVersion) -> dict[int, list]:
    """X4: the re-signature reminders the deadline engine sent for ``version``, one per
    step (offset) and organisation, in the order sent (charters/deadlines.py)."""
    prefix = f"charters.resignature:{version.pk}:org:"
    reminders: dict[int, list] = {}
    seen = set()
    for reminder in Reminder.objects.filter(
        kind="charters.resignature", deadline_key__startswith=prefix, status=ReminderStatus.SENT
    ).order_by("sent_at", "pk"):
        organisation_id = int(reminder.deadline_key.removeprefix(prefix))
        if (organisation_id, reminder.offset) in seen:
            continue  # one line per step, whatever the number of recipients
        seen.add((organisation_id, reminder.offset))
        reminders.setdefault(organisation_id, []).append(reminder)
    return reminders


# --- E2: how long the confidentiality commitment lasts ----------------------------------


def commitment_end_date(*, lost_on: datetime.date) -> datetime.date:
    """Charter art. 3.3 (E2): the ethics and confidentiality commitment lasts
    ``commitment_months_after_loss`` months (12 in V1 R001) after the loss of status,
    with the parameter of the version in force on the day of the loss."""
    months = charter_parameters(on=lost_on).commitment_months_after_loss
    return add_months(lost_on, months)


def charter_end_commitment_date(*, version: CharterVersion) -> datetime.date:
    """E2, other branch: 12 months after the end of the charter version itself."""
    return add_months(version.end_date, version.governance.commitment_months_after_loss)


def organisation_commitment_end_date(
    *, organisation, at: datetime.datetime | None = None
) -> datetime.date | None:
    """E2 for one organisation: the end of its commitment if it lost its status
    (member, partner or invitee → none), else None (the commitment still runs)."""
    moment = at or timezone.now()
    changes = organisations.status_changes_latest(organisation=organisation, at=moment, count=2)
    if len(changes) < 2 or changes[0].status != "none":
        return None
    if changes[1].status not in _SIGNATURE_OWING_STATUSES:
        return None
    return commitment_end_date(lost_on=timezone.localdate(changes[0].effective_at))


def person_signatures(*, user) -> QuerySet:
    """The signatures the person made themself (personal data export)."""
    return (
        Signature.objects.filter(signer=user)
        .select_related("version", "organisation")
        .order_by("signed_at", "id")
    )
