"""Since when an organisation holds one of some statuses without a break (S1, X4): one SQL
definition (members.selectors.status_held_since_subquery) for a list and for a person's
representations, checked here against the history read change by change."""

import datetime

import pytest
from django.utils import timezone

from charters.selectors import SIGNATURE_OWING_STATUSES
from members import selectors
from members.constants import Status
from members.models import StatusChange
from tests.members.factories import OrganisationFactory, RepresentativeFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
M, P, INV, N, A = Status.MEMBER, Status.PARTNER, Status.INVITEE, Status.NONE, Status.APPLICANT

# Each history: (days before now, status); equal days are recorded in the order given.
HISTORIES = {
    "never changed": [],
    "member for a year": [(365, M)],
    "applicant then member": [(400, A), (365, M)],
    "member, partner, member": [(300, M), (200, P), (100, M)],
    "member, out, member again": [(300, M), (200, N), (100, M)],
    "member then out": [(300, M), (100, N)],
    "out then in on the same instant": [(300, M), (100, N), (100, M)],
    "in then out on the same instant": [(300, M), (100, M), (100, N)],
    "member from tomorrow": [(300, A), (-1, M)],
    "invitee then member": [(50, INV), (20, M)],
    "twice member": [(300, M), (250, M)],
}


def held_since_read_change_by_change(organisation, statuses, at):
    """The rule as the history reads: each change to a status asked starts a stretch
    unless one runs already; a change to another status ends it."""
    since = None
    changes = StatusChange.objects.filter(organisation=organisation, effective_at__lte=at)
    for change in changes.order_by("effective_at", "id"):
        since = (since or change.effective_at) if change.status in statuses else None
    return since


@pytest.fixture
def organisations():
    made = {}
    for name, history in HISTORIES.items():
        organisation = OrganisationFactory(legal_name=name)
        for days, status in history:
            StatusChangeFactory(
                organisation=organisation,
                status=status,
                effective_at=NOW - datetime.timedelta(days=days),
            )
        made[name] = organisation
    return made


@pytest.mark.every_database
@pytest.mark.rule("S1")
@pytest.mark.parametrize("statuses", [SIGNATURE_OWING_STATUSES, {M}, {M, P}])
def test_the_query_finds_what_the_history_says(organisations, statuses):
    expected = {
        organisation.pk: since
        for organisation in organisations.values()
        if (since := held_since_read_change_by_change(organisation, statuses, NOW))
    }
    found = selectors.statuses_held_since(
        organisation_ids=[o.pk for o in organisations.values()], statuses=statuses, at=NOW
    )
    assert found == expected
    assert found[organisations["member, partner, member"].pk] == NOW - datetime.timedelta(
        days=300 if P in statuses else 100
    )
    assert organisations["member then out"].pk not in found
    assert found[organisations["out then in on the same instant"].pk] == NOW - datetime.timedelta(
        days=100
    )
    assert organisations["in then out on the same instant"].pk not in found
    assert organisations["member from tomorrow"].pk not in found


@pytest.mark.every_database
@pytest.mark.rule("X4")
def test_a_persons_representations_carry_it_for_the_charters_deadlines(organisations):
    """What the re-signature deadline asks of a viewer comes with their representations."""
    person = RepresentativeFactory(organisation=organisations["member, partner, member"]).user
    RepresentativeFactory(user=person, organisation=organisations["member then out"])
    viewer = selectors.deadline_viewer(user=person)
    assert viewer.fact("charter_owing_since") == {
        organisations["member, partner, member"].pk: NOW - datetime.timedelta(days=300),
        organisations["member then out"].pk: None,
    }
