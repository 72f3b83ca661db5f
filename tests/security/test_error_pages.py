"""Generic French error pages: nothing technical is shown with DEBUG off."""

import pytest
from django.test import Client

from tests.accounts.factories import verified_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.urls")]


def test_a_server_error_shows_the_generic_page(settings):
    assert settings.DEBUG is False
    client = Client(raise_request_exception=False)

    response = client.get("/test/panne/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1>Erreur du serveur</h1>" in page
    assert "une panne imprévue" not in page
    assert "RuntimeError" not in page
    assert "Traceback" not in page


def test_an_unknown_page_shows_the_french_404(client):
    response = client.get("/nulle-part/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page introuvable</h1>" in page
    assert "Retour à l'accueil" in page


def test_a_refused_page_shows_the_french_403(client):
    client.force_login(verified_user())

    response = client.get("/test/interdit/")

    assert response.status_code == 403
    assert "<h1>Accès refusé</h1>" in response.content.decode()


def test_an_anonymous_refusal_offers_to_sign_in(client):
    response = client.get("/test/interdit/")

    assert response.status_code == 403
    assert '<a href="/comptes/login/?next=/test/interdit/">' in response.content.decode()


def test_a_csrf_failure_shows_the_french_page(settings):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/comptes/login/", {"login": "a@exemple.fr", "password": "x"})

    assert response.status_code == 403
    assert "<h1>Formulaire expiré</h1>" in response.content.decode()
