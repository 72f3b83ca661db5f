"""Attendance deadlines through the engine (A3): a member near the threshold is reminded of
the next activity it is convened to (activities/deadlines.py)."""

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from activities.deadlines import attendance_threshold_deadlines
from activities.models import AttendanceRatio
from core.deadlines import deadline_kinds
from tests.activities.factories import ActivityFactory, convene
from tests.core.deadline_helpers import days_before, morning, run_days
from tests.members.factories import RepresentativeFactory, member_organisation

D = datetime.date


def member_with_ratio(attended: int, convened: int):
    organisation = member_organisation()
    organisation.status_changes.update(effective_at=morning(D(2024, 1, 1)))
    rep = RepresentativeFactory(organisation=organisation)
    if convened is not None:
        AttendanceRatio.objects.create(
            organisation=organisation,
            date=D(2026, 4, 1),
            window_start=morning(D(2025, 4, 1)),
            window_end=morning(D(2026, 4, 1)),
            convened=convened,
            attended=attended,
            threshold_percent=33,
            computed_at=morning(D(2026, 4, 1)),
        )
    return rep


@pytest.mark.rule("A3")
def test_a_member_near_the_threshold_is_reminded_of_its_next_activity(db):
    near = member_with_ratio(1, 3)  # 33.3 %: below 33 + 10
    below = member_with_ratio(0, 4)  # 0 %
    fine = member_with_ratio(3, 4)  # 75 %
    no_ratio = member_with_ratio(0, 0)  # A3: nothing convened, no ratio
    workshop = ActivityFactory(
        starts_at=morning(D(2026, 4, 20)).replace(hour=14),
        ends_at=morning(D(2026, 4, 20)).replace(hour=17),
    )
    convene(workshop, near.organisation, below.organisation, fine.organisation)
    convene(workshop, no_ratio.organisation)
    sent = run_days("activities.attendance_threshold", D(2026, 4, 2), D(2026, 4, 21))
    assert sorted(sent) == days_before(D(2026, 4, 20), 7, 1)
    assert sent[D(2026, 4, 13)] == {(near.user_id, 7, False), (below.user_id, 7, False)}
    assert deadline_kinds()["activities.attendance_threshold"].required is False


@pytest.mark.rule("A3")
def test_the_reminder_names_the_soonest_activity_still_to_come_in_the_window(db):
    now = morning(D(2026, 4, 10))
    near = member_with_ratio(1, 3)
    later_only = member_with_ratio(0, 4)
    # An older snapshot would have been fine: the latest decides.
    AttendanceRatio.objects.create(
        organisation=near.organisation,
        date=D(2026, 3, 1),
        window_start=morning(D(2025, 3, 1)),
        window_end=morning(D(2026, 3, 1)),
        convened=4,
        attended=4,
        threshold_percent=33,
        computed_at=morning(D(2026, 3, 1)),
    )

    def activity(day: datetime.date):
        return ActivityFactory(
            starts_at=morning(day).replace(hour=14), ends_at=morning(day).replace(hour=17)
        )

    past, soon, later, beyond = (
        activity(D(2026, 4, 9)),
        activity(D(2026, 4, 13)),
        activity(D(2026, 4, 20)),
        activity(D(2026, 5, 20)),
    )
    convene(past, near.organisation)
    convene(later, near.organisation)
    convene(soon, near.organisation)
    convene(beyond, near.organisation, later_only.organisation)

    with freeze_time(now):
        found = list(attendance_threshold_deadlines(start=D(2026, 3, 11), end=D(2026, 5, 10)))

    assert [(d.organisation_id, d.due, d.act_url, d.actors) for d in found] == [
        (
            near.organisation_id,
            D(2026, 4, 13),
            reverse("activities:detail", kwargs={"pk": soon.pk}),
            (near.user_id,),
        )
    ]
    assert soon.title in found[0].label
