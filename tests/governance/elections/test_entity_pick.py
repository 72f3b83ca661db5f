"""The proxy form and the paper ballot form pick one member entity among thousands (V6):
found by a search of its name, SIREN or SIRET, never listed whole, so that neither page
grows with the community."""

import html
import re

import pytest
from django.urls import reverse
from freezegun import freeze_time

from governance.models import Proxy, VoteRecord
from tests.governance.elections.factories import PASSWORD, at, member_rep
from tests.governance.elections.test_ballots import VOTING, world  # noqa: F401
from tests.governance.elections.test_elections_views import announced  # noqa: F401

pytestmark = pytest.mark.django_db
SIGNING = at(2027, 3, 2)


def named(name: str):
    rep = member_rep(signatory=True)
    rep.organisation.legal_name = name
    rep.organisation.save()
    return rep


def text(response) -> str:
    return html.unescape(" ".join(response.content.decode().split()))


def give(client, election, giver, **data):
    return client.post(
        reverse("elections:proxy_give", kwargs={"pk": election.pk}),
        {"giver": giver.organisation.pk, "consent": "on", "password": PASSWORD, **data},
    )


@pytest.mark.rule("V6")
def test_v6_the_proxy_form_keeps_its_size_whatever_the_number_of_members(
    client,
    announced,  # noqa: F811
    django_assert_max_num_queries,
):
    _commission, election = announced
    url = reverse("elections:proxy_give", kwargs={"pk": election.pk})
    with freeze_time(SIGNING):
        giver = named("Donneuse SAS")
        for number in range(3):
            named(f"Membre {number:02}")
        client.force_login(giver.user)
        small = client.get(url)
        for number in range(3, 33):
            named(f"Membre {number:02}")
        with django_assert_max_num_queries(12):
            large = client.get(url)

    assert small.status_code == large.status_code == 200
    assert abs(len(large.content) - len(small.content)) < 100
    assert "Membre 32" not in large.content.decode()
    assert 'name="holder_search"' in large.content.decode()


@pytest.mark.rule("V6")
def test_v6_a_proxy_holder_is_searched_then_confirmed_before_the_proxy_is_signed(
    client,
    announced,  # noqa: F811
):
    _commission, election = announced
    with freeze_time(SIGNING):
        giver = named("Donneuse SAS")
        holder = named("Usinage Mosellan")
        named("Usinage Vosgien")
        client.force_login(giver.user)

        several = give(client, election, giver, holder_search="usinage")
        html = several.content.decode()
        assert several.status_code == 400 and Proxy.objects.count() == 0
        assert "Plusieurs entités correspondent" in html
        assert "Usinage Mosellan" in html and "Usinage Vosgien" in html
        assert 'value="usinage"' in html

        lone = give(client, election, giver, holder_search="mosellan")
        assert lone.status_code == 400 and Proxy.objects.count() == 0
        assert "Vérifiez l'entité trouvée ci-dessous, puis confirmez." in text(lone)
        assert re.search(rf'value="{holder.organisation.pk}"[^>]* checked', text(lone))

        none = give(client, election, giver, holder_search="Inconnue SA")
        assert none.status_code == 400
        assert "Aucune entité membre ne correspond à « Inconnue SA »." in text(none)

        missing = give(client, election, giver)
        assert missing.status_code == 400
        assert "Cherchez l'entité membre qui votera pour la vôtre." in text(missing)

        signed = give(
            client, election, giver, holder_search="usinage", holder=holder.organisation.pk
        )
    proxy = Proxy.objects.get()
    assert signed.status_code == 302
    assert (proxy.giver, proxy.holder) == (giver.organisation, holder.organisation)


@pytest.mark.rule("V6")
def test_v6_the_proxy_form_refuses_an_entity_that_cannot_hold_it(
    client,
    announced,  # noqa: F811
):
    _commission, election = announced
    with freeze_time(SIGNING):
        giver = named("Donneuse SAS")
        client.force_login(giver.user)
        itself = give(client, election, giver, holder=giver.organisation.pk)
        unknown = give(client, election, giver, holder=999_999_999)
        searched = give(client, election, giver, holder_search="Donneuse")

    assert itself.status_code == unknown.status_code == searched.status_code == 400
    assert "Sélectionnez un choix valide" in itself.content.decode()
    assert "Aucune entité membre ne correspond" in searched.content.decode()
    assert Proxy.objects.count() == 0


@pytest.mark.rule("V6", "V12")
def test_v6_the_paper_ballot_form_finds_the_entity_and_keeps_its_size(
    client,
    world,  # noqa: F811
    django_assert_max_num_queries,
):
    commission, election, _candidacies, voters = world
    url = reverse("elections:paper_ballot", kwargs={"pk": election.pk})
    with freeze_time(VOTING):
        client.force_login(commission)
        small = client.get(url)
        for number in range(30):
            named(f"Membre {number:02}")
        with django_assert_max_num_queries(14):
            large = client.get(url)
        target = voters[0].organisation
        target.legal_name = "Bulletin Papier SARL"
        target.save()
        found = client.post(url, {"organisation_search": "papier"})
        entered = client.post(url, {"organisation": target.pk, "candidates": []})
        again = client.post(url, {"organisation_search": "papier"})

    assert small.status_code == large.status_code == 200
    assert abs(len(large.content) - len(small.content)) < 100
    assert "Membre 29" not in large.content.decode()
    assert found.status_code == 400
    assert "Vérifiez l'entité trouvée ci-dessous, puis confirmez." in text(found)
    assert entered.status_code == 302
    assert VoteRecord.objects.get().organisation == target
    # Once it has voted, it is no longer among those a paper ballot can be entered for.
    assert again.status_code == 400
    assert "Aucune entité membre qui n'a pas encore voté ne correspond" in text(again)


@pytest.mark.rule("V6")
def test_v6_the_chosen_holder_stays_shown_when_the_password_is_wrong(
    client,
    announced,  # noqa: F811
):
    _commission, election = announced
    with freeze_time(SIGNING):
        giver = named("Donneuse SAS")
        holder = named("Usinage Mosellan")
        client.force_login(giver.user)
        wrong = give(client, election, giver, holder=holder.organisation.pk, password="pas le bon")

    assert wrong.status_code == 400 and Proxy.objects.count() == 0
    assert re.search(rf'value="{holder.organisation.pk}"[^>]* checked', text(wrong))
    assert "Usinage Mosellan" in text(wrong)
