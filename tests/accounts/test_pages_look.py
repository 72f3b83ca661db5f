"""allauth's pages in the portal's layout: base.html, French, Bootstrap forms."""

import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from .factories import PASSWORD, verified_user

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGES = {
    "account_login": "Connexion",
    "account_signup": "Création de compte",
    "account_reset_password": "Réinitialisation du mot de passe",
    "account_reset_password_done": "Réinitialisation du mot de passe",
    "account_email_verification_sent": "Vérifiez votre adresse e-mail",
    "account_inactive": "Compte inactif",
}
SIGNED_IN_PAGES = {
    "account_email": "Adresses e-mail",
    "account_change_password": "Modifier le mot de passe",
    "account_logout": "Se déconnecter",
    "mfa_index": "Authentification à deux facteurs",
    "mfa_activate_totp": "Activer l'application d'authentification",
}


def assert_portal_page(response, heading):
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert '<main id="contenu"' in page  # the portal's base.html
    assert 'href="/static/vendor/bootstrap/bootstrap.min.css"' in page
    h1s = [re.sub(r"\s+", " ", h).strip() for h in re.findall(r"<h1[^>]*>(.*?)</h1>", page, re.S)]
    assert h1s == [heading]
    assert " style=" not in page  # the CSP forbids inline styles
    return page


@pytest.mark.parametrize(("name", "heading"), ANONYMOUS_PAGES.items())
def test_anonymous_account_pages_use_the_portal_layout(client, name, heading):
    assert_portal_page(client.get(reverse(name)), heading)


@pytest.mark.parametrize(("name", "heading"), SIGNED_IN_PAGES.items())
def test_signed_in_account_pages_use_the_portal_layout(client, name, heading):
    user = verified_user()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    page = assert_portal_page(client.get(reverse(name)), heading)

    assert 'aria-label="Mon compte"' in page or name == "account_logout"


def test_forms_have_bootstrap_markup_and_labels(client):
    page = client.get(reverse("account_login")).content.decode()

    assert re.search(r'<label\s+for="id_login" class="form-label requiredField">', page)
    assert 'class="textinput form-control"' in page
    assert 'class="btn btn-primary"' in page


def test_login_errors_are_tied_to_the_form_in_french(client):
    verified_user(email="erreur@exemple.fr")

    response = client.post(
        reverse("account_login"), {"login": "erreur@exemple.fr", "password": "pas-le-bon"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert" id="erreurs"' in page  # the error summary (issue 10)
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in page
    assert 'value="erreur@exemple.fr"' in page  # what was typed is kept


def test_recovery_codes_page_uses_the_portal_layout(client):
    user = verified_user()
    TOTP.activate(user, generate_totp_secret())
    codes = RecoveryCodes.activate(user).get_unused_codes()
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.get(reverse("mfa_view_recovery_codes"))

    page = assert_portal_page(response, "Codes de récupération")
    assert codes[0] in page
    assert 'class="form-control font-monospace"' in page


def test_the_navigation_leads_to_the_account_settings(client):
    user = verified_user(first_name="Anne", last_name="Martin")
    client.force_login(user)

    page = client.get(reverse("home")).content.decode()

    assert (
        '<a class="nav-link me-2" href="/comptes/email/">'
        '<span class="visually-hidden">Mon compte : </span>Anne Martin</a>'
    ) in page
