"""The sync of the organisers' check-in app (A2): actions queued on a phone, applied here.

The app records each action (a tap, a scanned personal code, a person who came without a
convocation) with an id of its own and the time it was made on the phone, queues it while
offline and sends the queue when the network returns (``views.checkin_sync``). Here:

- an id already received is a duplicate: nothing changes, however often the app resends it;
- the latest action on a person wins: one older than the person's latest check-in (from
  another phone, or the page) is kept as superseded and changes nothing; both stay in the
  audit trail;
- a bad action (unknown person, not convened, a code refused) is refused with its reason
  and the others are applied.

The number of queries does not grow with the number of actions (hundreds queue up at a
door without network): the stored ids, the participations and who is convened are read
at once, the changes written in bulk. Only a walk-in costs a few queries of its own.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log_many
from members.models import User

from . import selectors
from .audit_actions import ActivitiesAudit
from .checkin_codes import CheckinCodeRefused, checkin_code_read
from .constants import Attendance
from .exceptions import NotAnOrganiser
from .models import Activity, CheckinAction, Convocation, Participation
from .services import roster_lock

# At most this many actions per request (the app sends its queue in slices of this size).
MAX_ACTIONS = 500
# Attendances an action may set (the unrecorded state is not an action of the app).
SYNC_ATTENDANCES = (Attendance.PRESENT, Attendance.ABSENT, Attendance.EXCUSED)
# Ids per IN list: within the bound variables of old SQLite builds (999).
CHUNK = 500

APPLIED = CheckinAction.Outcome.APPLIED.value
SUPERSEDED = CheckinAction.Outcome.SUPERSEDED.value
DUPLICATE = "duplicate"
REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class SyncWalkIn:
    email: str
    first_name: str = ""
    last_name: str = ""
    organisation: int | None = None


@dataclass(slots=True)
class SyncAction:
    """One action as the app sent it, parsed (``forms.checkin_sync_actions``).

    ``refusal``: why the action cannot be applied as sent (an unreadable time, an invalid
    address), found while parsing; the sync refuses it with this message."""

    client_id: uuid.UUID
    at: datetime.datetime | None
    offline: bool = False
    person: int | None = None
    attendance: str = ""
    code: str | None = None
    walk_in: SyncWalkIn | None = None
    refusal: str = ""


@dataclass(slots=True)
class SyncOutcome:
    id: str
    outcome: str
    person: int | None = None
    attendance: str = ""
    error: str = ""

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class SyncResult:
    results: list[SyncOutcome]
    synced_at: datetime.datetime
    counts: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "results": [outcome.as_json() for outcome in self.results],
            "synced_at": self.synced_at.isoformat(),
            "counts": self.counts,
        }


def _chunks(values: list) -> list[list]:
    return [values[start : start + CHUNK] for start in range(0, len(values), CHUNK)] or [[]]


@dataclass(slots=True)
class _Pending:
    """An action being applied: its position in the request, its person, its attendance."""

    index: int
    action: SyncAction
    person: int | None = None
    attendance: str = ""
    walk_in_organisation: int | None = None
    outcome: str = ""
    error: str = ""


def _walk_in_person(*, activity: Activity, walk_in: SyncWalkIn) -> tuple[int, int | None]:
    """The person of a walk-in (an account without a password made for a new address, as
    ``services.attendance_add_walk_in``) and the organisation they represent; a refusal
    (``ValueError`` with the French message) for an organisation not convened."""
    organisation = walk_in.organisation
    if organisation is not None and not (
        Convocation.objects.filter(activity=activity, organisation_id=organisation).exists()
    ):
        raise ValueError(_("Cette entité n'est pas convoquée à cette activité."))
    email = User.objects.normalize_email(walk_in.email.strip())
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        # A person met at the door: an account without a password, to be claimed later.
        user = User.objects.create_user(
            email=email, first_name=walk_in.first_name, last_name=walk_in.last_name
        )
    if organisation is None:
        convened = selectors.convened_organisation(user=user, activity=activity)
        organisation = convened.pk if convened is not None else None
    return user.pk, organisation


@transaction.atomic
def checkin_sync(
    *,
    activity: Activity,
    actions: list[SyncAction],
    actor,
    now: datetime.datetime | None = None,
) -> SyncResult:
    """Apply the actions of the check-in app, once each, the latest on a person winning
    (A2); every action's outcome in the request's order and the roster's counts after."""
    now = now or timezone.now()
    if not selectors.can_organise(user=actor, activity=activity):
        raise NotAnOrganiser()
    # One sync of an activity at a time: a phone resending its queue while the first
    # request still runs waits, then finds every id stored (duplicates).
    roster_lock(activity)
    recorder = actor if getattr(actor, "pk", None) else None

    pending = [_Pending(index=index, action=action) for index, action in enumerate(actions)]
    stored: dict[uuid.UUID, int | None] = {}
    for ids in _chunks([action.client_id for action in actions]):
        if ids:
            stored.update(
                CheckinAction.objects.filter(activity=activity, client_id__in=ids).values_list(
                    "client_id", "person_id"
                )
            )
    seen: set[uuid.UUID] = set()
    for item in pending:
        action = item.action
        item.person = action.person
        if action.client_id in stored or action.client_id in seen:
            item.outcome = DUPLICATE
            item.person = stored.get(action.client_id, action.person)
            continue
        seen.add(action.client_id)
        if action.refusal:
            item.outcome, item.error = REFUSED, action.refusal
        elif action.code is not None:
            try:
                item.person = checkin_code_read(action.code, activity_id=activity.pk)
            except CheckinCodeRefused as refusal:
                item.outcome, item.error = REFUSED, str(refusal.message)
            item.attendance = Attendance.PRESENT
        elif action.walk_in is not None:
            item.attendance = Attendance.PRESENT
            try:
                item.person, item.walk_in_organisation = _walk_in_person(
                    activity=activity, walk_in=action.walk_in
                )
            except ValueError as refusal:
                item.outcome, item.error = REFUSED, str(refusal)
        elif action.attendance not in SYNC_ATTENDANCES:
            item.outcome, item.error = REFUSED, _("Statut de présence inconnu.")
        else:
            item.attendance = action.attendance
        if not item.outcome and not (item.person and 0 < item.person < 2**31):
            item.outcome, item.error = REFUSED, _("Personne inconnue.")
            item.person = None

    people = {item.person for item in pending if item.person}
    participations: dict[int, Participation] = {}
    for ids in _chunks(sorted(people)):
        if ids:
            participations.update(
                (participation.user_id, participation)
                for participation in Participation.objects.select_for_update().filter(
                    activity=activity, user_id__in=ids
                )
            )
    to_apply = [item for item in pending if not item.outcome]
    newcomers = {
        item.person
        for item in to_apply
        if item.person not in participations and item.action.walk_in is None
    }
    roster, existing = (
        selectors.convened_roster(activity=activity, people=newcomers) if newcomers else ({}, set())
    )

    created: dict[int, Participation] = {}
    changed: dict[int, Participation] = {}
    # The actions in the order they were made on the phones: the latest decides.
    for item in sorted(to_apply, key=lambda item: (item.action.at, item.index)):
        participation = participations.get(item.person) or created.get(item.person)
        if participation is None:
            if item.action.walk_in is not None:
                organisation, walk_in = item.walk_in_organisation, True
            elif item.person in roster:
                organisation, walk_in = roster[item.person], False
            else:
                item.outcome = REFUSED
                if item.person in existing:
                    item.error = _(
                        "Cette personne n'est pas convoquée : ajoutez-la comme participant "
                        "sans convocation."
                    )
                else:
                    item.error = _("Personne inconnue.")
                    item.person = None
                continue
            participation = created[item.person] = Participation(
                activity=activity,
                user_id=item.person,
                organisation_id=organisation,
                is_walk_in=walk_in,
            )
        at = min(item.action.at, now)
        if participation.recorded_at is not None and at < participation.recorded_at:
            item.outcome = SUPERSEDED
            continue
        item.outcome = APPLIED
        participation.attendance = item.attendance
        participation.recorded_by = recorder
        participation.recorded_at = at
        participation.recorded_offline = item.action.offline
        if participation.pk is not None:
            changed[participation.pk] = participation

    if created:
        Participation.objects.bulk_create(list(created.values()))
    if changed:
        Participation.objects.bulk_update(
            list(changed.values()),
            ["attendance", "recorded_by", "recorded_at", "recorded_offline"],
        )
    kept = [item for item in pending if item.outcome in (APPLIED, SUPERSEDED)]
    if kept:
        CheckinAction.objects.bulk_create(
            [
                CheckinAction(
                    activity=activity,
                    client_id=item.action.client_id,
                    person_id=item.person,
                    attendance=item.attendance,
                    acted_at=min(item.action.at, now),
                    received_at=now,
                    actor=recorder,
                    offline=item.action.offline,
                    outcome=item.outcome,
                    walk_in=item.action.walk_in is not None,
                )
                for item in kept
            ]
        )
        audit_log_many(
            [_audit_entry(item, participations, created, now) for item in kept],
            actor=actor,
            now=now,
        )

    results = []
    for item in pending:
        participation = participations.get(item.person) or created.get(item.person)
        results.append(
            SyncOutcome(
                id=str(item.action.client_id),
                outcome=item.outcome,
                person=item.person,
                attendance=participation.attendance if participation is not None else "",
                error=str(item.error) if item.outcome == REFUSED else "",
            )
        )
    return SyncResult(
        results=results, synced_at=now, counts=selectors.checkin_counts_of(activity=activity)
    )


def _audit_entry(item: _Pending, participations, created, now) -> dict:
    """The action in the audit trail, ids only (never the person's name or address), as
    ``services._attendance_audit`` with the app's id, the phone's time and the outcome."""
    participation = participations.get(item.person) or created[item.person]
    if item.outcome == SUPERSEDED:
        action = ActivitiesAudit.PARTICIPATION_CHECKIN_SUPERSEDED
    elif item.action.walk_in is not None:
        action = ActivitiesAudit.PARTICIPATION_WALK_IN
    else:
        action = ActivitiesAudit.PARTICIPATION_CHECKED_IN
    return {
        "action": action,
        "target": participation,
        "data": {
            "activity": participation.activity_id,
            "user": participation.user_id,
            "organisation": participation.organisation_id,
            "attendance": item.attendance,
            "client_id": str(item.action.client_id),
            "at": min(item.action.at, now).isoformat(),
            "offline": item.action.offline,
            "outcome": item.outcome,
        },
    }


__all__ = [
    "MAX_ACTIONS",
    "SYNC_ATTENDANCES",
    "SyncAction",
    "SyncOutcome",
    "SyncResult",
    "SyncWalkIn",
    "checkin_sync",
]
