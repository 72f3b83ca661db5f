"""The organisers' activity form names the convened entities by searching them (A1): the
page lists the entities already named and those a search found, never every entity of the
community, so it keeps its size at 20,000 organisations. The search works without
JavaScript: a sent search saves nothing and shows the form again as typed."""

import datetime
import html as html_lib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.constants import ConvenedScope, ConvocationSource
from activities.forms import INVITED_SEARCH_SHOWN
from activities.models import Activity
from tests.activities.factories import ActivityFactory
from tests.activities.test_activity_pages import form_data, organiser_user
from tests.members.factories import OrganisationFactory, member_organisation

pytestmark = pytest.mark.django_db

CREATE = reverse("activities:create")


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def checkbox(response, organisation) -> str:
    """The check box naming ``organisation``, as sent ("" when the page does not list it)."""
    page = response.content.decode()
    marker = f'value="{organisation.pk}"'
    start = page.find(marker)
    if start < 0:
        return ""
    return page[page.rfind("<input", 0, start) : page.find(">", start) + 1]


def upcoming_activity(organiser, **fields):
    activity = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=5), **fields)
    activity.organisers.add(organiser)
    return activity


@pytest.mark.rule("A1")
def test_the_form_keeps_its_size_and_queries_however_many_entities_exist(client):
    organiser = organiser_user()
    named = member_organisation(legal_name="Usinage de l'Est")
    activity = upcoming_activity(organiser, convened_scope=ConvenedScope.NAMED)
    activity.invited_organisations.add(named)
    client.force_login(organiser)
    pages = (CREATE, reverse("activities:edit", args=[activity.pk]))
    for url in pages:
        client.get(url)  # the session, the groups: as on any page

    def measure():
        sizes = []
        for url in pages:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            sizes.append((len(response.content), len(queries)))
        return sizes

    before = measure()
    OrganisationFactory.create_batch(40)
    after = measure()

    assert after == before
    edit = client.get(pages[1])
    assert "checked" in checkbox(edit, named)  # the entity already named, ticked


@pytest.mark.rule("A1")
def test_an_organiser_searches_an_entity_ticks_it_and_saves(client):
    organiser = organiser_user()
    other = member_organisation(legal_name="Forge vosgienne")
    named = member_organisation(legal_name="Usinage de l'Est")
    client.force_login(organiser)
    typed = form_data(title="Atelier robotique", convened_scope=ConvenedScope.NAMED, is_public="on")

    found = client.post(CREATE, {**typed, "invited_search": "usinage"})

    assert found.status_code == 200
    assert not Activity.objects.exists()  # a search saves nothing
    page = text(found)
    assert 'value="Atelier robotique"' in page  # what was typed, kept
    assert f'value="{typed["starts_at"]}"' in page
    assert found.context["form"]["is_public"].value() is True
    assert found.context["form"]["convened_scope"].value() == ConvenedScope.NAMED
    assert "1 entité trouvée pour « usinage »" in page
    assert checkbox(found, named) and "checked" not in checkbox(found, named)
    assert not checkbox(found, other)
    assert "est obligatoire" not in page  # no error shown before the form is saved

    saved = client.post(CREATE, {**typed, "invited_organisations": [named.pk]})

    assert saved.status_code == 302
    activity = Activity.objects.get()
    assert list(activity.convocations.values_list("organisation_id", "source")) == [
        (named.pk, ConvocationSource.NAMED)
    ]


@pytest.mark.rule("A1")
def test_a_search_keeps_the_entities_already_ticked_and_finds_by_siren(client):
    organiser = organiser_user()
    first = member_organisation(legal_name="Forge vosgienne")
    second = member_organisation(legal_name="Usinage de l'Est", siren="732829320")
    client.force_login(organiser)

    response = client.post(
        CREATE,
        {**form_data(), "invited_organisations": [first.pk], "invited_search": second.siren},
    )

    assert response.status_code == 200
    assert "checked" in checkbox(response, first)
    assert checkbox(response, second) and "checked" not in checkbox(response, second)


def test_a_broad_search_lists_its_first_entities_and_asks_to_narrow_it(client):
    client.force_login(organiser_user())
    for number in range(INVITED_SEARCH_SHOWN + 2):
        OrganisationFactory(legal_name=f"Atelier {number:02d}")

    response = client.post(CREATE, {**form_data(), "invited_search": "atel"})

    page = text(response)
    assert page.count('name="invited_organisations"') == INVITED_SEARCH_SHOWN
    assert f"Plus de {INVITED_SEARCH_SHOWN} entités correspondent à « atel »" in page


def test_a_search_without_a_match_or_without_words_says_so_in_french(client):
    client.force_login(organiser_user())
    member_organisation(legal_name="Forge vosgienne")

    nothing = client.post(CREATE, {**form_data(), "invited_search": "zzz"})
    empty = client.post(CREATE, {**form_data(), "invited_search": " ", "invited_search_go": "1"})

    assert "Aucune entité ne correspond à « zzz »." in text(nothing)
    assert "Saisissez une partie de la raison sociale, le SIREN ou un SIRET." in text(empty)
    assert not Activity.objects.exists()


@pytest.mark.rule("A1")
def test_unticking_a_named_entity_in_the_edit_form_stops_convening_it(client):
    organiser = organiser_user()
    kept = member_organisation(legal_name="Forge vosgienne")
    dropped = member_organisation(legal_name="Usinage de l'Est")
    activity = upcoming_activity(organiser, convened_scope=ConvenedScope.NAMED)
    activity.invited_organisations.add(kept, dropped)
    client.force_login(organiser)

    response = client.post(
        reverse("activities:edit", args=[activity.pk]),
        form_data(convened_scope=ConvenedScope.NAMED, invited_organisations=[kept.pk]),
    )

    assert response.status_code == 302
    assert list(activity.invited_organisations.all()) == [kept]


def test_a_sent_entity_that_does_not_exist_is_refused_in_french(client):
    client.force_login(organiser_user())

    response = client.post(CREATE, {**form_data(), "invited_organisations": ["999999"]})

    assert response.status_code == 400
    assert "Sélectionnez un choix valide. 999999 n’en fait pas partie." in text(response)
    assert not Activity.objects.exists()
