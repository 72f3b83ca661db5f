"""A NUL character in a request is refused with a French page, never a server error."""

import pytest

from members.models import Organisation
from tests.members.factories import UserFactory


@pytest.mark.django_db
def test_a_nul_character_in_a_form_is_refused_and_nothing_is_saved(client):
    client.force_login(UserFactory())

    response = client.post("/candidature/", {"legal_name": "Atelier\x00Lorrain", "save_draft": "1"})

    assert response.status_code == 400
    assert "Requête invalide" in response.content.decode()
    assert not Organisation.objects.filter(legal_name__startswith="Atelier").exists()


@pytest.mark.django_db
def test_a_nul_character_in_a_search_is_refused(client):
    response = client.get("/annuaire/", {"q": "robot\x00"})

    assert response.status_code == 400
    assert "Requête invalide" in response.content.decode()
