"""Reads of activities: lists, rosters, ratios, with a constant number of queries."""

import datetime
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.roles import is_copil, user_role_names
from members.constants import Role, Status
from members.models import Organisation, StatusChange, User
from members.selectors import (
    active_representatives,
    organisation_list_with_status,
    organisation_status,
)

from .constants import Attendance, Registration
from .models import Activity, AttendanceRatio, Convocation, Minutes, Participation


def is_organiser(user) -> bool:
    """Member of the "Organisateurs" group or of the COPIL: may organise any activity."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool({Role.COPIL, Role.ORGANISERS} & user_role_names(user))


def can_organise(*, user, activity: Activity) -> bool:
    """Organisers of the activity, the "Organisateurs" group and the COPIL record attendance (A2)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_organiser(user):
        return True
    return activity.organisers.filter(pk=user.pk).exists()


def can_create_activity(user) -> bool:
    """The "Organisateurs" group and the COPIL create activities (A1) from the site."""
    return is_organiser(user)


def can_edit_activity(*, user, activity: Activity) -> bool:
    """The COPIL edits every activity; an organiser only those they organise (A1)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or is_copil(user):
        return True
    return activity.organisers.filter(pk=user.pk).exists()


def organiser_candidates() -> QuerySet:
    """Who may be named organiser of an activity: the "Organisateurs" group and the COPIL."""
    return (
        User.objects.filter(groups__name__in=[Role.COPIL, Role.ORGANISERS], is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def activity_day(activity: Activity) -> datetime.date:
    return timezone.localdate(activity.starts_at)


def convened_activities_q(*, user) -> Q:
    """Activities a person is convened to: named, or representing a convened organisation."""
    today = timezone.localdate()
    representing = active_representatives(on=today).filter(user=user).values("organisation_id")
    return Q(invited_people=user) | Q(
        Exists(
            Convocation.objects.filter(activity=OuterRef("pk"), organisation_id__in=representing)
        )
    )


def activity_list(*, user=None) -> QuerySet:
    """Public activities; a signed-in person also sees those they are convened to or organise."""
    queryset = Activity.objects.all()
    if not getattr(user, "is_authenticated", False):
        queryset = queryset.filter(is_public=True)
    elif not is_organiser(user):
        queryset = queryset.filter(
            Q(is_public=True) | Q(organisers=user) | convened_activities_q(user=user)
        ).distinct()
    return queryset.order_by("starts_at")


def activity_upcoming_list(*, user=None, now=None) -> QuerySet:
    now = now or timezone.now()
    return activity_list(user=user).filter(ends_at__gte=now)


def activity_get(*, pk: int, user=None) -> Activity:
    """One activity the person may see; DoesNotExist otherwise."""
    return activity_list(user=user).prefetch_related("organisers").get(pk=pk)


def convened_organisation(*, user, activity: Activity) -> Organisation | None:
    """The convened organisation the person represents at the activity's date, if any."""
    representation = (
        active_representatives(on=activity_day(activity))
        .filter(user=user, organisation__convocations__activity=activity)
        .select_related("organisation")
        .order_by("organisation__legal_name")
        .first()
    )
    return representation.organisation if representation else None


# Ids per IN list: within the bound variables of old SQLite builds (999).
_IDS_PER_QUERY = 500


def convened_roster(
    *, activity: Activity, people: Iterable[int]
) -> tuple[dict[int, int | None], set[int]]:
    """Of ``people`` (user ids, who have no participation yet): those on the roster, with
    the convened organisation they represent (``convened_organisation``'s: the first by
    name; None for a person invited in their own name), and those who exist at all.
    Three queries per slice of _IDS_PER_QUERY ids, whatever their number."""
    organisations: dict[int, tuple[str, int]] = {}
    invited: set[int] = set()
    existing: set[int] = set()
    day = activity_day(activity)
    ordered = sorted(people)
    for start in range(0, len(ordered), _IDS_PER_QUERY):
        ids = ordered[start : start + _IDS_PER_QUERY]
        representations = (
            active_representatives(on=day)
            .filter(user_id__in=ids, organisation__convocations__activity=activity)
            .order_by()
            .values_list("user_id", "organisation_id", "organisation__legal_name")
        )
        for user_id, organisation_id, name in representations:
            if user_id not in organisations or (name, organisation_id) < organisations[user_id]:
                organisations[user_id] = (name, organisation_id)
        invited.update(activity.invited_people.filter(pk__in=ids).values_list("pk", flat=True))
        existing.update(User.objects.filter(pk__in=ids).values_list("pk", flat=True))
    roster: dict[int, int | None] = dict.fromkeys(invited)
    roster.update({user_id: pair[1] for user_id, pair in organisations.items()})
    return roster, existing


def departed_organisation_change(*, user, at: datetime.datetime | None = None):
    """S2, L5: how an organisation the person still represents lost its status (its
    latest StatusChange, to "none"), the latest first; None when none of theirs did."""
    moment = at or timezone.now()
    representing = (
        active_representatives(on=timezone.localdate(moment))
        .filter(user=user)
        .values("organisation_id")
    )
    departed = (
        organisation_list_with_status(at=moment)
        .filter(pk__in=representing, current_status=Status.NONE)
        .values("pk")
    )
    return (
        StatusChange.objects.filter(
            organisation_id__in=departed, status=Status.NONE, effective_at__lte=moment
        )
        .select_related("organisation")
        .order_by("-effective_at", "-id")
        .first()
    )


def is_convened(*, user, activity: Activity) -> bool:
    if activity.invited_people.filter(pk=user.pk).exists():
        return True
    return convened_organisation(user=user, activity=activity) is not None


def is_on_roster(*, user, activity: Activity) -> bool:
    """On the activity's check-in roster (A2, ``checkin_people``): convened (a representative
    of a convened organisation at its date, or named), or with a participation."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        is_convened(user=user, activity=activity)
        or Participation.objects.filter(activity=activity, user=user).exists()
    )


def roster_user_ids(*, activity: Activity) -> set[int]:
    """The ids of the people on the activity's check-in roster (``checkin_people``) who can
    receive a mail: active accounts with an address. Three queries of ids."""
    people = User.objects.filter(is_active=True).exclude(email="")
    representatives = active_representatives(on=activity_day(activity)).filter(
        organisation__convocations__activity=activity
    )
    ids = set(people.filter(pk__in=representatives.values("user_id")).values_list("pk", flat=True))
    ids.update(activity.invited_people.filter(pk__in=people).values_list("pk", flat=True))
    ids.update(
        people.filter(pk__in=activity.participations.values("user_id")).values_list("pk", flat=True)
    )
    return ids


@dataclass(slots=True)
class CheckinPerson:
    """One person on the check-in page, in plain values (A2)."""

    id: int
    first_name: str
    last_name: str
    email: str
    organisation_id: int | None
    organisation: str
    registration: str = Registration.UNKNOWN
    attendance: str = Attendance.UNRECORDED
    is_walk_in: bool = False

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


def checkin_people(*, activity: Activity, ordered: bool = True) -> list[CheckinPerson]:
    """The check-in roster in plain values: convened representatives, named persons and
    walk-ins, expected people first, then by name (``ordered=False``: in no order, for a
    search that orders only what it finds).

    Three queries of values whatever the number of people (A2, check-in page).
    """
    people: dict[int, CheckinPerson] = {}
    representatives = (
        active_representatives(on=activity_day(activity))
        .filter(organisation__convocations__activity=activity)
        .order_by()
        .values_list(
            "user_id",
            "user__first_name",
            "user__last_name",
            "user__email",
            "organisation_id",
            "organisation__legal_name",
        )
    )
    for user_id, first, last, email, organisation_id, organisation in representatives:
        person = people.get(user_id)
        # Someone representing two convened organisations: the first by name, as the
        # sign-in sheet (no ORDER BY: sorting every row by name costs more than this).
        if person is None or (organisation, organisation_id) < (
            person.organisation,
            person.organisation_id,
        ):
            people[user_id] = CheckinPerson(
                user_id, first, last, email, organisation_id, organisation
            )
    for user_id, first, last, email in activity.invited_people.order_by().values_list(
        "pk", "first_name", "last_name", "email"
    ):
        if user_id not in people:
            people[user_id] = CheckinPerson(user_id, first, last, email, None, "")
    # Unordered (the roster is sorted below): no join to the activity for its default order.
    participations = activity.participations.order_by().values_list(
        "user_id",
        "user__first_name",
        "user__last_name",
        "user__email",
        "organisation_id",
        "organisation__legal_name",
        "registration",
        "attendance",
        "is_walk_in",
    )
    for row in participations:
        user_id, first, last, email, organisation_id, organisation = row[:6]
        person = people.get(user_id)
        if person is None:
            person = people[user_id] = CheckinPerson(
                user_id, first, last, email, organisation_id, organisation or ""
            )
        elif organisation_id:
            person.organisation_id, person.organisation = organisation_id, organisation
        person.registration, person.attendance, person.is_walk_in = row[6:]
    return _roster_ordered(people.values()) if ordered else list(people.values())


def _roster_ordered(people: Iterable[CheckinPerson]) -> list[CheckinPerson]:
    """Expected people first, then by name."""
    coming = str(Registration.COMING)  # a plain string: no enum lookup per person
    return sorted(
        people,
        key=lambda person: (
            person.registration != coming,
            person.last_name.lower(),
            person.first_name.lower(),
            person.email,
        ),
    )


def checkin_counts(*, people: list[CheckinPerson]) -> dict[str, int]:
    """Present, absent, excused, unrecorded, expected (registered) and total."""
    counts = {value: 0 for value in Attendance.values}
    expected, coming = 0, str(Registration.COMING)
    for person in people:
        counts[person.attendance] += 1
        expected += person.registration == coming
    counts["expected"] = expected
    counts["total"] = len(people)
    return counts


def checkin_counts_of(*, activity: Activity) -> dict[str, int]:
    """``checkin_counts`` of the activity's roster, counted by the database: two queries
    whatever the roster's size, for the check-in app's sync (A2), which answers with the
    counts but needs no one's name."""
    counts = {value: 0 for value in Attendance.values}
    expected = 0
    recorded = (
        activity.participations.order_by()
        .values("attendance")
        .annotate(
            people=Count("id"), coming=Count("id", filter=Q(registration=Registration.COMING))
        )
    )
    for row in recorded:
        counts[row["attendance"]] = counts.get(row["attendance"], 0) + row["people"]
        expected += row["coming"]
    # The roster's people: convened representatives, named persons, anyone recorded.
    roster = (
        active_representatives(on=activity_day(activity))
        .filter(organisation__convocations__activity=activity)
        .order_by()
        .values("user_id")
        .union(
            activity.invited_people.order_by().values("pk"),
            activity.participations.order_by().values("user_id"),
        )
    )
    total = roster.count()
    counts[Attendance.UNRECORDED] = total - sum(
        counts[value] for value in Attendance.values if value != Attendance.UNRECORDED
    )
    counts["expected"] = expected
    counts["total"] = total
    return counts


# Between two people's texts in a search: PostgreSQL's text cannot hold it and forms
# refuse it (Django's ProhibitNullCharactersValidator); taken out of each text anyway.
SEPARATOR = "\0"


def _folded(text: str) -> str:
    """Lower case without accents: "Lefèvre" is found by "lefevre"."""
    # The accents decomposed, then every character outside ASCII dropped (in C, at the
    # speed a search over thousands of people needs).
    decomposed = unicodedata.normalize("NFD", text.lower())
    return decomposed.encode("ascii", "ignore").decode("ascii")


def checkin_search(*, people: list[CheckinPerson], query: str) -> list[CheckinPerson]:
    """The people whose name, address or organisation contains ``query`` (accents and
    case ignored), in the roster's order, for the page without JavaScript."""
    folded = _folded(query.replace(SEPARATOR, "").strip())
    if not folded:
        return _roster_ordered(people)
    # Every person's text folded at once (one pass in C over the whole roster), each
    # person's apart from the next by a character that none of them holds.
    texts = _folded(
        SEPARATOR.join(
            f"{person.name} {person.email} {person.organisation}".replace(SEPARATOR, "")
            for person in people
        )
    ).split(SEPARATOR)
    return _roster_ordered(
        person for person, text in zip(people, texts, strict=True) if folded in text
    )


def participation_list(*, activity: Activity) -> QuerySet:
    return activity.participations.select_related("user", "organisation").order_by(
        "user__last_name", "user__first_name", "user__email"
    )


def has_attended(*, user, activity: Activity) -> bool:
    return Participation.objects.filter(
        activity=activity, user=user, attendance=Attendance.PRESENT
    ).exists()


def minutes_visible(*, user, activity: Activity) -> bool:
    """W3: the minutes are for those who attended (and the organisers who keep them)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return has_attended(user=user, activity=activity) or can_organise(user=user, activity=activity)


def minutes_get(*, activity: Activity) -> Minutes | None:
    return Minutes.objects.filter(activity=activity).first()


def attended_activities_with_minutes(*, user) -> QuerySet:
    """The activities whose minutes a person may read: those attended (W3)."""
    return (
        Activity.objects.filter(
            participations__user=user, participations__attendance=Attendance.PRESENT
        )
        .filter(Exists(Minutes.objects.filter(activity=OuterRef("pk"))))
        .order_by("-starts_at")
    )


def invitee_attendances(organisation: Organisation) -> QuerySet:
    """Activities attended by the organisation's people while it was not yet a member (M6).

    Attendance counts as an invitee's when, at the activity's start, the
    organisation's status was "invitee" or "applicant" (an applicant comes by
    invitation, M6). The application review reads this.
    """
    status_then = (
        StatusChange.objects.filter(
            organisation=organisation, effective_at__lte=OuterRef("starts_at")
        )
        .order_by("-effective_at", "-id")
        .values("status")[:1]
    )
    return (
        Activity.objects.filter(
            participations__organisation=organisation,
            participations__attendance=Attendance.PRESENT,
        )
        .annotate(status_then=Subquery(status_then))
        .filter(status_then__in=[Status.INVITEE, Status.APPLICANT])
        .distinct()
        .order_by("-starts_at")
    )


def latest_ratio_date() -> datetime.date | None:
    return AttendanceRatio.objects.order_by("-date").values_list("date", flat=True).first()


def ratio_dashboard(*, on: datetime.date | None = None) -> QuerySet:
    """The latest snapshot of every member, lowest ratio first, no-ratio members last (A3, L3)."""
    day = on or latest_ratio_date()
    return (
        AttendanceRatio.objects.filter(date=day)
        .select_related("organisation")
        .annotate(
            sort_ratio=Case(
                When(convened=0, then=None),
                default=ExpressionWrapper(
                    F("attended") * 1.0 / F("convened"), output_field=FloatField()
                ),
                output_field=FloatField(),
            )
        )
        .order_by(F("sort_ratio").asc(nulls_last=True), "organisation__legal_name")
    )


def ratio_trend(*, organisation_ids, months: int = 6) -> dict[int, list[AttendanceRatio]]:
    """Each organisation's last snapshot of each of the last ``months`` months (two queries)."""
    month_ends = list(
        AttendanceRatio.objects.annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(last=Max("date"))
        .order_by("-month")
        .values_list("last", flat=True)[:months]
    )
    trend: dict[int, list[AttendanceRatio]] = {pk: [] for pk in organisation_ids}
    for snapshot in AttendanceRatio.objects.filter(
        organisation_id__in=list(organisation_ids), date__in=month_ends
    ).order_by("date"):
        trend[snapshot.organisation_id].append(snapshot)
    return trend


def organisation_ratio_latest(*, organisation: Organisation) -> AttendanceRatio | None:
    return AttendanceRatio.objects.filter(organisation=organisation).order_by("-date").first()


def attendance_ratio_counts_query(
    *, now: datetime.datetime, window_start: datetime.datetime
) -> tuple[str, dict]:
    """The SQL and parameters of every current member's attendance counts at ``now`` (A3):
    rows of ``organisation_id``, ``counted_from`` (the later of ``window_start`` and the
    start of its current membership), ``convened`` and ``attended``, one per member.

    Its current membership started at its first change to "member" that no other status
    followed by ``now`` (S1: the history reads in the order of its records, a correction
    added at the same moment replaces the record; ``membership_start`` is the same reading
    for one organisation). Counted: the activities held in the window (started at or after
    ``window_start``, strictly before ``now``, not cancelled) it was convened to since that
    start; attended when at least one of its people was recorded present (A2).

    Written by hand because the ORM cannot express its shape, which is what makes it fast:
    the held activities first (index on ``starts_at``), their convocations once (an
    index-only scan of the unique pair), and "present" as one set of (activity,
    organisation) pairs read from the partial index of present participations, joined
    to the convocations (a join, not ``IN (subquery)``: at 20,000 organisations the set
    outgrows the memory of a hashed subplan, and PostgreSQL then rescans it for every
    convocation: minutes instead of two seconds); each member's bound is computed once,
    from a single pass over the status history. Runs on PostgreSQL and SQLite (3.35 and later).
    ``services.attendance_ratios_compute`` writes its rows as snapshots.
    """
    qn = connection.ops.quote_name
    status_change, convocation, activity, participation = (
        qn(model._meta.db_table) for model in (StatusChange, Convocation, Activity, Participation)
    )
    member, present = f"'{Status.MEMBER.value}'", f"'{Attendance.PRESENT.value}'"
    # Only quoted table names and the code's own constants are interpolated; the
    # moments are parameters.
    sql = f"""
WITH history AS (
    SELECT s.organisation_id, s.status, s.effective_at,
           COUNT(*) FILTER (WHERE s.status <> {member}) OVER later AS left_after,
           ROW_NUMBER() OVER later AS rank_from_last
    FROM {status_change} s
    WHERE s.effective_at <= %(now)s
    WINDOW later AS (PARTITION BY s.organisation_id ORDER BY s.effective_at DESC, s.id DESC
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
), members AS (
    SELECT organisation_id AS id,
           MIN(effective_at) FILTER (WHERE status = {member} AND left_after = 0) AS since
    FROM history
    GROUP BY organisation_id
    HAVING MIN(status) FILTER (WHERE rank_from_last = 1) = {member}
), held AS (
    SELECT a.id, a.starts_at FROM {activity} a
    WHERE a.starts_at >= %(window_start)s AND a.starts_at < %(now)s AND a.cancelled_at IS NULL
), present AS MATERIALIZED (
    SELECT DISTINCT p.activity_id, p.organisation_id FROM {participation} p
    WHERE p.attendance = {present} AND p.activity_id IN (SELECT id FROM held)
), counted AS MATERIALIZED (
    SELECT c.organisation_id, h.starts_at, (r.activity_id IS NOT NULL) AS attended
    FROM held h JOIN {convocation} c ON c.activity_id = h.id
    LEFT JOIN present r ON r.activity_id = c.activity_id AND r.organisation_id = c.organisation_id
)
SELECT m.id AS organisation_id,
       CASE WHEN m.since > %(window_start)s THEN m.since ELSE %(window_start)s END
           AS counted_from,
       COUNT(k.starts_at) AS convened,
       COUNT(k.starts_at) FILTER (WHERE k.attended) AS attended
FROM members m
LEFT JOIN counted k ON k.organisation_id = m.id AND k.starts_at >= m.since
GROUP BY m.id, m.since
"""  # noqa: S608  # nosec B608
    adapt = connection.ops.adapt_datetimefield_value
    return sql, {"now": adapt(now), "window_start": adapt(window_start)}


def attendance_ratio_counts(
    *, now: datetime.datetime, window_start: datetime.datetime
) -> list[tuple[int, int, int]]:
    """(organisation id, convened, attended) of every current member at ``now``, as the
    ratio job counts them (``attendance_ratio_counts_query``)."""
    sql, params = attendance_ratio_counts_query(now=now, window_start=window_start)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT organisation_id, convened, attended FROM ({sql}) counts",  # noqa: S608  # nosec B608
            params,
        )
        return [tuple(row) for row in cursor.fetchall()]


def membership_start(*, organisation: Organisation, at: datetime.datetime):
    """When the organisation's current membership started, as of ``at``; None when it is
    not a member then (the reading of ``attendance_ratio_counts_query``, S1, A3)."""
    start = None
    history = StatusChange.objects.filter(organisation=organisation, effective_at__lte=at)
    for status, effective_at in history.order_by("effective_at", "id").values_list(
        "status", "effective_at"
    ):
        if status != Status.MEMBER:
            start = None
        elif start is None:
            start = effective_at
    return start


def ratio_window(
    *, organisation: Organisation, now: datetime.datetime, months: int
) -> tuple[datetime.datetime, datetime.datetime]:
    """The period a ratio computed at ``now`` counts (A3): the last ``months`` months,
    from the start of the organisation's current membership at the earliest, as
    ``services.attendance_ratios_compute`` counts it."""
    start = now - relativedelta(months=months)
    member_since = membership_start(organisation=organisation, at=now)
    return (max(start, member_since) if member_since else start), now


def counts_from_membership(
    *, window_start: datetime.datetime, window_end: datetime.datetime, months: int
) -> bool:
    """Whether a ratio's period starts at the membership, later than ``months`` before
    its end (A3: a recent member)."""
    return window_start > window_end - relativedelta(months=months)


def attendance_member_since(
    *, window_start: datetime.datetime, window_end: datetime.datetime, months: int
) -> datetime.datetime | None:
    """A3: a recent member's ratio counts from its membership only; the start of that
    period when it does (the pages say so), else None."""
    if counts_from_membership(window_start=window_start, window_end=window_end, months=months):
        return window_start
    return None


def attendance_near_threshold(*, ratio: AttendanceRatio | None, parameters) -> bool:
    """A3: the ratio is below the threshold plus the charter version's warning margin
    (``attendance_warning_points``): the member is warned before it falls below."""
    return ratio is not None and ratio.is_near_threshold(
        warning_points=parameters.attendance_warning_points
    )


def member_attendance_summary(
    *, organisation: Organisation, now: datetime.datetime, parameters
) -> dict:
    """What a representative sees of its organisation's attendance (A3): the latest ratio,
    the period it counts (or, before the first computation, the one the next will count),
    the convocations counted, the next ones, and whether it is near the threshold."""
    ratio = organisation_ratio_latest(organisation=organisation)
    if ratio is not None:
        window_start, window_end = ratio.window_start, ratio.window_end
    else:
        window_start, window_end = ratio_window(
            organisation=organisation, now=now, months=parameters.attendance_window_months
        )
    is_member = organisation_status(organisation=organisation, at=now) == Status.MEMBER
    return {
        "organisation": organisation,
        "is_member": is_member,
        "ratio": ratio,
        "member_since": attendance_member_since(
            window_start=window_start,
            window_end=window_end,
            months=parameters.attendance_window_months,
        )
        if is_member
        else None,
        "counted": list(
            counted_convocations(
                organisation=organisation, window_start=window_start, window_end=window_end
            )
        ),
        "upcoming": list(upcoming_convocations(organisation=organisation, now=now)[:5]),
        "near_threshold": attendance_near_threshold(ratio=ratio, parameters=parameters),
    }


def counted_convocations(
    *, organisation: Organisation, window_start: datetime.datetime, window_end: datetime.datetime
) -> QuerySet:
    """The convocations a ratio counts, each annotated with ``was_attended`` (A2, A3)."""
    return (
        Convocation.objects.filter(
            organisation=organisation,
            activity__starts_at__gte=window_start,
            activity__starts_at__lt=window_end,
            activity__cancelled_at__isnull=True,
        )
        .select_related("activity")
        .annotate(
            was_attended=Exists(
                Participation.objects.filter(
                    activity=OuterRef("activity_id"),
                    organisation=OuterRef("organisation_id"),
                    attendance=Attendance.PRESENT,
                )
            ),
            was_excused=Exists(
                Participation.objects.filter(
                    activity=OuterRef("activity_id"),
                    organisation=OuterRef("organisation_id"),
                    attendance=Attendance.EXCUSED,
                )
            ),
        )
        .order_by("-activity__starts_at")
    )


def upcoming_convocations(*, organisation: Organisation, now=None) -> QuerySet:
    now = now or timezone.now()
    return (
        Convocation.objects.filter(organisation=organisation, activity__starts_at__gte=now)
        .select_related("activity")
        .order_by("activity__starts_at")
    )


def person_participations(*, user) -> QuerySet:
    """Every registration and attendance of the person (personal data export)."""
    return (
        Participation.objects.filter(user=user)
        .select_related("activity", "organisation")
        .order_by("activity__starts_at", "pk")
    )


def convocation_counts(*, activity: Activity) -> dict[str, int]:
    """The entities the activity convenes, counted by origin (A1), in one query."""
    return dict(
        Convocation.objects.filter(activity=activity)
        .values("source")
        .annotate(count=Count("pk"))
        .order_by("source")
        .values_list("source", "count")
    )
