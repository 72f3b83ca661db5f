"""Governance deadlines through the engine: elections (V2, V6, V9, V11), commissions (K1),
minutes requests (C4), charter revision (X2, X3) (governance/<subject>/deadlines.py)."""

import datetime

import pytest
from freezegun import freeze_time

from core.deadlines import deadline_kinds
from governance.elections import services
from governance.models import RevisionOrigin, RevisionStatus
from tests.core.deadline_helpers import (
    around,
    copil_member,
    days_before,
    morning,
    run_days,
    run_on,
)
from tests.governance.commissions.factories import CommissionFactory
from tests.governance.copil.factories import CopilMeetingFactory, MinutesRequestFactory
from tests.governance.elections.factories import (
    PASSWORD,
    at,
    commission_member,
    election_world,
    member_rep,
    plenary,
    seat_holder,
)
from tests.governance.revisions.factories import CharterRevisionFactory

D = datetime.date


@pytest.fixture
def world(db):
    with freeze_time(at(2027, 3, 1)):
        commission, previous, election = election_world()
    return commission, previous, election


@pytest.mark.rule("V9")
def test_election_announcement_six_weeks_before_the_plenary(world):
    commission, _previous, election = world
    copil = copil_member()
    due = D(2027, 4, 8)  # 20 May 2027 minus 6 weeks (V9)
    sent = run_on("governance.election_announcement", around(due, 30, 7, 1, 0))
    assert sorted(sent) == days_before(due, 30, 7, 1, 0)
    # V12: the commission announces; the COPIL is informed (the announcement is not its own).
    assert sent[due] == {(commission.pk, 0, False), (copil.pk, 0, True)}
    assert deadline_kinds()["governance.election_announcement"].required is True


@pytest.mark.rule("V9")
def test_an_announced_election_is_not_reminded_again(world):
    commission, _previous, election = world
    with freeze_time(at(2027, 3, 2)):
        services.election_announce(election=election, actor=commission)
    assert run_on("governance.election_announcement", around(D(2027, 4, 8), 30, 7, 0)) == {}


@pytest.mark.rule("V11")
def test_candidacy_deadline_reminds_the_members_and_informs_the_commission(world):
    commission, previous, election = world
    with freeze_time(at(2027, 3, 2)):
        services.election_announce(election=election, actor=commission)
    from members.models import Representative

    reps = set(Representative.objects.values_list("user_id", flat=True))
    due = D(2027, 3, 20)  # the previous ordinary plenary (V11)
    sent = run_on("governance.candidacy_deadline", around(due, 14, 3, 0))
    assert sorted(sent) == days_before(due, 14, 3, 0)
    assert {u for u, _o, informed in sent[due] if not informed} == reps
    assert {u for u, _o, informed in sent[due] if informed} == {commission.pk}
    assert deadline_kinds()["governance.candidacy_deadline"].required is False


@pytest.mark.rule("V6")
def test_signed_proxies_are_reminded_to_the_commission_before_the_vote(world):
    commission, _previous, election = world
    with freeze_time(at(2027, 3, 2)):
        services.election_announce(election=election, actor=commission)
        giver, holder = member_rep(), member_rep()
        services.proxy_give(
            election=election,
            giver=giver.organisation,
            holder=holder.organisation,
            signer=giver.user,
            password=PASSWORD,
        )
    due = D(2027, 5, 20)
    sent = run_on("governance.proxy_validation", around(due, 7, 2, 0))
    assert sorted(sent) == days_before(due, 7, 2, 0)
    assert sent[due] == {(commission.pk, 0, False)}


@pytest.mark.rule("V2")
def test_a_year_with_seats_to_renew_and_no_election_reminds_the_commission(db):
    commission = commission_member()
    copil = copil_member()
    for number in range(1, 6):
        seat_holder(number, start=D(2025, 5, 20))  # up in 2027 (V3)
    due = D(2027, 11, 7)  # 6 weeks before 19 December (V9, V10)
    sent = run_on("governance.election_needed", around(due, 120, 60, 30, 7, 0))
    assert sorted(sent) == days_before(due, 120, 60, 30, 7, 0)
    # V12: the commission creates the election; the COPIL is informed.
    assert sent[due] == {(commission.pk, 0, False), (copil.pk, 0, True)}
    # 2026: no seat is up (mandates of May 2025), no reminder.
    assert run_on("governance.election_needed", around(D(2026, 11, 7), 120, 0)) == {}


@pytest.mark.rule("V2")
def test_no_v2_reminder_when_the_election_of_the_year_is_planned(db):
    commission = commission_member()
    for number in range(1, 6):
        seat_holder(number, start=D(2025, 5, 20))
    with freeze_time(at(2027, 3, 1)):
        plenary(at(2027, 4, 10, 14))  # candidacies close at the previous plenary (V11)
        services.election_create(
            plenary=plenary(at(2027, 6, 10, 14)), title="Élection 2027", actor=commission
        )
    assert run_on("governance.election_needed", around(D(2027, 11, 7), 120, 60, 0)) == {}


@pytest.mark.rule("K1")
def test_commission_end_reminds_its_facilitator_and_informs_the_copil(db):
    from governance.models import CommissionStatus

    copil = copil_member()
    facilitator = member_rep()
    CommissionFactory(
        name="Salon 2026",
        slug="salon-2026",
        purpose="Préparer le salon.",
        start_date=D(2026, 1, 1),
        end_date=D(2026, 9, 30),
        facilitator=facilitator,
        status=CommissionStatus.ACTIVE,
    )
    due = D(2026, 9, 30)
    sent = run_on("governance.commission_end", around(due, 30, 7, 0))
    assert sorted(sent) == days_before(due, 30, 7, 0)
    assert sent[due] == {(facilitator.user_id, 0, False), (copil.pk, 0, True)}


@pytest.mark.rule("C4")
def test_minutes_request_awaiting_the_copil_is_reminded(db):
    copil = copil_member()
    requester = member_rep()
    meeting = CopilMeetingFactory(title="COPIL de mars", held_on=D(2026, 3, 10))
    with freeze_time(morning(D(2026, 4, 1))):
        MinutesRequestFactory(
            meeting=meeting,
            requester=requester.user,
            organisation=requester.organisation,
            reason="Suivi des décisions.",
        )
    due = D(2026, 5, 1)  # 30 days (interpretation)
    sent = run_on("governance.minutes_request", around(due, 23, 7, 0))
    assert sorted(sent) == days_before(due, 23, 7, 0)
    assert sent[due] == {(copil.pk, 0, False), (requester.user_id, 0, True)}


@pytest.mark.rule("X2", "X3")
def test_a_seized_copil_is_reminded_to_set_up_the_revision_commission(db):
    copil = copil_member()
    CharterRevisionFactory(
        origin=RevisionOrigin.PETITION,
        title="Révision 2026",
        reason="Actualiser les critères.",
        status=RevisionStatus.SEIZED,
        opened_at=morning(D(2026, 2, 1)),
        threshold_reached_at=morning(D(2026, 3, 1)),
        copil_notified_at=morning(D(2026, 3, 1)),
    )
    sent = run_days("governance.revision_seized", D(2026, 3, 1), D(2026, 4, 2))
    assert sorted(sent) == days_before(D(2026, 3, 31), 23, 7, 0)
    assert sent[D(2026, 3, 31)] == {(copil.pk, 0, False)}
