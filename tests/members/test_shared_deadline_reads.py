"""What the deadline sources of one list read once and share (core.deadlines.deadline_memo):
every organisation's current status (S1) and every organisation's active representatives.
Shared or not, each source must find what it would have read alone."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from core.deadlines import deadline_clock, deadline_memo, deadline_now
from members import selectors
from members.constants import Status
from members.deadlines import representative_user_ids
from tests.members.factories import OrganisationFactory, RepresentativeFactory, UserFactory
from tests.members.test_status_held_since import NOW, organisations  # noqa: F401

pytestmark = pytest.mark.django_db

STATUS_SETS = [{Status.MEMBER}, {Status.PARTNER}, {Status.MEMBER, Status.PARTNER}, set(Status)]


@pytest.mark.every_database
@pytest.mark.rule("S1")
def test_the_organisations_holding_a_status_are_those_whose_latest_change_says_so(
    organisations,  # noqa: F811
):
    """Both readings (DISTINCT ON on PostgreSQL, a subquery per organisation elsewhere)
    against the status read organisation by organisation: same instant changes in the
    order recorded, a change from tomorrow not yet, no change at all no status."""
    for at in (NOW, NOW - datetime.timedelta(days=150), NOW - datetime.timedelta(days=1000)):
        status_of = {  # none before any change (not even Status.NONE), as the lists filter
            organisation.pk: selectors.organisation_status(organisation=organisation, at=at)
            for organisation in organisations.values()
            if organisation.status_changes.filter(effective_at__lte=at).exists()
        }
        for statuses in STATUS_SETS:
            wanted = {str(status) for status in statuses}
            expected = {pk for pk, status in status_of.items() if status in wanted}
            assert selectors.organisation_ids_holding(statuses, at=at) == expected
    holding = selectors.organisation_ids_holding({Status.MEMBER}, at=NOW)
    assert organisations["out then in on the same instant"].pk in holding
    assert organisations["in then out on the same instant"].pk not in holding
    assert organisations["member from tomorrow"].pk not in holding
    assert organisations["never changed"].pk not in selectors.organisation_ids_holding(
        set(Status), at=NOW
    )


def test_a_list_reads_every_status_once_whatever_the_statuses_asked(organisations):  # noqa: F811
    with deadline_memo():
        with CaptureQueriesContext(connection) as first:
            members = selectors.organisation_ids_holding({Status.MEMBER}, at=NOW)
        with CaptureQueriesContext(connection) as then:
            partners = selectors.organisation_ids_holding({Status.PARTNER}, at=NOW)
            assert selectors.organisation_ids_holding({Status.MEMBER}, at=NOW) == members
    assert len(first) == 1
    assert len(then) == 0
    assert selectors.organisation_ids_holding({Status.PARTNER}, at=NOW) == partners


@pytest.fixture
def represented():
    """Three organisations: two representatives (one ended yesterday, one whose account
    is closed), one, none; and their people."""
    today = timezone.localdate()
    first, second, third = (OrganisationFactory(legal_name=name) for name in "ABC")
    kept = [RepresentativeFactory(organisation=first) for _ in range(2)]
    RepresentativeFactory(organisation=first, end_date=today - datetime.timedelta(days=1))
    RepresentativeFactory(organisation=first, user=UserFactory(is_active=False))
    alone = RepresentativeFactory(organisation=second)
    return {
        first.pk: {r.user_id for r in kept},
        second.pk: {alone.user_id},
        third.pk: set(),
    }


def test_the_representatives_read_once_for_a_list_are_those_read_alone(represented):
    today = timezone.localdate()
    first, second, third = represented
    alone = representative_user_ids([first, third], on=today)
    assert {pk: set(ids) for pk, ids in alone.items()} == {first: represented[first]}

    with deadline_memo(), CaptureQueriesContext(connection) as read:
        shared_first = representative_user_ids([first, third], on=today)
        shared_second = representative_user_ids({second}, on=today)
        shared_all = representative_user_ids(list(represented), on=today)
    assert len(read) == 1
    assert shared_first == alone
    assert shared_second == representative_user_ids([second], on=today)
    assert shared_all == representative_user_ids(list(represented), on=today)
    assert third not in shared_all


def test_the_sources_of_a_list_read_the_database_as_at_one_moment():
    with freeze_time("2026-06-15 08:00:00", tick=True):
        with deadline_memo():
            start = deadline_now()
            with deadline_memo():  # a nested block keeps the outer one's moment
                assert deadline_now() == start
            assert deadline_now() == start
        assert deadline_now() > start  # outside, the clock runs again
        engine_moment = timezone.now() - datetime.timedelta(days=3)
        with deadline_clock(engine_moment), deadline_memo():
            assert deadline_now() == engine_moment
