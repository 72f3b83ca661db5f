"""Failed logins are limited per address: five tries, then HTTP 429 (ACCOUNT_RATE_LIMITS)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from .factories import PASSWORD, verified_user

pytestmark = pytest.mark.django_db


def test_the_sixth_wrong_login_for_one_address_answers_429(client):
    verified_user(email="cible@exemple.fr")
    url = reverse("account_login")
    wrong = {"login": "cible@exemple.fr", "password": "pas-le-bon-mot-de-passe"}

    statuses = [client.post(url, wrong).status_code for _ in range(5)]
    sixth = client.post(url, wrong)

    assert statuses == [200] * 5
    assert sixth.status_code == 429
    page = sixth.content.decode()
    assert "Trop de tentatives" in page
    assert '<html lang="fr">' in page
    # Even the right password is refused while the limit holds.
    right = client.post(url, {"login": "cible@exemple.fr", "password": PASSWORD})
    assert right.status_code == 429
    assert SESSION_KEY not in client.session


def test_the_limit_is_per_address(client):
    verified_user(email="cible@exemple.fr")
    other = verified_user(email="autre@exemple.fr")
    url = reverse("account_login")
    for _ in range(6):
        client.post(url, {"login": "cible@exemple.fr", "password": "pas-le-bon"})

    response = client.post(url, {"login": "autre@exemple.fr", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(other.pk)
