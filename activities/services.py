"""Writes of activities: convocations, registration, check-in, imports, ratios, minutes."""

import datetime
import os
from collections.abc import Iterable

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from charters.selectors import charter_parameters
from core.audit import audit_log
from core.queue import task_enqueue
from core.roles import is_copil
from core.uploads import content_starts_with
from members.constants import Status, StatusReason
from members.models import Invitation, Organisation, User
from members.selectors import organisation_list_with_status, organisation_status

from . import selectors
from .audit_actions import ActivitiesAudit
from .constants import (
    MINUTES_EXTENSIONS,
    MINUTES_MAX_BYTES,
    Attendance,
    ConvenedScope,
    ConvocationSource,
    Registration,
)
from .convocation_notices import convocation_notices_queue
from .exceptions import (
    ActivitiesError,
    ActivityCancelled,
    ActivityChangeRefused,
    NotAnOrganiser,
    NotConvened,
    OrganisationDeparted,
    RegistrationClosed,
)
from .hooks import activity_change_check, activity_change_follow
from .models import (
    Activity,
    AttendanceRatio,
    CalendarToken,
    Convocation,
    Minutes,
    Participation,
    new_calendar_token,
)


def activity_check_place(*, activity: Activity) -> None:
    """A1: a place in the Grand Est, or an online link."""
    if not activity.place and not activity.online_url:
        raise ValidationError(_("Indiquez un lieu en Grand Est ou un lien de visioconférence."))
    if activity.place:
        departments = charter_parameters(on=selectors.activity_day(activity)).grand_est_departments
        if activity.postcode[:2] not in departments or len(activity.postcode) != 5:
            raise ValidationError(
                {"postcode": _("Le lieu d'une activité doit être en région Grand Est.")}
            )


@transaction.atomic
def activity_create(
    *,
    actor=None,
    organisers: Iterable = (),
    invited_organisations: Iterable = (),
    invited_people: Iterable = (),
    now: datetime.datetime | None = None,
    **fields,
) -> Activity:
    activity = Activity(**fields)
    activity.full_clean()
    activity_check_place(activity=activity)
    activity.save()
    activity.organisers.set(organisers)
    activity.invited_organisations.set(invited_organisations)
    activity.invited_people.set(invited_people)
    activity_convocations_sync(activity=activity, now=now)
    audit_log(
        action=ActivitiesAudit.ACTIVITY_CREATED,
        actor=actor,
        target=activity,
        data={"title": activity.title, "kind": activity.kind},
        now=now,
    )
    return activity


# The fields of an activity ``activity_update`` changes; organisers and invitations are
# many-to-many relations set by the caller, then ``activity_convocations_sync``.
ACTIVITY_UPDATABLE_FIELDS = frozenset(
    {
        "kind", "title", "description", "is_public", "starts_at", "ends_at", "place",
        "postcode", "city", "online_url", "convened_scope",
    }
)  # fmt: skip


# What a calendar event shows: a change raises the activity's SEQUENCE (RFC 5545).
CALENDAR_FIELDS = frozenset(
    {"title", "description", "starts_at", "ends_at", "place", "postcode", "city", "online_url"}
)


def activity_update_check(
    *,
    activity: Activity,
    starts_at: datetime.datetime,
    kind: str,
    now: datetime.datetime | None = None,
) -> None:
    """The rules other apps hold on an activity's date and kind (the election at a
    plenary, V9-V11; the revision vote, X4): ``ActivityChangeRefused`` with the reason.
    ``activity`` is the activity as stored; forms call this to show the reason."""
    if activity.pk is None:
        return
    activity_change_check(
        activity=activity, starts_at=starts_at, kind=kind, now=now or timezone.now()
    )


def activity_edit_check(*, activity: Activity, actor, now: datetime.datetime | None = None) -> None:
    """A1, A2: a cancelled activity no longer changes; once it has started, what it was
    is a record (its attendance counts in the ratios, A3): only the COPIL corrects it.
    ``ActivityChangeRefused`` with the reason; the organisers' page asks before its form."""
    now = now or timezone.now()
    if activity.is_cancelled:
        raise ActivityChangeRefused(_("L'activité est annulée : elle ne se modifie plus."))
    if activity.starts_at <= now and not is_copil(actor):
        raise ActivityChangeRefused(
            _(
                "L'activité a commencé : elle ne se modifie plus (seul le COPIL peut la "
                "corriger). Les présences se pointent sur sa page de pointage."
            )
        )


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    actor,
    organisers: Iterable | None = None,
    invited_organisations: Iterable | None = None,
    now: datetime.datetime | None = None,
    **fields,
) -> Activity:
    """Change an activity: the other apps' rules are checked under lock before saving
    (``activity_update_check``) and followed after (an election's date is its plenary's
    day, V9), in one transaction. ``organisers`` and ``invited_organisations``, when
    given, replace the activity's (None: unchanged)."""
    now = now or timezone.now()
    unknown = set(fields) - ACTIVITY_UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"activity_update() cannot change {sorted(unknown)}")
    stored = Activity.objects.select_for_update().get(pk=activity.pk)
    previous_starts_at, previous_kind = stored.starts_at, stored.kind
    activity_update_check(
        activity=stored,
        starts_at=fields.get("starts_at", stored.starts_at),
        kind=fields.get("kind", stored.kind),
        now=now,
    )
    activity_edit_check(activity=stored, actor=actor, now=now)
    changed = sorted(name for name, value in fields.items() if getattr(stored, name) != value)
    if organisers is not None:
        wanted = {user.pk for user in organisers}
        if wanted != set(stored.organisers.values_list("pk", flat=True)):
            stored.organisers.set(wanted)
            changed.append("organisers")
    if invited_organisations is not None:
        wanted = {organisation.pk for organisation in invited_organisations}
        if wanted != set(stored.invited_organisations.values_list("pk", flat=True)):
            stored.invited_organisations.set(wanted)
            changed.append("invited_organisations")
    changed.sort()
    for name, value in fields.items():
        setattr(stored, name, value)
    if CALENDAR_FIELDS & set(changed):
        stored.sequence += 1
    stored.full_clean()
    activity_check_place(activity=stored)
    stored.save()
    activity_change_follow(
        activity=stored,
        previous_starts_at=previous_starts_at,
        previous_kind=previous_kind,
        actor=actor,
        now=now,
    )
    if changed:
        data: dict = {"fields": changed}
        if "starts_at" in changed:
            data["starts_at"] = [previous_starts_at.isoformat(), stored.starts_at.isoformat()]
        audit_log(
            action=ActivitiesAudit.ACTIVITY_UPDATED, actor=actor, target=stored, data=data, now=now
        )
    if {"starts_at", "convened_scope", "invited_organisations"} & set(changed):
        activity_convocations_sync(activity=stored, now=now)  # "all members" at the new date
    return stored


@transaction.atomic
def activity_cancel(*, activity: Activity, actor, now: datetime.datetime | None = None) -> Activity:
    """Cancel an activity that has not started. It stays listed and in the calendars,
    marked cancelled (so that calendar software removes it), and no longer counts in the
    attendance ratios (A3: it was not organised). Cancelling it again changes nothing."""
    now = now or timezone.now()
    stored = Activity.objects.select_for_update().get(pk=activity.pk)
    if stored.is_cancelled:
        return stored
    if stored.starts_at <= now:
        raise ActivityChangeRefused(_("L'activité a commencé : elle ne peut plus être annulée."))
    stored.cancelled_at = now
    stored.sequence += 1
    stored.save(update_fields=["cancelled_at", "sequence", "updated_at"])
    audit_log(
        action=ActivitiesAudit.ACTIVITY_CANCELLED,
        actor=actor,
        target=stored,
        data={"title": stored.title, "starts_at": stored.starts_at.isoformat()},
        now=now,
    )
    return stored


@transaction.atomic
def activity_convocations_sync(*, activity: Activity, now: datetime.datetime | None = None) -> int:
    """Materialise who is convened (A1, A3): one Convocation row per organisation.

    "All members" means the members at the activity's start; for a future
    activity that set may still change, so the ratio job syncs each activity
    again once it has started (``activity_convocations_sync_held``).
    """
    now = now or timezone.now()
    wanted: dict[int, str] = {}
    if activity.convened_scope == ConvenedScope.ALL_MEMBERS:
        members = organisation_list_with_status(at=activity.starts_at).filter(
            current_status=Status.MEMBER
        )
        wanted.update(
            dict.fromkeys(members.values_list("pk", flat=True), ConvocationSource.ALL_MEMBERS)
        )
    for pk in activity.invited_organisations.values_list("pk", flat=True):
        wanted.setdefault(pk, ConvocationSource.NAMED)
    existing = dict(activity.convocations.values_list("organisation_id", "source"))
    activity.convocations.exclude(organisation_id__in=list(wanted)).delete()
    for source in set(ConvocationSource.values):
        changed = [
            pk
            for pk, value in wanted.items()
            if value == source and existing.get(pk, source) != source
        ]
        if changed:
            activity.convocations.filter(organisation_id__in=changed).update(source=source)
    Convocation.objects.bulk_create(
        [
            Convocation(activity=activity, organisation_id=pk, source=source)
            for pk, source in wanted.items()
            if pk not in existing
        ],
        ignore_conflicts=True,
    )
    Activity.objects.filter(pk=activity.pk).update(convocations_synced_at=now)
    activity.convocations_synced_at = now
    convocation_notices_queue(activity=activity, now=now)  # A2: their check-in codes
    return len(wanted)


def activity_convocations_sync_held(*, now: datetime.datetime | None = None) -> int:
    """Fix the convened members of "all members" activities that started since their last sync."""
    now = now or timezone.now()
    pending = Activity.objects.filter(
        convened_scope=ConvenedScope.ALL_MEMBERS, starts_at__lte=now
    ).filter(Q(convocations_synced_at__isnull=True) | Q(convocations_synced_at__lt=F("starts_at")))
    count = 0
    for activity in pending:
        activity_convocations_sync(activity=activity, now=now)
        count += 1
    return count


def _check_organiser(*, actor, activity: Activity) -> None:
    if not selectors.can_organise(user=actor, activity=activity):
        raise NotAnOrganiser()


def roster_lock(activity: Activity) -> None:
    """The writers of an activity's check-ins (a tap on the page, a walk-in, a sheet, the
    app's sync) one at a time, in the transaction that writes: each finds the people the
    others recorded, so two never create the same person's participation at once."""
    Activity.objects.select_for_update().filter(pk=activity.pk).values_list("pk").first()


def departed_message(departure) -> str:
    """S2, L5: why a representative of an organisation that lost its status may no longer
    register (``departure``: the StatusChange to "none")."""
    return _(
        "%(name)s a quitté la COS-GE le %(date)s (%(reason)s) : ses représentants ne sont "
        "plus convoqués aux activités et ne peuvent plus s'y inscrire."
    ) % {
        "name": departure.organisation.legal_name,
        "date": timezone.localtime(departure.effective_at).strftime("%d/%m/%Y"),
        "reason": StatusReason(departure.reason).label.lower(),
    }


@transaction.atomic
def participation_register(
    *, activity: Activity, user, coming: bool, now: datetime.datetime | None = None
) -> Participation:
    """A convened person says whether they will come; organisers see the expected list."""
    now = now or timezone.now()
    if activity.is_cancelled:
        raise ActivityCancelled()
    if activity.starts_at <= now:
        raise RegistrationClosed()
    organisation = selectors.convened_organisation(user=user, activity=activity)
    if (
        organisation is not None
        and organisation_status(organisation=organisation, at=now) == Status.NONE
    ):
        organisation = None  # S2, L5: an organisation without a status has no convocation
    if organisation is None and not activity.invited_people.filter(pk=user.pk).exists():
        departure = selectors.departed_organisation_change(user=user, at=now)
        if departure is not None:
            raise OrganisationDeparted(departed_message(departure))
        raise NotConvened()
    participation, _created = Participation.objects.select_for_update().get_or_create(
        activity=activity, user=user, defaults={"organisation": organisation}
    )
    participation.registration = Registration.COMING if coming else Registration.NOT_COMING
    participation.registered_at = now
    participation.save(update_fields=["registration", "registered_at"])
    return participation


@transaction.atomic
def attendance_record(
    *,
    activity: Activity,
    user,
    attendance: str,
    actor,
    now: datetime.datetime | None = None,
) -> Participation:
    """An organiser marks one person present, absent or excused (A2).

    The person counts for the convened organisation they represent at the
    activity's date; a named expert counts for none.
    """
    now = now or timezone.now()
    _check_organiser(actor=actor, activity=activity)
    roster_lock(activity)
    if attendance not in Attendance.values:
        raise ActivitiesError(_("Statut de présence inconnu."))
    recorded = {
        "attendance": attendance,
        "recorded_by": actor if getattr(actor, "pk", None) else None,
        "recorded_at": now,
        "recorded_offline": False,  # on the page, online (the app's sync says otherwise)
    }
    participation = (
        Participation.objects.select_for_update().filter(activity=activity, user=user).first()
    )
    created = False
    if participation is None:
        organisation = selectors.convened_organisation(user=user, activity=activity)
        if organisation is None and not activity.invited_people.filter(pk=user.pk).exists():
            raise NotConvened(
                _(
                    "Cette personne n'est pas convoquée : ajoutez-la comme participant sans convocation."
                )
            )
        # The first tap for this person: one insert with the attendance (the phone waits).
        participation, created = Participation.objects.get_or_create(
            activity=activity, user=user, defaults={"organisation": organisation, **recorded}
        )
    if not created:
        for name, value in recorded.items():
            setattr(participation, name, value)
        participation.save(update_fields=list(recorded))
    _attendance_audit(ActivitiesAudit.PARTICIPATION_CHECKED_IN, participation, actor, now)
    return participation


def _attendance_audit(action, participation: Participation, actor, now) -> None:
    """The check-in in the audit trail: who marked whom, for which activity and
    organisation; ids only, never the person's name or address."""
    audit_log(
        action=action,
        actor=actor,
        target=participation,
        data={
            "activity": participation.activity_id,
            "user": participation.user_id,
            "organisation": participation.organisation_id,
            "attendance": participation.attendance,
        },
        now=now,
    )


@transaction.atomic
def attendance_add_walk_in(
    *,
    activity: Activity,
    email: str,
    first_name: str = "",
    last_name: str = "",
    organisation: Organisation | None = None,
    actor,
    now: datetime.datetime | None = None,
) -> Participation:
    """A person who was not convened came: recorded present (A2)."""
    now = now or timezone.now()
    _check_organiser(actor=actor, activity=activity)
    roster_lock(activity)
    email = User.objects.normalize_email(email.strip())
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        # A person met at the door: an account without a password, to be claimed later.
        user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
    if organisation is None:
        organisation = selectors.convened_organisation(user=user, activity=activity)
    participation, created = Participation.objects.select_for_update().get_or_create(
        activity=activity,
        user=user,
        defaults={"organisation": organisation, "is_walk_in": True},
    )
    if not created and participation.attendance == Attendance.PRESENT:
        raise ActivitiesError(_("Cette personne est déjà pointée présente."))
    participation.attendance = Attendance.PRESENT
    participation.recorded_by = actor if getattr(actor, "pk", None) else None
    participation.recorded_at = now
    participation.recorded_offline = False
    participation.save(
        update_fields=["attendance", "recorded_by", "recorded_at", "recorded_offline"]
    )
    _attendance_audit(ActivitiesAudit.PARTICIPATION_WALK_IN, participation, actor, now)
    return participation


@transaction.atomic
def attendance_import(
    *, activity: Activity, rows: list, actor, now: datetime.datetime | None = None
) -> int:
    """Apply a checked attendance sheet at once: all lines or none (A2), in the same
    queries however many lines (a plenary's sheet holds thousands)."""
    now = now or timezone.now()
    _check_organiser(actor=actor, activity=activity)
    roster_lock(activity)  # no other write to the activity's attendances until the commit
    latest = {row.user.pk: row for row in rows}  # a person twice: the last line decides
    participations = {
        participation.user_id: participation
        for participation in Participation.objects.filter(
            activity=activity, user_id__among=list(latest)
        )
    }
    newcomers = set(latest) - set(participations)
    roster, _existing = (
        selectors.convened_roster(activity=activity, people=newcomers) if newcomers else ({}, set())
    )
    recorder = actor if getattr(actor, "pk", None) else None
    created, changed = [], []
    for user_id, row in latest.items():
        participation = participations.get(user_id)
        if participation is None:
            participation = Participation(
                activity=activity,
                user_id=user_id,
                organisation_id=roster.get(user_id),
                is_walk_in=user_id not in roster,
            )
            created.append(participation)
        else:
            changed.append(participation)
        participation.attendance = row.attendance
        participation.recorded_by = recorder
        participation.recorded_at = now
        participation.recorded_offline = False
    Participation.objects.bulk_create(created)
    Participation.objects.bulk_update(
        changed, ["attendance", "recorded_by", "recorded_at", "recorded_offline"]
    )
    audit_log(
        action=ActivitiesAudit.ATTENDANCE_IMPORTED,
        actor=actor,
        target=activity,
        data={"lines": len(rows)},
        now=now,
    )
    return len(rows)


def attendance_ratios_compute(*, now: datetime.datetime | None = None) -> int:
    """Snapshot every member's attended / convened ratio over the rolling window (A3, A4).

    Window: activities that started at or after ``now`` minus the charter's
    window (an activity exactly that many months old counts) and strictly before
    ``now`` (future activities never count). A member counts only the convocations
    since it became a member (A3): an activity it was convened to as an invitee or
    applicant does not count, so its window starts at its membership when that is
    later; the snapshot's ``window_start`` is that organisation's own start. An
    organisation attended when at least one of its people was recorded present (A2);
    excused is not attended.

    One INSERT ... SELECT ... ON CONFLICT statement does the whole computation in
    the database: the same snapshot computed twice, even at the same time, is
    overwritten, never duplicated. Returns the number of members snapshotted.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    parameters = charter_parameters(on=today)
    window_start = now - relativedelta(months=parameters.attendance_window_months)
    activity_convocations_sync_held(now=now)

    counts_sql, params = selectors.attendance_ratio_counts_query(now=now, window_start=window_start)
    table = AttendanceRatio._meta.db_table
    qn = connection.ops.quote_name
    columns = ", ".join(
        qn(c)
        for c in (
            "organisation_id", "convened", "attended", "date", "window_start",
            "window_end", "threshold_percent", "computed_at",
        )
    )  # fmt: skip
    updated = (
        "convened",
        "attended",
        "window_start",
        "window_end",
        "threshold_percent",
        "computed_at",
    )
    sql = (
        # Only quoted identifiers and the selector's SQL are interpolated; values are parameters.
        f"INSERT INTO {qn(table)} ({columns}) "  # noqa: S608  # nosec B608
        "SELECT counts.organisation_id, counts.convened, counts.attended, %(today)s, "
        "counts.counted_from, %(computed_at)s, %(threshold)s, %(computed_at)s "
        f"FROM ({counts_sql}) counts "
        # SQLite reads ON CONFLICT after a bare FROM as a join's constraint.
        "WHERE 1 = 1 "
        f"ON CONFLICT ({qn('organisation_id')}, {qn('date')}) DO UPDATE SET "
        + ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in updated)
    )
    params.update(
        today=connection.ops.adapt_datefield_value(today),
        computed_at=connection.ops.adapt_datetimefield_value(now),
        threshold=parameters.attendance_threshold_percent,
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            count = cursor.rowcount
        # Today's rows this run did not write: organisations that stopped being members
        # since an earlier run today (a later concurrent run's rows are newer: kept).
        AttendanceRatio.objects.filter(date=today, computed_at__lt=now).delete()
    return count


def attendance_ratios_request(*, actor, now: datetime.datetime | None = None) -> None:
    """The COPIL asks for a recomputation now (A4): queued after the commit."""
    from .tasks import attendance_ratios_compute_task

    audit_log(action=ActivitiesAudit.RATIOS_REQUESTED, actor=actor, now=now)
    task_enqueue(attendance_ratios_compute_task)


def minutes_check_file(upload) -> None:
    """W3 uploads: PDF, ODT or DOCX by content, at most MINUTES_MAX_BYTES."""
    extension = os.path.splitext(upload.name)[1].lower()
    signature = MINUTES_EXTENSIONS.get(extension)
    if signature is None:
        raise ActivitiesError(_("Le compte rendu doit être un fichier PDF, ODT ou DOCX."))
    if upload.size > MINUTES_MAX_BYTES:
        raise ActivitiesError(
            _("Le fichier dépasse la taille maximale de %(size)s.")
            % {"size": filesizeformat(MINUTES_MAX_BYTES)}
        )
    if not content_starts_with(upload, signature):
        raise ActivitiesError(_("Le contenu du fichier ne correspond pas à son extension."))


@transaction.atomic
def minutes_save(
    *, activity: Activity, text: str = "", file=None, actor, now: datetime.datetime | None = None
) -> Minutes:
    _check_organiser(actor=actor, activity=activity)
    if file is not None:
        minutes_check_file(file)
    minutes = Minutes.objects.select_for_update().filter(activity=activity).first() or Minutes(
        activity=activity
    )
    if not text.strip() and file is None and not minutes.file:
        raise ActivitiesError(_("Saisissez le texte du compte rendu ou joignez un fichier."))
    minutes.text = text
    minutes.uploaded_by = actor if getattr(actor, "pk", None) else None
    if file is not None:
        if minutes.file:
            minutes.file.delete(save=False)
        minutes.file.save(os.path.basename(file.name), file, save=False)
    minutes.save()
    audit_log(action=ActivitiesAudit.MINUTES_SAVED, actor=actor, target=activity, now=now)
    return minutes


@transaction.atomic
def calendar_token_regenerate(*, user) -> CalendarToken:
    """A new secret for the private feed; the previous URL stops working at once."""
    token, created = CalendarToken.objects.select_for_update().get_or_create(user=user)
    if not created:
        token.token = new_calendar_token()
        token.save(update_fields=["token", "created_at"])
    return token


def calendar_token_get_or_create(*, user) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def organisation_convocations_withdraw(
    *, organisation: Organisation, actor=None, now: datetime.datetime | None = None
) -> dict[str, int]:
    """Charter art. 3.4 last § and 4 last § (S2, L5): an organisation that loses its
    status leaves the activities to come the same day: its convocations, its naming
    among the convened organisations and its representatives' registrations in its name.
    The activities that have started keep all of it (history and attendance ratios, A3).
    A representative invited in their own name stays invited, for no organisation."""
    now = now or timezone.now()
    upcoming = Activity.objects.filter(starts_at__gt=now)
    convocations, _count = Convocation.objects.filter(
        organisation=organisation, activity__in=upcoming
    ).delete()
    named = Activity.invited_organisations.through.objects.filter(
        organisation=organisation, activity__in=upcoming
    ).delete()[0]
    registrations = Participation.objects.filter(organisation=organisation, activity__in=upcoming)
    kept = registrations.filter(activity__invited_people=F("user")).update(organisation=None)
    withdrawn, _count = registrations.delete()  # those kept no longer name the organisation
    counts = {
        "convocations": convocations,
        "named": named,
        "registrations": withdrawn,
        "registrations_kept_in_own_name": kept,
    }
    if any(counts.values()):
        audit_log(
            action=ActivitiesAudit.CONVOCATIONS_WITHDRAWN,
            actor=actor,
            target=organisation,
            data=counts,
            now=now,
        )
    return counts


@transaction.atomic
def invitation_convene(
    *, invitation: Invitation, actor=None, now: datetime.datetime | None = None
) -> list[Activity]:
    """Charter art. 5 (I1): an invitation the COPIL validates convenes the guest to the
    activities it names, without the organiser naming them again. Only the activities
    still to come whose day falls within the invitation's period are concerned: those
    held keep their history, and the invitee status ends with the period.

    An invited organisation is named among the activity's convened organisations and
    the convocations are synced; its representatives register in its name. A person
    invited in their own name is named among the invited people if they have an active
    account under the guest's address; without one nobody is convened (the guest
    accepts art. 3.3 without an account). Returns the activities convened to."""
    now = now or timezone.now()
    person = None
    if invitation.organisation_id is None:
        person = User.objects.filter(email__iexact=invitation.guest_email, is_active=True).first()
        if person is None:
            return []
    named = [
        activity
        for activity in Activity.objects.select_for_update()
        .filter(pk__in=invitation.activities.values("pk"), starts_at__gt=now)
        .order_by("starts_at", "pk")
        if invitation.starts_on <= selectors.activity_day(activity) <= invitation.ends_on
    ]
    for activity in named:
        if person is not None:
            activity.invited_people.add(person)
            convocation_notices_queue(activity=activity, now=now)  # A2: their check-in code
        else:
            activity.invited_organisations.add(invitation.organisation_id)
            activity_convocations_sync(activity=activity, now=now)
    if named:
        audit_log(
            action=ActivitiesAudit.INVITEE_CONVENED,
            actor=actor,
            target=invitation,
            data={
                "activities": [activity.pk for activity in named],
                "organisation": invitation.organisation_id,
                "user": person.pk if person is not None else None,
            },
            now=now,
        )
    return named
