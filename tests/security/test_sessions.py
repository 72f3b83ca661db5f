"""Sessions: a new key at login, ended server-side at logout and on deactivation."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from core.models import AuditEntry
from members.services import user_deactivate
from tests.accounts.factories import PASSWORD, verified_user

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)


def session_key(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_login_gives_a_new_session_key(client):
    user = verified_user()
    anonymous = client.session
    anonymous["vu"] = True
    anonymous.save()
    before = anonymous.session_key

    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    after = session_key(client)
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert Session.objects.get(session_key=after).get_decoded()[SESSION_KEY] == str(user.pk)


def test_logout_deletes_the_session_row(client):
    user = verified_user()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    key = session_key(client)
    assert Session.objects.filter(session_key=key).exists()

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert SESSION_KEY not in client.session


def test_deactivating_a_person_ends_all_their_sessions():
    user, other = verified_user(), verified_user()
    actor = verified_user(is_staff=True)
    laptop, phone, colleague = Client(), Client(), Client()
    laptop.force_login(user)
    phone.force_login(user)
    colleague.force_login(other)
    mine = {session_key(laptop), session_key(phone)}

    user_deactivate(user=user, actor=actor, now=NOW)

    user.refresh_from_db()
    assert user.is_active is False
    assert not Session.objects.filter(session_key__in=mine).exists()
    assert Session.objects.filter(session_key=session_key(colleague)).exists()
    response = laptop.get(reverse("account_email"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    entry = AuditEntry.objects.get(action="members.user.deactivated")
    assert (entry.actor, entry.object_id, entry.data) == (
        actor,
        str(user.pk),
        {"sessions_ended": 2},
    )
    assert entry.created_at == NOW


def test_a_deactivated_person_cannot_log_in_again(client):
    user = verified_user()
    user_deactivate(user=user, actor=None, now=NOW)

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    assert SESSION_KEY not in client.session
    page = client.get(reverse("account_inactive"))
    assert "Ce compte est inactif." in page.content.decode()
