"""The online vote reads the same number of queries whatever the size of the election (V6, V7).

The voting page, the review of the ballot and its confirmation (the password re-entered)
go through the real view, for one voter of an election with 2 or 8 candidates, and 3 or
30 voters of whom all but one already voted (a rush: the register fills while others
vote). Each step's queries are counted at both sizes: the same count, within a budget.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.elections import services
from governance.models import ElectionStatus, SealedBallot, VoteRecord
from tests.governance.elections.factories import (
    PASSWORD,
    CandidacyFactory,
    ElectionFactory,
    member_rep,
)

pytestmark = pytest.mark.django_db

# Session, user with their groups (the navigation; core/auth_backends.py), the ballot's
# options (one query without a proxy held), the election, the candidacies.
PAGE_BUDGET = 5
# The page's reads, then the checks of the ballot (one query).
REVIEW_BUDGET = 6
# The page's reads, then the cast in its transaction: BEGIN, the election locked, the
# checks, the register's row, the box, the envelope, the audit entry, COMMIT.
CONFIRM_BUDGET = 13


def _election_open(*, candidates: int, voters: int):
    """An election in its vote, ``candidates`` candidacies, ``voters`` member signatories
    of whom all but the last already voted; the last one, with a signed-in client."""
    election = ElectionFactory(status=ElectionStatus.VOTING, voting_opened_at=timezone.now())
    candidacies = [CandidacyFactory(election=election) for _ in range(candidates)]
    representatives = [member_rep() for _ in range(voters)]
    for n, representative in enumerate(representatives[:-1]):
        services.ballot_cast(
            election=election,
            organisation=representative.organisation,
            voter=representative.user,
            candidacy_ids=[candidacies[n % candidates].pk],
            password=PASSWORD,
        )
    voter = representatives[-1]
    client = Client()
    client.force_login(voter.user)
    return election, candidacies, voter, client


def _queries_of_a_vote(*, candidates: int, voters: int) -> dict[str, int]:
    election, candidacies, voter, client = _election_open(candidates=candidates, voters=voters)
    url = reverse("elections:vote", kwargs={"pk": election.pk})
    choice = {"organisation": voter.organisation.pk, "candidates": [candidacies[-1].pk]}
    counts = {}
    with CaptureQueriesContext(connection) as page:
        answer = client.get(url)
    assert answer.status_code == 200 and "Vérifier mon bulletin" in answer.content.decode()
    counts["page"] = len(page)
    with CaptureQueriesContext(connection) as review:
        answer = client.post(url, {**choice, "step": "review"})
    assert answer.status_code == 200 and "Confirmer mon bulletin" in answer.content.decode()
    counts["review"] = len(review)
    with CaptureQueriesContext(connection) as confirm:
        answer = client.post(url, {**choice, "step": "confirm", "password": PASSWORD})
    assert answer.status_code == 200 and answer.context["receipt"]
    counts["confirm"] = len(confirm)
    # Every ballot stored once: one envelope and one row of the register per voter.
    assert SealedBallot.objects.filter(election=election).count() == voters
    assert VoteRecord.objects.filter(election=election).count() == voters
    return counts


@pytest.mark.rule("V6", "V7")
def test_v7_the_vote_reads_as_many_queries_with_2_or_8_candidates():
    few = _queries_of_a_vote(candidates=2, voters=3)
    many = _queries_of_a_vote(candidates=8, voters=3)

    assert few == many
    assert few["page"] <= PAGE_BUDGET
    assert few["review"] <= REVIEW_BUDGET
    assert few["confirm"] <= CONFIRM_BUDGET


@pytest.mark.rule("V6", "V7")
def test_v7_the_vote_reads_as_many_queries_with_3_or_30_voters():
    few = _queries_of_a_vote(candidates=2, voters=3)
    many = _queries_of_a_vote(candidates=2, voters=30)

    assert few == many
    assert few["page"] <= PAGE_BUDGET
    assert few["review"] <= REVIEW_BUDGET
    assert few["confirm"] <= CONFIRM_BUDGET
