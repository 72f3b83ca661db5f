"""A representative's dashboard (/espace/) reads the same number of queries whatever the
number of organisations and of items of each kind: its deadlines' sources read only what
concerns the person (core/deadlines.py DeadlineViewer), and a person's list holds the
same deadlines as the engine's, filtered on them."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from activities.models import AttendanceRatio
from core.deadlines import AHEAD_DAYS, OVERDUE_DAYS, deadline_list
from governance.commissions.models import Commission, CommissionMembership
from governance.models import CommissionStatus, ElectionStatus, MembershipStatus, StandingRole
from members import selectors
from members import services as members_services
from members.constants import InvitationState
from members.models import Invitation
from tests.activities.factories import ActivityFactory, convene
from tests.charters.factories import CharterVersionFactory
from tests.governance.commissions.factories import CommissionFactory, copil_user
from tests.governance.copil.factories import CopilMeetingFactory, MinutesRequestFactory
from tests.governance.elections.factories import ElectionFactory, member_rep

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 6, 15, 10, tzinfo=PARIS)
TODAY = NOW.date()
DASHBOARD = reverse("space:dashboard")
# The session, the user with their groups (core/auth_backends.py), the representations
# with what the sources ask of the person (core.deadlines.viewer_fact: K3, since when their
# organisation owes the charter), then one query per source that concerns them (two for
# the charter's re-signature: the version in force, the signatures); the navigation's
# "Élections" link costs nothing (the page knows). The performance issue's goal: 12.
QUERY_BUDGET = 12


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def in_paris(day: datetime.date, hour: int = 14) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)


def items(rep, copil, number: int, start: int = 0) -> None:
    """``number`` items of every kind that gives the representative a deadline, and as
    many for another member (what a dashboard must not read)."""
    for other in (rep, member_rep(since=datetime.date(2024, 1, 1))):
        for index in range(start, start + number):
            members_services.proof_request_create(
                organisation=other.organisation,
                actor=copil,
                description=f"Statuts {index}.",
                due_on=TODAY + days(14),
            )
            workshop = ActivityFactory(
                starts_at=in_paris(TODAY + days(10 + index)),
                ends_at=in_paris(TODAY + days(10 + index), 17),
            )
            convene(workshop, other.organisation)
            invitation = Invitation.objects.create(
                proposed_by=other.user,
                guest_name=f"Invité {index}",
                guest_email=f"invite{index}-{other.pk}@exemple.fr",
                guest_organisation_name="Atelier",
                starts_on=TODAY - days(10),
                ends_on=TODAY + days(5 + index),
                state=InvitationState.VALIDATED,
            )
            invitation.activities.set([workshop])
            MinutesRequestFactory(
                meeting=CopilMeetingFactory(title=f"COPIL {index}"),
                requester=other.user,
                organisation=other.organisation,
            )
            CommissionFactory(
                name=f"Commission {index} {other.pk}",
                slug=f"commission-{index}-{other.pk}",
                purpose="Objet.",
                start_date=TODAY - days(100),
                end_date=TODAY + days(20 + index),
                facilitator=other,
                status=CommissionStatus.ACTIVE,
            )
            ElectionFactory(
                status=ElectionStatus.ANNOUNCED,
                announced_at=NOW - days(5),
                plenary__starts_at=in_paris(TODAY + days(60 + index)),
                candidacy_deadline=in_paris(TODAY + days(20 + index)),
            )
        AttendanceRatio.objects.create(
            organisation=other.organisation,
            date=TODAY - days(10 + start),
            window_start=in_paris(TODAY - days(375)),
            window_end=in_paris(TODAY - days(10)),
            convened=4,
            attended=1,
            threshold_percent=33,
            computed_at=in_paris(TODAY - days(10)),
        )
        members_services.exclusion_open(
            organisation=member_rep(since=datetime.date(2024, 1, 1)).organisation,
            actor=copil,
            ground="image_harm",
            facts="Propos publics.",
        )


@pytest.fixture
def world():
    with freeze_time(NOW):
        CharterVersionFactory(label="V1 R001", effective_date=datetime.date(2021, 12, 2))
        CharterVersionFactory(label="V2 R001", effective_date=TODAY - days(60))  # unsigned
        copil = copil_user()
        rep = member_rep(since=datetime.date(2024, 1, 1))
        members_services.exclusion_open(
            organisation=rep.organisation,
            actor=copil,
            ground="image_harm",
            facts="Propos publics.",
        )
        items(rep, copil, 1)
    return rep, copil


def dashboard_queries(client) -> tuple[int, list]:
    with freeze_time(NOW):
        client.get(DASHBOARD)  # the session, the groups: as on any page
        with CaptureQueriesContext(connection) as context:
            response = client.get(DASHBOARD, {"echeances": "toutes"})  # every row listed
    assert response.status_code == 200
    return len(context), response.context["deadlines"]


def test_the_dashboard_reads_the_same_queries_whatever_the_number_of_items(client, world):
    rep, copil = world
    client.force_login(rep.user)
    few, rows = dashboard_queries(client)
    kinds = {row.deadline.kind for row in rows}

    with freeze_time(NOW):
        items(rep, copil, 5, start=1)
    many, more_rows = dashboard_queries(client)

    assert many == few
    assert many <= QUERY_BUDGET
    assert len(more_rows) > len(rows)
    assert kinds == {row.deadline.kind for row in more_rows}
    assert {
        "charters.resignature",
        "members.exclusion_response",
        "members.proof_request",
        "members.invitation_expiry",
        "members.invitation_acceptance",
        "activities.attendance_threshold",
        "governance.candidacy_deadline",
        "governance.commission_end",
        "governance.minutes_request",
    } <= kinds


@pytest.mark.parametrize("who", ["representative", "copil"])
def test_a_persons_deadlines_are_the_engines_filtered_on_them(world, who):
    rep, copil = world
    user = rep.user if who == "representative" else copil
    with freeze_time(NOW):
        window = {"start": TODAY - days(OVERDUE_DAYS), "end": TODAY + days(AHEAD_DAYS)}
        everyone = deadline_list(**window, user_id=user.pk)
        mine = selectors.person_deadlines(user=user)

    assert everyone
    assert [row.deadline.key for row in mine] == [d.key for d in everyone]
    for row, deadline in zip(mine, everyone, strict=True):
        assert row.can_act == deadline.can_act(user.pk)
        assert row.deadline.label == deadline.label
        assert row.deadline.act_url == deadline.act_url


def join_elections_commission(rep) -> None:
    """The representative is an accepted member of the standing elections commission (K3)."""
    CommissionMembership.objects.create(
        commission=Commission.objects.get(standing_role=StandingRole.ELECTIONS),
        representative=rep,
        status=MembershipStatus.ACCEPTED,
        volunteered_at=NOW - days(30),
    )


@pytest.mark.rule("V12")
def test_a_member_of_the_elections_commission_sees_what_it_runs_for_the_same_queries(client, world):
    """K3's membership is read with the representations (core.deadlines.viewer_fact): the
    person's list holds the commission's deadlines as the engine's does, and the
    dashboard's queries do not depend on the number of items."""
    rep, copil = world
    with freeze_time(NOW):
        join_elections_commission(rep)
        ElectionFactory(plenary__starts_at=in_paris(TODAY + days(70)))  # to announce
    client.force_login(rep.user)
    few, rows = dashboard_queries(client)
    with freeze_time(NOW):
        items(rep, copil, 5, start=1)
        ElectionFactory(plenary__starts_at=in_paris(TODAY + days(75)))
    many, more_rows = dashboard_queries(client)

    assert many == few
    announcements = [r for r in more_rows if r.deadline.kind == "governance.election_announcement"]
    assert len(announcements) == 2
    assert all(row.can_act for row in announcements)
    with freeze_time(NOW):
        window = {"start": TODAY - days(OVERDUE_DAYS), "end": TODAY + days(AHEAD_DAYS)}
        everyone = deadline_list(**window, user_id=rep.user_id)
    assert [row.deadline.key for row in more_rows] == [d.key for d in everyone]


def test_a_member_outside_the_elections_commission_is_not_given_its_deadlines(client, world):
    rep, _copil = world
    with freeze_time(NOW):
        ElectionFactory(plenary__starts_at=in_paris(TODAY + days(70)))
    client.force_login(rep.user)
    _count, rows = dashboard_queries(client)
    assert "governance.election_announcement" not in {row.deadline.kind for row in rows}
