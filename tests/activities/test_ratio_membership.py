"""A3 for new members: only the convocations since the organisation became a member count.

An organisation convened to activities while it was an invitee (M6: it came to see)
and convened again once a member has a ratio over its member period only. The nightly
task, the member's own page, the COPIL's dashboard and the near-threshold reminder agree.
"""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from activities.deadlines import attendance_threshold_deadlines
from activities.models import AttendanceRatio
from activities.tasks import attendance_ratios_compute_task
from members.constants import Role, Status, StatusReason
from members.models import StatusChange
from tests.members.factories import OrganisationFactory, RepresentativeFactory

from .factories import ActivityFactory, attend, convene, user_in

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 2, 30, tzinfo=datetime.UTC)
MEMBER_SINCE = NOW - datetime.timedelta(days=100)


def held(days_ago: float, title: str):
    return ActivityFactory(starts_at=NOW - datetime.timedelta(days=days_ago), title=title)


def history(organisation, *steps):
    for days_ago, status, reason in steps:
        StatusChange.objects.create(
            organisation=organisation,
            status=status,
            reason=reason,
            effective_at=NOW - datetime.timedelta(days=days_ago),
        )
    return organisation


def invitee_then_member():
    """Invitee from 200 days ago, applicant from 130, member from 100 days ago (S1)."""
    return history(
        OrganisationFactory(legal_name="Nouvelle Entité"),
        (200, Status.INVITEE, StatusReason.INVITED),
        (130, Status.APPLICANT, StatusReason.APPLICATION),
        (100, Status.MEMBER, StatusReason.APPROVED),
    )


@pytest.fixture
def new_member():
    organisation = invitee_then_member()
    rep = RepresentativeFactory(organisation=organisation)
    # As an invitee, then an applicant: convened twice, present twice (not counted).
    for days, title in ((150, "Visite en invitée"), (120, "Atelier en invitée")):
        activity = held(days, title)
        convene(activity, organisation)
        attend(activity, rep)
    # Exactly at the approval: convened as a member (counted), absent.
    convene(
        ActivityFactory(starts_at=MEMBER_SINCE, title="Plénière du jour de l'adhésion"),
        organisation,
    )
    # As a member: convened three times more, present once.
    for days, title in ((60, "Atelier de membre"), (30, "Visite de membre"), (10, "Salon")):
        activity = held(days, title)
        convene(activity, organisation)
        if days == 60:
            attend(activity, rep)
    upcoming = ActivityFactory(starts_at=NOW + datetime.timedelta(days=5), title="Prochaine")
    convene(upcoming, organisation)
    return rep


@pytest.mark.rule("A3")
@freeze_time(NOW)
def test_the_ratio_task_counts_only_convocations_since_membership(new_member):
    assert attendance_ratios_compute_task.delay().get() == 1

    ratio = AttendanceRatio.objects.get(organisation=new_member.organisation)
    # Before: 3 / 6 (both invitee visits counted); now: 1 / 4, the member period only.
    assert (ratio.attended, ratio.convened) == (1, 4)
    assert ratio.window_start == MEMBER_SINCE
    assert ratio.window_end == NOW
    assert ratio.is_below_threshold is True  # 25 % < 33 %


@pytest.mark.rule("A3")
@freeze_time(NOW)
def test_the_member_page_dashboard_and_reminder_agree_with_the_member_period(new_member, client):
    attendance_ratios_compute_task.delay().get()
    client.force_login(new_member.user)

    response = client.get(reverse("activities:my_attendance"))

    html = response.content.decode()
    item = response.context["items"][0]
    assert [c.activity.title for c in item["counted"]] == [
        "Salon",
        "Visite de membre",
        "Atelier de membre",
        "Plénière du jour de l'adhésion",
    ]
    assert "25,0 % (1 sur 4)" in html
    assert "Votre entité est membre depuis le 7 mars 2026" in html
    assert "Visite en invitée" not in html
    assert "Atelier en invitée" not in html

    client.force_login(user_in(Role.COPIL))
    response = client.get(reverse("activities:ratio_dashboard"))
    rows = response.context["rows"]
    assert [(r["snapshot"].attended, r["snapshot"].convened) for r in rows] == [(1, 4)]
    assert "membre depuis le 7 mars 2026" in response.content.decode()

    today = timezone.localdate(NOW)
    reminders = list(
        attendance_threshold_deadlines(start=today, end=today + datetime.timedelta(days=10))
    )
    assert [(d.organisation_id, d.due) for d in reminders] == [
        (new_member.organisation_id, today + datetime.timedelta(days=5))
    ]


@pytest.mark.rule("A3")
@freeze_time(NOW)
def test_before_the_first_run_the_member_page_lists_the_member_period_only(new_member, client):
    client.force_login(new_member.user)

    response = client.get(reverse("activities:my_attendance"))

    item = response.context["items"][0]
    assert item["ratio"] is None
    assert [c.activity.title for c in item["counted"]] == [
        "Salon",
        "Visite de membre",
        "Atelier de membre",
        "Plénière du jour de l'adhésion",
    ]


def convened_and_present(organisation, *days_ago):
    rep = RepresentativeFactory(organisation=organisation)
    for days in days_ago:
        activity = held(days, f"Activité J-{days}")
        convene(activity, organisation)
        attend(activity, rep)


@pytest.mark.rule("A3")
@freeze_time(NOW)
def test_a_member_that_left_and_came_back_counts_from_its_return():
    organisation = history(
        OrganisationFactory(),
        (300, Status.MEMBER, StatusReason.IMPORTED),
        (200, Status.NONE, StatusReason.RESIGNED),
        (150, Status.APPLICANT, StatusReason.APPLICATION),
        (50, Status.MEMBER, StatusReason.APPROVED),
    )
    convened_and_present(organisation, 250, 100, 20)

    attendance_ratios_compute_task.delay().get()

    ratio = AttendanceRatio.objects.get(organisation=organisation)
    assert (ratio.attended, ratio.convened) == (1, 1)
    assert ratio.window_start == NOW - datetime.timedelta(days=50)


@pytest.mark.rule("A3")
@freeze_time(NOW)
def test_a_membership_start_dated_earlier_by_a_later_record_counts_from_the_earlier_date():
    # S1: history is never edited; a start found to be earlier is a new record at the
    # earlier date, the first record of the same membership stays.
    organisation = history(
        OrganisationFactory(),
        (200, Status.APPLICANT, StatusReason.APPLICATION),
        (40, Status.MEMBER, StatusReason.IMPORTED),
        (90, Status.MEMBER, StatusReason.IMPORTED),
    )
    convened_and_present(organisation, 150, 60, 20)

    attendance_ratios_compute_task.delay().get()

    ratio = AttendanceRatio.objects.get(organisation=organisation)
    assert (ratio.attended, ratio.convened) == (2, 2)
    assert ratio.window_start == NOW - datetime.timedelta(days=90)


@pytest.mark.rule("A3")
@freeze_time(NOW)
def test_a_member_of_long_standing_counts_the_whole_window():
    organisation = history(OrganisationFactory(), (800, Status.MEMBER, StatusReason.IMPORTED))
    convened_and_present(organisation, 400, 300, 20)

    attendance_ratios_compute_task.delay().get()

    ratio = AttendanceRatio.objects.get(organisation=organisation)
    assert (ratio.attended, ratio.convened) == (2, 2)
    assert ratio.window_start == NOW - relativedelta(months=12)
