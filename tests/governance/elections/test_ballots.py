"""Secret ballot, tally and results (V6, V7, V8)."""

import datetime

import pytest
from django.db import connection
from freezegun import freeze_time

from governance.elections import services
from governance.exceptions import ElectionsError
from governance.models import (
    Ballot,
    BallotChoice,
    Candidacy,
    ElectionStatus,
    Mandate,
    MandateEndReason,
    SealedBallot,
    VoteRecord,
)
from tests.governance.elections.factories import PASSWORD, at, election_world, member_rep

pytestmark = pytest.mark.django_db
VOTING = at(2027, 5, 20, 14, 5)


@pytest.fixture
def world():
    """An election for 2 seats with 3 candidates, voting open, and 6 voters."""
    with freeze_time(at(2027, 3, 1)):
        commission, _previous, election = election_world(seats_up=2)
        services.election_announce(election=election, actor=commission)
        election.refresh_from_db()
        candidates = [member_rep() for _ in range(3)]
        candidacies = [
            services.candidacy_declare(election=election, user=c.user, statement="Projet")
            for c in candidates
        ]
        voters = [member_rep() for _ in range(6)]
    with freeze_time(VOTING):
        services.election_voting_open(election=election, actor=commission)
        election.refresh_from_db()
        yield commission, election, candidacies, voters


def cast(election, voter, choices):
    return services.ballot_cast(
        election=election,
        organisation=voter.organisation,
        voter=voter.user,
        candidacy_ids=[c.pk for c in choices],
        password=PASSWORD,
    )


@pytest.mark.rule("V6", "V7")
def test_v7_a_ballot_is_cast_once_and_gets_a_receipt(world):
    _commission, election, (a, b, _c), voters = world

    receipt = cast(election, voters[0], [a, b])
    with pytest.raises(ElectionsError) as error:
        cast(election, voters[0], [a])

    assert len(receipt) == 16
    assert str(error.value.message) == (
        f"{voters[0].organisation.legal_name} a déjà voté : un bulletin ne se dépose qu'une fois."
    )
    # One sealed envelope while the vote is open; no ballot in clear until the close.
    assert (SealedBallot.objects.count(), Ballot.objects.count()) == (1, 0)
    assert VoteRecord.objects.count() == 1
    services.election_voting_close(election=election, actor=_commission)
    assert list(Ballot.objects.values_list("receipt", flat=True)) == [receipt]
    assert BallotChoice.objects.count() == 2
    assert SealedBallot.objects.count() == 0


@pytest.mark.rule("V7")
def test_v7_more_approvals_than_seats_are_refused_and_nothing_is_saved(world):
    _commission, election, candidacies, voters = world

    with pytest.raises(ElectionsError) as error:
        cast(election, voters[0], candidacies)

    assert str(error.value.message) == (
        "Vous pouvez approuver au plus 2 candidat(s) : votre bulletin n'a pas été enregistré."
    )
    assert (SealedBallot.objects.count(), VoteRecord.objects.count()) == (0, 0)


@pytest.mark.rule("V7")
def test_v7_a_blank_ballot_is_allowed(world):
    commission, election, _candidacies, voters = world

    cast(election, voters[0], [])
    services.election_voting_close(election=election, actor=commission)

    assert Ballot.objects.count() == 1
    assert BallotChoice.objects.count() == 0


@pytest.mark.rule("V6")
def test_v6_one_vote_per_organisation_whatever_its_number_of_representatives(world):
    from tests.members.factories import RepresentativeFactory

    _commission, election, (a, *_rest), voters = world
    colleague = RepresentativeFactory(
        organisation=voters[0].organisation, is_authorised_signatory=True
    )
    cast(election, voters[0], [a])

    with pytest.raises(ElectionsError):
        cast(election, colleague, [a])
    assert VoteRecord.objects.count() == 1


@pytest.mark.rule("V6")
def test_v6_wrong_password_casts_nothing(world):
    _commission, election, (a, *_rest), voters = world

    with pytest.raises(ElectionsError):
        services.ballot_cast(
            election=election,
            organisation=voters[0].organisation,
            voter=voters[0].user,
            candidacy_ids=[a.pk],
            password="faux",
        )
    assert (SealedBallot.objects.count(), VoteRecord.objects.count()) == (0, 0)


@pytest.mark.rule("V6")
def test_v6_a_non_signatory_or_outsider_cannot_vote_for_an_organisation(world):
    _commission, election, (a, *_rest), voters = world
    plain = member_rep(signatory=False)

    for voter, organisation in ((plain, plain.organisation), (voters[1], voters[0].organisation)):
        with pytest.raises(ElectionsError):
            services.ballot_cast(
                election=election,
                organisation=organisation,
                voter=voter.user,
                candidacy_ids=[a.pk],
                password=PASSWORD,
            )
    assert VoteRecord.objects.count() == 0


@pytest.mark.rule("V6", "V12")
def test_v6_the_commission_enters_paper_ballots(world):
    commission, election, (a, *_rest), voters = world

    services.ballot_cast(
        election=election,
        organisation=voters[0].organisation,
        voter=commission,
        candidacy_ids=[a.pk],
        on_paper=True,
    )
    with pytest.raises(ElectionsError):
        services.ballot_cast(
            election=election,
            organisation=voters[1].organisation,
            voter=voters[2].user,
            candidacy_ids=[a.pk],
            on_paper=True,
        )
    record = VoteRecord.objects.get()
    assert (record.organisation, record.on_paper, record.cast_by) == (
        voters[0].organisation,
        True,
        commission,
    )


@pytest.mark.rule("V6")
def test_v6_no_ballot_once_the_vote_is_closed(world):
    commission, election, (a, *_rest), voters = world
    services.election_voting_close(election=election, actor=commission)

    with pytest.raises(ElectionsError):
        cast(election, voters[0], [a])
    assert VoteRecord.objects.count() == 0


@pytest.mark.rule("V8", "V12")
def test_v8_tally_elects_in_decreasing_order_and_publishing_seats_the_elected(
    world, django_capture_on_commit_callbacks
):
    commission, election, (a, b, c), voters = world
    for voter, choices in zip(voters, [[a, b], [a, b], [a, c], [a], [b], []], strict=True):
        cast(election, voter, choices)
    services.election_voting_close(election=election, actor=commission)

    ranking = services.election_tally(election=election, actor=commission)
    with django_capture_on_commit_callbacks(execute=True):
        services.election_results_publish(election=election, actor=commission)

    assert ranking.elected == [a.pk, b.pk] and not ranking.has_tie
    assert {x.pk: (x.votes, x.is_elected) for x in Candidacy.objects.all()} == {
        a.pk: (4, True),
        b.pk: (3, True),
        c.pk: (1, False),
    }
    election.refresh_from_db()
    assert election.status == ElectionStatus.PUBLISHED
    assert election.electorate.count() == 5 + 3 + 6  # seat holders, candidates, voters
    assert services.selectors.ballot_counts(election=election) == {"total": 6, "blank": 1}
    running = Mandate.objects.filter(end_date__isnull=True).order_by("seat__number")
    assert [(m.seat.number, m.holder_id) for m in running][:2] == [
        (1, a.candidate_id),
        (2, b.candidate_id),
    ]
    ended = Mandate.objects.filter(seat__number__in=[1, 2], end_date__isnull=False)
    assert {m.end_reason for m in ended} == {MandateEndReason.TERM}
    assert a.candidate.groups.filter(name="COPIL").exists()


@pytest.mark.rule("V8")
def test_v8_rank_candidates_flags_a_tie_for_the_last_seat():
    assert services.rank_candidates({1: 5, 2: 3, 3: 3, 4: 1}, 2) == services.Ranking(
        elected=[1], tied=[2, 3], tied_seats=1
    )
    assert services.rank_candidates({1: 3, 2: 3, 3: 3}, 2) == services.Ranking(
        elected=[], tied=[1, 2, 3], tied_seats=2
    )
    assert services.rank_candidates({1: 3, 2: 3, 3: 1}, 2).has_tie is False
    assert services.rank_candidates({1: 0}, 2) == services.Ranking(
        elected=[1], tied=[], tied_seats=0
    )


@pytest.mark.rule("V8", "V12")
def test_v8_a_tie_is_flagged_and_resolved_by_the_commission_with_a_note(world):
    commission, election, (a, b, c), voters = world
    for voter, choices in zip(voters[:3], [[a, b], [a, c], []], strict=True):
        cast(election, voter, choices)
    services.election_voting_close(election=election, actor=commission)
    ranking = services.election_tally(election=election, actor=commission)
    election.refresh_from_db()

    assert ranking.tied == [b.pk, c.pk] or ranking.tied == [c.pk, b.pk]
    assert election.tie_flagged
    with pytest.raises(ElectionsError):
        services.election_results_publish(election=election, actor=commission)
    with pytest.raises(ElectionsError):
        services.election_tie_resolve(
            election=election, actor=commission, winner_ids=[a.pk], note="Tirage au sort."
        )
    services.election_tie_resolve(
        election=election, actor=commission, winner_ids=[c.pk], note="Tirage au sort en séance."
    )
    services.election_results_publish(election=election, actor=commission)

    election.refresh_from_db()
    assert election.tie_resolution == "Tirage au sort en séance."
    assert election.tie_resolved_by == commission
    assert set(Candidacy.objects.filter(is_elected=True).values_list("pk", flat=True)) == {
        a.pk,
        c.pk,
    }


@pytest.mark.rule("V8")
@pytest.mark.parametrize("ballots", [1, 6])
def test_v8_the_tally_takes_the_same_number_of_queries_whatever_the_ballots(
    world, ballots, django_assert_num_queries
):
    commission, election, (a, b, c), voters = world
    for voter in voters[:ballots]:
        cast(election, voter, [a, b])
    services.election_voting_close(election=election, actor=commission)

    with django_assert_num_queries(13):
        services.election_tally(election=election, actor=commission)


@pytest.mark.rule("V7")
def test_v7_a_ballot_cannot_name_a_withdrawn_or_foreign_candidacy(world):
    _commission, election, (a, *_rest), voters = world
    Candidacy.objects.filter(pk=a.pk).update(
        withdrawn_at=datetime.datetime(2027, 3, 2, tzinfo=datetime.UTC)
    )

    with pytest.raises(ElectionsError):
        cast(election, voters[0], [a])
    assert connection.vendor in {"sqlite", "postgresql"}
    assert VoteRecord.objects.count() == 0
