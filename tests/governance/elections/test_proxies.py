"""Written proxies for the COPIL election (V6)."""

import pytest
from freezegun import freeze_time

from charters.constants import CharterParameters
from governance.elections import services
from governance.exceptions import ElectionsError
from governance.models import Proxy, ProxyStatus, VoteRecord
from tests.governance.elections.factories import (
    PASSWORD,
    at,
    election_world,
    member_rep,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    with freeze_time(at(2027, 3, 1)):
        commission, _previous, election = election_world()
        services.election_announce(election=election, actor=commission)
        election.refresh_from_db()
        giver, holder = member_rep(), member_rep()
        services.candidacy_declare(election=election, user=member_rep().user, statement="A")
        yield commission, election, giver, holder


def give(election, giver, holder, **kwargs):
    return services.proxy_give(
        election=election,
        giver=giver.organisation,
        holder=holder.organisation,
        signer=kwargs.pop("signer", giver.user),
        password=kwargs.pop("password", PASSWORD),
    )


@pytest.mark.rule("V6")
def test_v6_a_signatory_gives_a_proxy_validated_by_the_commission(world):
    commission, election, giver, holder = world

    proxy = give(election, giver, holder)
    services.proxy_decide(proxy=proxy, actor=commission, approve=True)

    proxy.refresh_from_db()
    assert proxy.status == ProxyStatus.VALIDATED
    assert proxy.signed_by == giver.user
    assert proxy.decided_by == commission


@pytest.mark.rule("V6")
def test_v6_a_wrong_password_signs_nothing(world):
    _commission, election, giver, holder = world

    with pytest.raises(ElectionsError):
        give(election, giver, holder, password="faux")
    assert Proxy.objects.count() == 0


@pytest.mark.rule("V6")
def test_v6_a_non_signatory_cannot_give_a_proxy(world):
    _commission, election, _giver, holder = world
    plain = member_rep(signatory=False)

    with pytest.raises(ElectionsError):
        give(election, plain, holder)
    assert Proxy.objects.count() == 0


@pytest.mark.rule("V6")
def test_v6_only_the_commission_validates(world):
    _commission, election, giver, holder = world
    proxy = give(election, giver, holder)

    with pytest.raises(ElectionsError):
        services.proxy_decide(proxy=proxy, actor=holder.user, approve=True)
    proxy.refresh_from_db()
    assert proxy.status == ProxyStatus.SIGNED


@pytest.mark.rule("V6")
def test_v6_one_live_proxy_per_giver_and_no_chain(world):
    _commission, election, giver, holder = world
    give(election, giver, holder)
    third = member_rep()

    with pytest.raises(ElectionsError):
        give(election, giver, third)  # a second proxy from the same giver
    with pytest.raises(ElectionsError):
        give(election, third, giver)  # to an absent organisation that gave its own
    with pytest.raises(ElectionsError):
        give(election, holder, third)  # a holder does not give its own away
    assert Proxy.objects.count() == 1


@pytest.mark.rule("V6")
def test_v6_a_holder_may_carry_several_proxies_by_default(world):
    _commission, election, _giver, holder = world

    for _ in range(3):
        give(election, member_rep(), holder)

    assert Proxy.objects.filter(holder=holder.organisation).count() == 3


@pytest.mark.rule("V6")
def test_v6_the_cap_on_proxies_is_a_charter_parameter(world, monkeypatch):
    _commission, election, giver, holder = world
    monkeypatch.setattr(
        "governance.elections.services.proxies.charter_parameters",
        lambda on=None: CharterParameters(election_max_proxies=1),
    )
    give(election, giver, holder)

    with pytest.raises(ElectionsError) as error:
        give(election, member_rep(), holder)
    assert str(error.value.message) == (
        f"{holder.organisation.legal_name} porte déjà 1 procuration(s), le maximum."
    )


@pytest.mark.rule("V6")
def test_v6_the_giver_revokes_until_voting_opens(world):
    commission, election, giver, holder = world
    proxy = give(election, giver, holder)
    services.proxy_revoke(proxy=proxy, actor=giver.user)
    proxy.refresh_from_db()
    assert proxy.status == ProxyStatus.REVOKED

    second = give(election, giver, holder)
    services.proxy_decide(proxy=second, actor=commission, approve=True)
    with freeze_time(at(2027, 5, 20, 14, 5)):
        services.election_voting_open(election=election, actor=commission)
        with pytest.raises(ElectionsError) as error:
            services.proxy_revoke(proxy=second, actor=giver.user)
    assert str(error.value.message) == (
        "Le vote est ouvert : la procuration ne peut plus être révoquée."
    )
    second.refresh_from_db()
    assert second.status == ProxyStatus.VALIDATED


@pytest.mark.rule("V6")
def test_v6_a_proxy_giver_is_refused_at_the_ballot_box(world):
    commission, election, giver, holder = world
    proxy = give(election, giver, holder)
    services.proxy_decide(proxy=proxy, actor=commission, approve=True)
    candidacy = election.candidacies.get()

    with freeze_time(at(2027, 5, 20, 14, 5)):
        services.election_voting_open(election=election, actor=commission)
        with pytest.raises(ElectionsError) as error:
            services.ballot_cast(
                election=election,
                organisation=giver.organisation,
                voter=giver.user,
                candidacy_ids=[candidacy.pk],
                password=PASSWORD,
            )
        assert str(error.value.message) == (
            f"Votre entité a donné procuration à {holder.organisation.legal_name} : "
            "c'est elle qui vote pour vous."
        )
        assert VoteRecord.objects.count() == 0
        # The holder votes for it, and for itself.
        services.ballot_cast(
            election=election,
            organisation=giver.organisation,
            voter=holder.user,
            candidacy_ids=[candidacy.pk],
            password=PASSWORD,
        )
        services.ballot_cast(
            election=election,
            organisation=holder.organisation,
            voter=holder.user,
            candidacy_ids=[],
            password=PASSWORD,
        )
    records = {r.organisation_id: r.via_proxy_id for r in VoteRecord.objects.all()}
    assert records == {giver.organisation.pk: proxy.pk, holder.organisation.pk: None}


@pytest.mark.rule("V6")
def test_v6_an_unvalidated_proxy_does_not_let_the_holder_vote(world):
    commission, election, giver, holder = world
    give(election, giver, holder)
    candidacy = election.candidacies.get()

    with freeze_time(at(2027, 5, 20, 14, 5)):
        services.election_voting_open(election=election, actor=commission)
        with pytest.raises(ElectionsError):
            services.ballot_cast(
                election=election,
                organisation=giver.organisation,
                voter=holder.user,
                candidacy_ids=[candidacy.pk],
                password=PASSWORD,
            )
    assert VoteRecord.objects.count() == 0
