"""Journey: a COPIL election with a proxy, on a phone, in Chromium (V6, V7).

The holder's signatory votes for its own organisation, then for the absent organisation
that gave it a validated proxy; the giver's signatory finds nothing left to vote.
"""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import expect

from activities.constants import ActivityKind
from governance.models import Candidacy, Election, ElectionStatus, Proxy, SealedBallot, VoteRecord
from tests.activities.factories import ActivityFactory
from tests.governance.elections.factories import PASSWORD, member_rep
from tests.members.factories import UserFactory

pytestmark = pytest.mark.browser


def login(page, user, next_url):
    page.goto(f"/comptes/login/?next={next_url}")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")


@pytest.mark.rule("V6", "V7")
def test_election_with_a_proxy_on_a_phone(phone_page, screenshot):
    page = phone_page
    now = timezone.now()
    election = Election.objects.create(
        title="Élection du COPIL",
        plenary=ActivityFactory(kind=ActivityKind.ORDINARY_PLENARY, starts_at=now),
        election_date=timezone.localdate(now),
        candidacy_deadline=now - datetime.timedelta(days=60),
        seats_to_fill=2,
        status=ElectionStatus.VOTING,
        voting_opened_at=now,
    )
    names = ["Alice Bernard", "Bruno Colin", "Chloé Dumas"]
    for name in names:
        first, last = name.split()
        rep = member_rep(user=UserFactory(first_name=first, last_name=last))
        Candidacy.objects.create(
            election=election, candidate=rep.user, organisation=rep.organisation, statement="Projet"
        )
    holder = member_rep(user=UserFactory(first_name="Hélène", last_name="Porteur"))
    giver = member_rep(user=UserFactory(first_name="Gilles", last_name="Absent"))
    holder.organisation.legal_name = "Usinage Mosellan"
    holder.organisation.save()
    giver.organisation.legal_name = "Forges de Lorraine"
    giver.organisation.save()
    Proxy.objects.create(
        election=election,
        giver=giver.organisation,
        holder=holder.organisation,
        signed_by=giver.user,
        signed_at=now,
        signer_name="Gilles Absent",
        status="validated",
    )
    for rep in (holder, giver):
        EmailAddress.objects.create(
            user=rep.user, email=rep.user.email, verified=True, primary=True
        )
    vote_url = f"/elections/{election.pk}/voter/"

    login(page, holder.user, vote_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Voter")
    page.get_by_label("Usinage Mosellan", exact=True).check()
    page.get_by_label("Alice Bernard").check()
    screenshot(page, "election-vote-phone")
    page.get_by_role("button", name="Vérifier mon bulletin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer mon bulletin")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    screenshot(page, "election-vote-confirm-phone")
    page.get_by_role("button", name="Déposer mon bulletin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bulletin déposé")
    first_receipt = page.locator("code").first.inner_text()

    page.get_by_role("link", name="Voter pour une autre entité (procuration)").click()
    page.get_by_label("Forges de Lorraine (procuration)").check()
    page.get_by_label("Alice Bernard").check()
    page.get_by_label("Bruno Colin").check()
    page.get_by_role("button", name="Vérifier mon bulletin").click()
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Déposer mon bulletin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bulletin déposé")
    second_receipt = page.locator("code").first.inner_text()
    assert page.console_errors == []
    screenshot(page, "election-voted-by-proxy")

    page.context.clear_cookies()
    login(page, giver.user, vote_url)
    expect(page.get_by_text("Vous n'avez aucun vote à exprimer")).to_be_visible()

    # Two receipts, two sealed envelopes: nothing in clear while the vote is open (V6).
    assert len({first_receipt, second_receipt}) == 2
    assert SealedBallot.objects.count() == 2
    records = dict(VoteRecord.objects.values_list("organisation_id", "via_proxy_id"))
    assert records.keys() == {holder.organisation_id, giver.organisation_id}
    assert records[holder.organisation_id] is None
