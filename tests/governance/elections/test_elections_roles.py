"""Who runs the election (V12) and the guard on password re-entry at the ballot box (V6)."""

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from governance.elections import services
from governance.elections.selectors import is_election_commission
from governance.models import Commission, VoteRecord
from tests.governance.commissions.factories import CommissionMembershipFactory
from tests.governance.elections.factories import PASSWORD, at, election_world, member_rep
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.rule("V12")
def test_v12_accepted_members_of_the_standing_elections_commission_run_the_ballot():
    rep = member_rep()
    volunteer = member_rep()
    commission = Commission.objects.get(standing_role="elections")
    now = timezone.now()
    CommissionMembershipFactory(
        commission=commission, representative=rep, status="accepted", volunteered_at=now
    )
    CommissionMembershipFactory(
        commission=commission, representative=volunteer, status="volunteered", volunteered_at=now
    )

    assert is_election_commission(rep.user)
    assert not is_election_commission(volunteer.user)
    assert not is_election_commission(UserFactory())


@pytest.mark.rule("V6")
def test_v6_five_wrong_passwords_pause_the_voting_page(client):
    with freeze_time(at(2027, 3, 1)):
        commission, _previous, election = election_world()
        services.election_announce(election=election, actor=commission)
        candidacy = services.candidacy_declare(
            election=election, user=member_rep().user, statement="Programme"
        )
        voter = member_rep()
    with freeze_time(at(2027, 5, 20, 14, 5)):
        services.election_voting_open(election=election, actor=commission)
        client.force_login(voter.user)
        url = reverse("elections:vote", kwargs={"pk": election.pk})
        data = {"organisation": voter.organisation.pk, "candidates": [candidacy.pk]}
        for _ in range(5):
            client.post(url, {**data, "password": "faux", "step": "confirm"})
        blocked = client.post(url, {**data, "password": PASSWORD, "step": "confirm"})

    assert blocked.status_code == 400
    assert "Trop de tentatives" in blocked.content.decode()
    assert VoteRecord.objects.count() == 0
