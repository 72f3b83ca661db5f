"""The admin's delete confirmation for objects that take thousands of others with them
(core/admin_delete.py): the objects chosen named, the others counted per kind, in the same
number of queries however many they are; what the person may not delete still refuses
the deletion; a deletion confirmed still deletes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Convocation
from core.admin_delete import DELETE_LISTED
from members.models import Establishment, Organisation
from tests.activities.factories import ActivityFactory
from tests.members.factories import (
    EstablishmentFactory,
    OrganisationFactory,
    UserFactory,
    member_organisation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def get(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(context.captured_queries)


def test_a_plenary_s_convocations_are_counted_and_still_refuse_the_deletion(superuser_client):
    activity = ActivityFactory(title="Plénière de printemps")
    url = reverse("admin:activities_activity_delete", args=[activity.pk])

    def convene(number):
        Convocation.objects.bulk_create(
            Convocation(activity=activity, organisation=member_organisation())
            for _ in range(number)
        )

    convene(DELETE_LISTED + 5)
    few, few_queries = get(superuser_client, url)
    convene(3 * DELETE_LISTED)
    many, many_queries = get(superuser_client, url)

    assert many_queries == few_queries
    content = many.content.decode()
    # Convocations are never deleted by hand: the page says so, as Django's does.
    assert "ne possède pas la permission de supprimer" in content
    assert "<li>convocation</li>" in content
    assert activity.__class__.objects.filter(pk=activity.pk).exists()


def test_an_organisation_and_its_many_establishments_are_named_counted_and_deleted(
    superuser_client,
):
    organisation = OrganisationFactory(legal_name="Forges de Lorraine")
    EstablishmentFactory.create_batch(DELETE_LISTED + 20, organisation=organisation)
    url = reverse("admin:members_organisation_delete", args=[organisation.pk])

    page, _queries = get(superuser_client, url)

    content = page.content.decode()
    change = reverse("admin:members_organisation_change", args=[organisation.pk])
    assert f'Entité: <a href="{change}">Forges de Lorraine</a>' in content
    assert "Avec les objets liés suivants, trop nombreux pour être nommés :" in content
    assert f"<li>Établissements : {DELETE_LISTED + 20}</li>" in content
    assert content.count("Établissement:") == 0  # not one line per establishment

    response = superuser_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=organisation.pk).exists()
    assert Establishment.objects.count() == 0


def test_the_delete_action_names_the_first_organisations_and_counts_the_others(
    superuser_client,
):
    chosen = OrganisationFactory.create_batch(DELETE_LISTED + 7)
    for organisation in chosen[:3]:
        EstablishmentFactory(organisation=organisation)
    url = reverse("admin:members_organisation_changelist")

    def confirm(organisations):
        with CaptureQueriesContext(connection) as context:
            response = superuser_client.post(
                url,
                {
                    "action": "delete_selected",
                    "_selected_action": [o.pk for o in organisations],
                },
            )
        assert response.status_code == 200
        return response.content.decode(), len(context.captured_queries)

    _few, few_queries = confirm(chosen[: DELETE_LISTED + 2])
    content, many_queries = confirm(chosen)

    assert many_queries == few_queries
    assert "… et 7 autres" in content
    assert "<li>Établissements : 3</li>" in content
    assert Organisation.objects.count() == DELETE_LISTED + 7  # nothing deleted yet
