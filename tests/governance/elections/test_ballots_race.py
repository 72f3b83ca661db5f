"""Two requests racing to vote for the same organisation: exactly one ballot (V6, V7)."""

import threading

import pytest
from django.db import connection, connections
from freezegun import freeze_time

from governance.elections import services
from governance.exceptions import ElectionsError
from governance.models import Ballot, Election, ElectionStatus, SealedBallot, VoteRecord
from tests.governance.elections.factories import PASSWORD, at, election_world, member_rep
from tests.members.factories import RepresentativeFactory

VOTING = at(2027, 5, 20, 14, 5)


@pytest.mark.rule("V6", "V7")
def test_v7_two_simultaneous_votes_for_one_organisation_leave_one_ballot(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises whole-database writes)")
    with freeze_time(at(2027, 3, 1)):
        commission, _previous, election = election_world()
        services.election_announce(election=election, actor=commission)
        candidacy = services.candidacy_declare(
            election=Election.objects.get(pk=election.pk),
            user=member_rep().user,
            statement="Programme",
        )
        first = member_rep()
        second = RepresentativeFactory(
            organisation=first.organisation,
            start_date=first.start_date,
            is_authorised_signatory=True,
        )
    Election.objects.filter(pk=election.pk).update(status=ElectionStatus.VOTING)
    barrier = threading.Barrier(2)
    receipts, refusals, errors = [], [], []

    def vote(representative):
        try:
            barrier.wait(timeout=10)
            receipts.append(
                services.ballot_cast(
                    election=election,
                    organisation=representative.organisation,
                    voter=representative.user,
                    candidacy_ids=[candidacy.pk],
                    password=PASSWORD,
                    now=VOTING,
                )
            )
        except ElectionsError as refusal:
            refusals.append(str(refusal.message))
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=vote, args=(r,)) for r in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(receipts) == 1
    assert refusals == [
        f"{first.organisation.legal_name} a déjà voté : un bulletin ne se dépose qu'une fois."
    ]
    assert VoteRecord.objects.count() == 1
    # One sealed envelope; nothing in clear while the vote is open (V6).
    assert (SealedBallot.objects.count(), Ballot.objects.count()) == (1, 0)
