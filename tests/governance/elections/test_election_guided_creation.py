"""The guided creation of an election: its prerequisites (V3, V9-V12) and their state are
stated before the form; whoever may not create it reads who may and how."""

import datetime
import html

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from freezegun import freeze_time

from governance.models import Election
from members.constants import Role
from tests.governance.elections.factories import at, commission_member, plenary, seat_holder
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.rule("V9", "V10", "V11", "V12")
def test_the_page_states_each_prerequisite_with_its_state_before_the_form(client):
    with freeze_time(at(2027, 3, 1)):
        commission = commission_member(first_name="Alix", last_name="Martin")
        commission.groups.add(Group.objects.get(name=Role.ORGANISERS))
        plenary(at(2027, 3, 20, 14), title="Plénière de printemps")
        plenary(at(2027, 5, 20, 14), title="Plénière de mai")
        seat_holder(1, start=datetime.date(2025, 5, 20))
        client.force_login(commission)

        response = client.get(reverse("elections:create"))

    page = text(response)
    assert response.status_code == 200
    assert [row.ok for row in response.context["prerequisites"]] == [True] * 5
    assert "Commission électorale : Alix Martin." in page
    assert "l'élection peut avoir lieu à partir du 12 avril 2027." in page
    assert "Prochaine plénière possible : 20 mai 2027, « Plénière de mai »." in page
    assert "Clôture des candidatures : 20 mars 2027, « Plénière de printemps »." in page
    assert "Sièges à renouveler au 20 mai 2027 : 5." in page
    assert page.index("Conditions préalables") < page.index('name="plenary"')
    assert reverse("elections:create") in client.get(reverse("home")).content.decode()


@pytest.mark.rule("V9", "V11")
def test_a_missing_plenary_says_so_with_a_link_to_create_it(client):
    with freeze_time(at(2027, 3, 1)):
        commission = commission_member()
        commission.groups.add(Group.objects.get(name=Role.ORGANISERS))
        plenary(at(2027, 3, 20, 14))  # too soon for the notice of six weeks
        client.force_login(commission)

        response = client.get(reverse("elections:create"))

    missing = response.context["prerequisites"][-1]
    assert response.status_code == 200
    assert not missing.ok
    assert missing.state == (
        "Aucune plénière ordinaire à partir du 12 avril 2027 hors des périodes sans élection : "
        "créez d'abord l'activité plénière."
    )
    assert missing.link_url == reverse("activities:create") + "?type=ordinary_plenary"
    assert missing.link_url.replace("&", "&amp;") in response.content.decode()


@pytest.mark.rule("V12")
def test_a_valid_post_creates_the_election_through_the_service(client):
    with freeze_time(at(2027, 3, 1)):
        commission = commission_member()
        plenary(at(2027, 3, 20, 14))
        target = plenary(at(2027, 5, 20, 14))
        seat_holder(1, start=datetime.date(2025, 5, 20))
        client.force_login(commission)

        response = client.post(
            reverse("elections:create"), {"title": "Élection 2027", "plenary": target.pk}
        )

    election = Election.objects.get()
    assert response.status_code == 302
    assert response["Location"] == election.get_absolute_url()
    assert (election.plenary_id, election.seats_to_fill) == (target.pk, 5)


@pytest.mark.rule("V11")
def test_an_invalid_post_keeps_the_input_and_shows_the_french_reason(client):
    with freeze_time(at(2027, 3, 1)):
        commission = commission_member()
        target = plenary(at(2027, 5, 20, 14))  # no ordinary plenary before it
        seat_holder(1, start=datetime.date(2025, 5, 20))
        client.force_login(commission)

        response = client.post(
            reverse("elections:create"), {"title": "Élection 2027", "plenary": target.pk}
        )

    assert response.status_code == 400
    assert "Les candidatures se clôturent à la réunion plénière ordinaire précédant" in text(
        response
    )
    assert response.context["form"]["title"].value() == "Élection 2027"
    assert "Aucune plénière ordinaire à venir avant le 20 mai 2027" in text(response)
    assert not Election.objects.exists()


@pytest.mark.rule("V12")
def test_the_copil_reads_who_may_create_it_and_how(client):
    with freeze_time(at(2027, 3, 1)):
        commission_member(first_name="Alix", last_name="Martin")
        copil = UserFactory(is_staff=True)
        copil.groups.add(Group.objects.get(name=Role.COPIL))
        client.force_login(copil)

        response = client.get(reverse("elections:create"))
        posted = client.post(reverse("elections:create"), {"title": "Élection", "plenary": 1})

    page = text(response)
    assert response.status_code == posted.status_code == 403
    assert "Qui peut préparer une élection ?" in page
    assert "Membres de la commission électorale : Alix Martin." in page
    assert "commission permanente « Élections du COPIL »" in page
    assert "Conditions préalables et état actuel" in page
    assert 'name="plenary"' not in page
    assert not Election.objects.exists()
