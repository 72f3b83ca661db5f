"""The members approaching the attendance threshold and their next activity (A3), read
by one query that numbers each member's convocations in the window
(activities/deadlines.py), against the same rule read member by member."""

import datetime
import random

import pytest
from django.urls import reverse
from freezegun import freeze_time

from activities.deadlines import attendance_threshold_deadlines
from activities.models import AttendanceRatio, Convocation
from members.constants import Status
from members.models import Organisation
from members.selectors import deadline_viewer, organisation_status
from tests.activities.factories import ActivityFactory, convene
from tests.core.deadline_helpers import morning
from tests.members.factories import RepresentativeFactory, StatusChangeFactory, member_organisation

pytestmark = pytest.mark.django_db

D = datetime.date
NOW = morning(D(2026, 4, 10))
WINDOW = (D(2026, 3, 11), D(2026, 5, 10))
WARNING_POINTS = 10  # the charter version's margin above the threshold (charter_parameters)


def ratio(organisation, day, attended, convened, threshold=33):
    AttendanceRatio.objects.create(
        organisation=organisation,
        date=day,
        window_start=morning(day - datetime.timedelta(days=365)),
        window_end=morning(day),
        convened=convened,
        attended=attended,
        threshold_percent=threshold,
        computed_at=morning(day),
    )


@pytest.fixture
def community():
    """Forty organisations with drawn ratios and convocations, around NOW and the window:
    activities in the past, in the window, beyond it, two starting at the same instant."""
    rng = random.Random(2026)
    start = lambda day, hour=14: morning(day).replace(hour=hour)  # noqa: E731
    activities = [
        ActivityFactory(
            starts_at=start(day, hour), ends_at=start(day, hour) + datetime.timedelta(hours=2)
        )
        for day, hour in [
            (D(2026, 3, 20), 14),  # in the window, but already past
            (D(2026, 4, 10), 7),  # today before NOW
            (D(2026, 4, 10), 14),  # today after NOW
            (D(2026, 4, 20), 14),
            (D(2026, 4, 20), 14),  # the same instant: the lower id first
            (D(2026, 5, 10), 22),  # the window's last evening
            (D(2026, 5, 11), 9),  # beyond
            (D(2026, 4, 25), 0),  # just after midnight in Paris: the 24th still in UTC
        ]
    ]
    organisations = []
    for index in range(40):
        status = rng.choice([Status.MEMBER] * 4 + [Status.PARTNER, Status.INVITEE])
        organisation = member_organisation(status=status)
        organisation.status_changes.update(effective_at=morning(D(2024, 1, 1)))
        if index % 9 == 0:  # a former member, out since March
            StatusChangeFactory(
                organisation=organisation, status=Status.NONE, effective_at=morning(D(2026, 3, 1))
            )
        for _ in range(rng.randint(0, 2)):
            RepresentativeFactory(organisation=organisation)
        for day in rng.sample([D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1)], rng.randint(0, 3)):
            convened = rng.choice([0, 3, 4, 6, 10])
            ratio(organisation, day, rng.randint(0, convened), convened, rng.choice([25, 33, 50]))
        for activity in rng.sample(activities, rng.randint(0, 5)):
            convene(activity, organisation)
        organisations.append(organisation)
    # Members at 0 %, each convened to one set of activities: the two starting at the same
    # instant; past and beyond ones only; the window's last evening; an older ratio below
    # the threshold whose latest is not; and one exactly at the threshold plus the margin
    # (3 of 6 attended, 40 % + 10 points: not below).
    for convened_to, ratios in [
        (activities[3:5], [(D(2026, 4, 1), 0, 6)]),
        ([activities[0], activities[1], activities[6]], [(D(2026, 4, 1), 0, 6)]),
        ([activities[5], activities[6]], [(D(2026, 4, 1), 0, 6)]),
        (activities[2:4], [(D(2026, 3, 1), 0, 6), (D(2026, 4, 1), 6, 6)]),
        (activities[2:4], [(D(2026, 4, 1), 3, 6, 40)]),
        ([activities[7]], [(D(2026, 4, 1), 0, 6)]),
    ]:
        organisation = member_organisation()
        organisation.status_changes.update(effective_at=morning(D(2024, 1, 1)))
        RepresentativeFactory(organisation=organisation)
        for values in ratios:
            ratio(organisation, *values)
        for activity in convened_to:
            convene(activity, organisation)
        organisations.append(organisation)
    return organisations, activities


def expected_one_by_one(organisations, *, first, last):
    """Each member's latest ratio, its threshold plus the margin, and its first convened
    activity still to come in the window, read member by member."""
    expected = {}
    earliest = max(NOW, morning(first).replace(hour=0))
    latest_moment = morning(last).replace(hour=23, minute=59, second=59)
    for organisation in organisations:
        if organisation_status(organisation=organisation, at=NOW) != Status.MEMBER:
            continue
        latest = (
            AttendanceRatio.objects.filter(organisation=organisation)
            .order_by("-date", "-pk")
            .first()
        )
        if latest is None or latest.convened == 0:
            continue
        if latest.attended * 100 >= latest.convened * (latest.threshold_percent + WARNING_POINTS):
            continue
        upcoming = sorted(
            (c.activity.starts_at, c.activity_id)
            for c in Convocation.objects.filter(organisation=organisation).select_related(
                "activity"
            )
            if earliest <= c.activity.starts_at <= latest_moment
        )
        if upcoming:
            starts_at, activity_id = upcoming[0]
            expected[organisation.pk] = (activity_id, starts_at.astimezone(NOW.tzinfo).date())
    return expected


def found_by_the_source(viewer=None):
    with freeze_time(NOW):
        deadlines = list(
            attendance_threshold_deadlines(start=WINDOW[0], end=WINDOW[1], viewer=viewer)
        )
    return deadlines, {
        d.organisation_id: (int(d.act_url.rstrip("/").split("/")[-1]), d.due) for d in deadlines
    }


@pytest.mark.every_database
@pytest.mark.rule("A3")
def test_the_query_finds_whom_the_rule_read_member_by_member_finds(community):
    organisations, activities = community
    expected = expected_one_by_one(organisations, first=WINDOW[0], last=WINDOW[1])
    deadlines, found = found_by_the_source()
    assert found == expected
    assert len(expected) >= 5
    tie, past_and_beyond, last_evening, latest_fine, at_the_margin, midnight = organisations[-6:]
    assert found[tie.pk] == (min(activities[3].pk, activities[4].pk), D(2026, 4, 20))
    assert past_and_beyond.pk not in found
    assert found[last_evening.pk] == (activities[5].pk, D(2026, 5, 10))
    assert latest_fine.pk not in found
    assert at_the_margin.pk not in found
    assert found[midnight.pk] == (activities[7].pk, D(2026, 4, 25))  # Paris's day
    # Each member's representatives act; its name and activity's title are in the label.
    for deadline in deadlines:
        organisation = Organisation.objects.get(pk=deadline.organisation_id)
        assert set(deadline.actors) == set(
            organisation.representatives.values_list("user_id", flat=True)
        )
        assert organisation.legal_name in str(deadline.label)
        assert deadline.act_url == reverse(
            "activities:detail", kwargs={"pk": found[organisation.pk][0]}
        )


@pytest.mark.every_database
@pytest.mark.rule("A3")
def test_a_person_sees_their_own_members_only(community):
    organisations, _activities = community
    expected = expected_one_by_one(organisations, first=WINDOW[0], last=WINDOW[1])
    theirs = [organisations[index] for index in range(0, 44, 3)]
    person = RepresentativeFactory(organisation=theirs[0]).user
    for organisation in theirs[1:]:
        RepresentativeFactory(user=person, organisation=organisation)
    with freeze_time(NOW):
        viewer = deadline_viewer(user=person)
    deadlines, found = found_by_the_source(viewer)
    assert found == {pk: value for pk, value in expected.items() if pk in {o.pk for o in theirs}}
    assert len(found) >= 2
    assert all(deadline.actors == (person.pk,) for deadline in deadlines)
