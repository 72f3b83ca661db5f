"""The ratio job counts exactly what the fastest hand-written SQL counts (A2, A3, A4).

bench/attendance.py times the job against ``FAST_AGGREGATE``; both must return the same
(member, convened, attended) rows, here on a data set that has every case of the rules:
members who left and came back, a membership start corrected by a later record, excused
and absent people, walk-ins, two people of one organisation present, activities before the
window, tomorrow's and a cancelled one, former members, applicants and invited people.
The rows are also checked against a reading in Python of the rules, one organisation at a
time, so that the two SQL texts cannot agree on a mistake.
"""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from freezegun import freeze_time

from activities.constants import Attendance
from activities.models import Activity, AttendanceRatio, Convocation, Participation
from activities.selectors import attendance_ratio_counts, membership_start
from activities.services import attendance_ratios_compute
from bench.attendance import fast_aggregate
from members.constants import Status, StatusReason
from members.models import Organisation, StatusChange
from members.selectors import organisation_status
from tests.members.factories import OrganisationFactory, RepresentativeFactory, UserFactory

from .factories import ActivityFactory, attend, convene

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 2, 30, tzinfo=datetime.UTC)
MONTHS = 12


def ago(days: float) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def history(*steps, name: str):
    organisation = OrganisationFactory(legal_name=name)
    for days, status in steps:
        StatusChange.objects.create(
            organisation=organisation,
            status=status,
            reason=StatusReason.IMPORTED if status == Status.MEMBER else StatusReason.RESIGNED,
            effective_at=ago(days),
        )
    return organisation


def varied_world():
    """Twelve activities and eight organisations covering the rules' cases."""
    (
        long_ago,
        edge,
        early,
        middle,
        late,
        recent,
        last_week,
        yesterday,
        cancelled,
        open_day,
        tomorrow,
        older,
    ) = (
        ActivityFactory(starts_at=at, title=title)
        for title, at in (
            ("Avant la fenêtre", ago(500)),
            ("Il y a douze mois", NOW - relativedelta(months=MONTHS)),
            ("Début", ago(300)),
            ("Milieu", ago(150)),
            ("Fin", ago(60)),
            ("Récente", ago(20)),
            ("Semaine dernière", ago(7)),
            ("Hier", ago(1)),
            ("Annulée", ago(30)),
            ("Portes ouvertes", ago(40)),
            ("Demain", NOW + datetime.timedelta(days=1)),
            ("Juste avant", NOW - relativedelta(months=MONTHS) - datetime.timedelta(seconds=1)),
        )
    )
    Activity.objects.filter(pk=cancelled.pk).update(cancelled_at=ago(31))
    everything = [
        long_ago, edge, early, middle, late, recent, last_week, yesterday, cancelled,
        tomorrow, older,
    ]  # fmt: skip

    # Member for years, two representatives: both present once (counted once), one
    # excused, one absent, present before the window, tomorrow and at the cancelled one.
    steady = history((900, Status.MEMBER), name="Fidèle")
    alice, bob = RepresentativeFactory.create_batch(2, organisation=steady)
    for activity in everything:
        convene(activity, steady)
    for activity in (long_ago, edge, early, tomorrow, cancelled, older):
        attend(activity, alice)
    attend(early, bob)
    attend(middle, alice, Attendance.EXCUSED)
    attend(late, alice, Attendance.ABSENT)
    attend(recent, bob)
    attend(recent, alice, Attendance.EXCUSED)
    # A walk-in at an activity it was not convened to: not in its ratio (A3).
    attend(open_day, alice, is_walk_in=True)

    # Member, left, came back 50 days ago: counts from its return.
    returning = history(
        (400, Status.MEMBER), (200, Status.NONE), (120, Status.APPLICANT), (50, Status.MEMBER),
        name="De retour",
    )  # fmt: skip
    carol = RepresentativeFactory(organisation=returning)
    for activity in (early, middle, late, recent, last_week, yesterday):
        convene(activity, returning)
    for activity in (early, middle, recent, yesterday):
        attend(activity, carol)

    # A start found to be earlier, recorded later at the earlier date (S1).
    corrected = history(
        (250, Status.APPLICANT), (40, Status.MEMBER), (100, Status.MEMBER), name="Corrigée"
    )
    dan = RepresentativeFactory(organisation=corrected)
    for activity in (middle, late, recent, last_week):
        convene(activity, corrected)
        attend(activity, dan)

    # A member that left at the same instant as a later record: the later record wins.
    same_moment = history((600, Status.MEMBER), (90, Status.MEMBER), name="Même instant")
    StatusChange.objects.create(
        organisation=same_moment,
        status=Status.NONE,
        reason=StatusReason.RESIGNED,
        effective_at=ago(90),
    )
    StatusChange.objects.create(
        organisation=same_moment,
        status=Status.MEMBER,
        reason=StatusReason.APPROVED,
        effective_at=ago(10),
    )
    erin = RepresentativeFactory(organisation=same_moment)
    for activity in (middle, late, last_week, yesterday):
        convene(activity, same_moment)
        attend(activity, erin)

    # A former member, an applicant, a member convened to nothing, a member from the future.
    former = history((700, Status.MEMBER), (30, Status.NONE), name="Partie")
    applicant = history((80, Status.APPLICANT), name="Candidate")
    idle = history((365, Status.MEMBER), name="Sans convocation")
    future = history((100, Status.APPLICANT), name="Membre demain")
    StatusChange.objects.create(
        organisation=future,
        status=Status.MEMBER,
        reason=StatusReason.APPROVED,
        effective_at=NOW + datetime.timedelta(days=2),
    )
    for organisation in (former, applicant, future):
        person = RepresentativeFactory(organisation=organisation)
        for activity in (late, recent):
            convene(activity, organisation)
            attend(activity, person)
    # A member that came as a walk-in to an activity that convened others only.
    walker = history((500, Status.MEMBER), name="De passage")
    convene(middle, walker)
    attend(last_week, RepresentativeFactory(organisation=walker), is_walk_in=True)
    # A person invited in their own name: no organisation.
    Participation.objects.create(
        activity=recent, user=UserFactory(), organisation=None, attendance=Attendance.PRESENT
    )
    return {
        "steady": steady,
        "returning": returning,
        "corrected": corrected,
        "same_moment": same_moment,
        "idle": idle,
        "walker": walker,
    }


def rules_in_python() -> set[tuple[int, int, int]]:
    """A3 read one organisation at a time with the ORM: the independent oracle."""
    start = NOW - relativedelta(months=MONTHS)
    rows = set()
    for organisation in Organisation.objects.all():
        if organisation_status(organisation=organisation, at=NOW) != Status.MEMBER:
            continue
        counted_from = max(start, membership_start(organisation=organisation, at=NOW))
        convened = Activity.objects.filter(
            pk__in=Convocation.objects.filter(organisation=organisation).values("activity"),
            starts_at__gte=counted_from,
            starts_at__lt=NOW,
            cancelled_at__isnull=True,
        )
        attended = convened.filter(
            pk__in=Participation.objects.filter(
                organisation=organisation, attendance=Attendance.PRESENT
            ).values("activity")
        )
        rows.add((organisation.pk, convened.count(), attended.count()))
    return rows


@pytest.mark.rule("A2", "A3", "A4")
@freeze_time(NOW)
def test_the_job_and_the_fastest_sql_return_the_same_rows_on_every_case():
    world = varied_world()

    fastest = fast_aggregate(now=NOW, months=MONTHS)
    counted = attendance_ratio_counts(now=NOW, window_start=NOW - relativedelta(months=MONTHS))
    written = attendance_ratios_compute(now=NOW)
    snapshots = set(
        AttendanceRatio.objects.filter(date=timezone.localdate(NOW)).values_list(
            "organisation_id", "convened", "attended"
        )
    )

    assert len(fastest) == len(set(fastest)) == written == len(snapshots) == 6
    assert set(fastest) == snapshots == set(counted) == rules_in_python()
    by_name = {pk: (convened, attended) for pk, convened, attended in fastest}
    # The cases the data set is for, worked out by hand (A2, A3).
    assert by_name[world["steady"].pk] == (7, 3)  # twelve months ago to yesterday
    assert by_name[world["returning"].pk] == (3, 2)  # recent, last week, yesterday
    assert by_name[world["corrected"].pk] == (3, 3)  # from 100 days ago
    assert by_name[world["same_moment"].pk] == (2, 2)  # from its return 10 days ago
    assert by_name[world["idle"].pk] == (0, 0)
    assert by_name[world["walker"].pk] == (1, 0)
