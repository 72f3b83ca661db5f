"""The rolling attendance ratio (A2, A3, A4): window edges, no ratio, idempotence."""

import datetime
import threading

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection, connections
from django.utils import timezone
from freezegun import freeze_time

from activities.constants import Attendance
from activities.models import AttendanceRatio
from activities.services import attendance_ratios_compute
from activities.tasks import attendance_ratios_compute_task
from members.constants import Status, StatusReason
from members.services import organisation_status_change
from tests.members.factories import RepresentativeFactory, member_organisation

from .factories import ActivityFactory, attend, convene

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 2, 30, tzinfo=datetime.UTC)


def held(days_ago: float, **kwargs):
    return ActivityFactory(starts_at=NOW - datetime.timedelta(days=days_ago), **kwargs)


def long_standing_member():
    """A member for two years: its whole window counts (A3 counts from membership)."""
    member = member_organisation()
    member.status_changes.update(effective_at=NOW - relativedelta(years=2))
    return member


def snapshot(organisation):
    return AttendanceRatio.objects.get(organisation=organisation, date=timezone.localdate(NOW))


@pytest.mark.rule("A2", "A3")
@freeze_time(NOW)
def test_ratio_counts_attended_over_convened_with_excused_as_not_attended():
    member = long_standing_member()
    alice = RepresentativeFactory(organisation=member)
    activities = [held(d) for d in (10, 20, 30, 40)]
    convene(activities[0], member)
    convene(activities[1], member)
    convene(activities[2], member)
    # activities[3] did not convene the member: not in the denominator (A3).
    attend(activities[0], alice)
    attend(activities[1], alice, Attendance.EXCUSED)
    attend(activities[2], alice, Attendance.ABSENT)
    attend(activities[3], alice)

    assert attendance_ratios_compute() == 1

    ratio = snapshot(member)
    assert (ratio.attended, ratio.convened) == (1, 3)
    assert ratio.ratio_percent == 33.3
    assert ratio.threshold_percent == 33
    assert ratio.is_below_threshold is False  # 1/3 is not below 33 %
    assert ratio.window_start == NOW - relativedelta(months=12)
    assert ratio.window_end == NOW


@pytest.mark.rule("A2")
@freeze_time(NOW)
def test_two_representatives_present_count_once():
    member = member_organisation()
    alice, bob = RepresentativeFactory.create_batch(2, organisation=member)
    first, second = held(5), held(6)
    convene(first, member)
    convene(second, member)
    attend(first, alice)
    attend(first, bob)

    attendance_ratios_compute()

    ratio = snapshot(member)
    assert (ratio.attended, ratio.convened) == (1, 2)
    assert ratio.ratio_percent == 50.0


@pytest.mark.rule("A3")
@freeze_time(NOW)
def test_window_includes_exactly_twelve_months_and_excludes_tomorrow_and_older():
    member = long_standing_member()
    rep = RepresentativeFactory(organisation=member)
    exactly_twelve_months = ActivityFactory(starts_at=NOW - relativedelta(months=12))
    just_older = ActivityFactory(
        starts_at=NOW - relativedelta(months=12) - datetime.timedelta(seconds=1)
    )
    tomorrow = ActivityFactory(starts_at=NOW + datetime.timedelta(days=1))
    for activity in (exactly_twelve_months, just_older, tomorrow):
        convene(activity, member)
        attend(activity, rep)

    attendance_ratios_compute()

    ratio = snapshot(member)
    assert (ratio.attended, ratio.convened) == (1, 1)


@pytest.mark.rule("A3")
@freeze_time(NOW)
def test_member_with_nothing_convened_has_no_ratio_not_zero():
    member = member_organisation()
    other = member_organisation()
    convene(held(3), other)

    attendance_ratios_compute()

    ratio = snapshot(member)
    assert (ratio.attended, ratio.convened) == (0, 0)
    assert ratio.ratio_percent is None
    assert ratio.is_below_threshold is False
    assert snapshot(other).ratio_percent == 0.0
    assert snapshot(other).is_below_threshold is True


@pytest.mark.rule("A3")
@freeze_time(NOW)
def test_only_members_get_a_ratio():
    member = member_organisation()
    partner = member_organisation(status=Status.PARTNER)
    invitee = member_organisation(status=Status.INVITEE)
    activity = held(2)
    convene(activity, member, partner, invitee)

    attendance_ratios_compute()

    assert list(AttendanceRatio.objects.values_list("organisation", flat=True)) == [member.pk]


@pytest.mark.rule("A4")
@freeze_time(NOW)
def test_running_twice_updates_the_same_snapshot():
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    activity = held(2)
    convene(activity, member)

    attendance_ratios_compute()
    attend(activity, rep)
    attendance_ratios_compute_task.delay().get()

    assert AttendanceRatio.objects.count() == 1
    assert (snapshot(member).attended, snapshot(member).convened) == (1, 1)


@pytest.mark.rule("A4")
@freeze_time(NOW)
def test_ratio_computation_issues_a_constant_number_of_queries(django_assert_num_queries):
    def build(n):
        for _ in range(n):
            member = member_organisation()
            rep = RepresentativeFactory(organisation=member)
            activity = held(4)
            convene(activity, member)
            attend(activity, rep)

    build(2)
    with django_assert_num_queries(6) as small:
        attendance_ratios_compute()
    build(20)
    with django_assert_num_queries(len(small.captured_queries)):
        assert attendance_ratios_compute() == 22


@pytest.mark.rule("A4")
def test_nightly_job_is_scheduled_by_a_data_migration():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="activities.tasks.attendance_ratios_compute_task")
    assert task.enabled is True
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == (
        "2",
        "30",
        "Europe/Paris",
    )


@pytest.mark.rule("A4")
@pytest.mark.integration
def test_ratio_task_runs_through_a_real_celery_worker(celery_live_worker):
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    activity = ActivityFactory(starts_at=timezone.now() - datetime.timedelta(days=3))
    convene(activity, member)
    attend(activity, rep)

    result = attendance_ratios_compute_task.delay()

    assert result.get(timeout=30) == 1
    ratio = AttendanceRatio.objects.get(organisation=member)
    assert (ratio.attended, ratio.convened, ratio.date) == (1, 1, timezone.localdate())


@pytest.mark.rule("A3")
@freeze_time(NOW)
def test_a_member_that_left_since_an_earlier_run_today_loses_its_snapshot():

    member = member_organisation()
    attendance_ratios_compute()
    organisation_status_change(
        organisation=member,
        status=Status.NONE,
        reason=StatusReason.RESIGNED,
        now=NOW + datetime.timedelta(hours=1),
    )
    with freeze_time(NOW + datetime.timedelta(hours=2)):
        assert attendance_ratios_compute() == 0

    assert AttendanceRatio.objects.count() == 0


@pytest.mark.rule("A4")
def test_two_runs_at_the_same_time_leave_one_snapshot_per_member(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises whole-database writes)")
    with freeze_time(NOW):
        members = [member_organisation() for _ in range(5)]
        for member in members:
            convene(held(2), member)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(attendance_ratios_compute(now=NOW))
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert results == [5, 5]
    assert AttendanceRatio.objects.count() == 5
