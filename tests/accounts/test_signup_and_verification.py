"""Sign-up by e-mail, mandatory verification, password reset (allauth, in French)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from members.models import User

from .factories import PASSWORD, verified_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "une phrase de passe assez longue pour tenir"
CONFIRM_LINK = re.compile(r"http://testserver(/comptes/confirm-email/[-:\w]+/)")
RESET_LINK = re.compile(r"http://testserver(/comptes/password/reset/key/[-\w]+/)")


def signup(client, email="nouvelle@exemple.fr", password=NEW_PASSWORD):
    return client.post(
        reverse("account_signup"),
        {
            "first_name": "Nina",
            "last_name": "Nouvelle",
            "email": email,
            "password1": password,
            "password2": password,
        },
    )


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_signup_sends_a_french_verification_email(client):
    response = signup(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nouvelle@exemple.fr"]
    assert message.subject == "[COS-GE] Confirmez votre adresse e-mail"
    assert CONFIRM_LINK.search(message.body)
    user = User.objects.get(email="nouvelle@exemple.fr")
    assert EmailAddress.objects.get(user=user).verified is False
    assert SESSION_KEY not in client.session


def test_login_is_refused_before_the_address_is_verified(client):
    signup(client)
    client.logout()

    response = login(client, "nouvelle@exemple.fr", NEW_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert SESSION_KEY not in client.session


def test_the_confirmation_link_verifies_the_address_and_login_then_works(client):
    signup(client)
    path = CONFIRM_LINK.search(mail.outbox[0].body).group(1)

    page = client.get(path)
    assert page.status_code == 200
    assert "Confirmer" in page.content.decode()
    response = client.post(path)

    assert response.status_code == 302
    address = EmailAddress.objects.get(email="nouvelle@exemple.fr")
    assert address.verified is True
    client.logout()
    response = login(client, "nouvelle@exemple.fr", NEW_PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(address.user_id)


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = verified_user(email="oubli@exemple.fr")

    response = client.post(reverse("account_reset_password"), {"email": "oubli@exemple.fr"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[COS-GE] E-mail de réinitialisation de mot de passe"
    path = RESET_LINK.search(mail.outbox[0].body).group(1)
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_password_path = form_page.redirect_chain[-1][0]
    response = client.post(
        set_password_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)


def test_password_reset_for_an_unknown_address_sends_no_reset_link(client):
    client.post(reverse("account_reset_password"), {"email": "inconnu@exemple.fr"})

    # allauth does not reveal whether the address exists (no enumeration): the
    # page is the same and the mail only says no account uses this address.
    assert len(mail.outbox) == 1
    assert not RESET_LINK.search(mail.outbox[0].body)


def test_a_64_character_passphrase_is_accepted(client):
    passphrase = "Le COPIL se reunit le premier mardi de chaque mois a Metz 2026!!"
    assert len(passphrase) == 64

    response = signup(client, email="longue@exemple.fr", password=passphrase)

    assert response.status_code == 302
    assert User.objects.get(email="longue@exemple.fr").check_password(passphrase)


@pytest.mark.parametrize("password", ["motdepasse", "password123"])
def test_a_common_password_is_refused_in_french(client, password):
    response = signup(client, email="courant@exemple.fr", password=password)

    assert response.status_code == 200
    assert "Ce mot de passe est trop courant." in response.content.decode()
    assert not User.objects.filter(email="courant@exemple.fr").exists()
    assert mail.outbox == []


def test_passwords_are_hashed_with_argon2(client, settings):
    from cos_portal.settings.base import PASSWORD_HASHERS

    settings.PASSWORD_HASHERS = PASSWORD_HASHERS

    signup(client, email="argon@exemple.fr")

    user = User.objects.get(email="argon@exemple.fr")
    assert user.password.startswith("argon2$")
    assert user.check_password(NEW_PASSWORD)


def test_signup_asks_the_name_and_keeps_what_was_typed(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "sans-nom@exemple.fr", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Indiquez votre prénom." in page and "Indiquez votre nom." in page
    assert 'value="sans-nom@exemple.fr"' in page
    assert not User.objects.filter(email="sans-nom@exemple.fr").exists()


def test_the_name_given_at_signup_is_the_one_legal_texts_use(client):
    signup(client)

    user = User.objects.get(email="nouvelle@exemple.fr")
    assert (user.first_name, user.last_name) == ("Nina", "Nouvelle")
    assert user.get_full_name() == "Nina Nouvelle"
