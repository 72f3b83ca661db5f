"""The security log: logins, failures and refusals, never a password, token or key."""

import logging
import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.factories import PASSWORD, verified_user

pytestmark = pytest.mark.django_db

SIGNUP_PASSWORD = "phrase de passe pour le journal 2026"
WRONG_PASSWORD = "mauvaise-phrase-de-passe-42"
RESET_PASSWORD = "nouvelle phrase de passe du journal"


def security_records(caplog):
    return [r for r in caplog.records if r.name == "cos_portal.security"]


def events(caplog):
    return [r.security["event"] for r in security_records(caplog)]


def everything_logged(caplog) -> str:
    """Every message, argument and extra field of every record, of every logger."""
    return "\n".join(f"{r.getMessage()} {r.args!r} {vars(r)!r}" for r in caplog.records)


def test_no_password_token_or_key_reaches_the_logs(client, caplog):
    caplog.set_level(logging.DEBUG)

    # Sign up, confirm the address (key in the link), sign out.
    client.post(
        reverse("account_signup"),
        {
            "first_name": "Jules",
            "last_name": "Journal",
            "email": "journal@exemple.fr",
            "password1": SIGNUP_PASSWORD,
            "password2": SIGNUP_PASSWORD,
        },
    )
    confirm_key = re.search(r"/comptes/confirm-email/([-:\w]+)/", mail.outbox[0].body).group(1)
    client.post(reverse("account_confirm_email", args=[confirm_key]))
    client.post(reverse("account_logout"))
    # A failed login, then a password reset (uid and key in the link).
    client.post(
        reverse("account_login"), {"login": "journal@exemple.fr", "password": WRONG_PASSWORD}
    )
    client.post(reverse("account_reset_password"), {"email": "journal@exemple.fr"})
    reset_path = re.search(r"/comptes/password/reset/key/[-\w]+/", mail.outbox[-1].body).group(0)
    reset_key = reset_path.rstrip("/").rsplit("/", 1)[1]
    set_password = client.get(reset_path, follow=True).redirect_chain[-1][0]
    client.post(set_password, {"password1": RESET_PASSWORD, "password2": RESET_PASSWORD})
    client.post(
        reverse("account_login"), {"login": "journal@exemple.fr", "password": RESET_PASSWORD}
    )

    assert events(caplog) == [
        "login.succeeded",  # allauth signs in on confirmation (same session as sign-up)
        "logout",
        "login.failed",
        "login.succeeded",
    ]
    logged = everything_logged(caplog)
    for secret in (SIGNUP_PASSWORD, WRONG_PASSWORD, RESET_PASSWORD, confirm_key, reset_key):
        assert secret not in logged
    # The reset key's second half (after the uid) is not there either.
    assert reset_key.split("-", 1)[1] not in logged


def test_a_successful_login_is_logged_with_person_ip_and_utc_time(client, caplog):
    caplog.set_level(logging.INFO, logger="cos_portal.security")
    user = verified_user(email="ok@exemple.fr")

    client.post(
        reverse("account_login"),
        {"login": "ok@exemple.fr", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )

    (record,) = security_records(caplog)
    assert record.levelno == logging.INFO
    data = record.security
    assert (data["event"], data["user_id"], data["email"], data["ip"]) == (
        "login.succeeded",
        user.pk,
        "ok@exemple.fr",
        "203.0.113.7",
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", data["at"])
    assert record.getMessage().startswith("login.succeeded user_id=")


def test_a_failed_login_is_logged_with_the_address_typed(client, caplog):
    caplog.set_level(logging.INFO, logger="cos_portal.security")
    verified_user(email="ko@exemple.fr")

    client.post(
        reverse("account_login"),
        {"login": "ko@exemple.fr", "password": WRONG_PASSWORD},
        REMOTE_ADDR="198.51.100.4",
    )

    (record,) = security_records(caplog)
    assert record.levelno == logging.WARNING
    assert {k: record.security[k] for k in ("event", "user_id", "email", "ip")} == {
        "event": "login.failed",
        "user_id": None,
        "email": "ko@exemple.fr",
        "ip": "198.51.100.4",
    }
    assert WRONG_PASSWORD not in everything_logged(caplog)


def test_the_rate_limited_login_is_logged_once(client, caplog):
    verified_user(email="cible@exemple.fr")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "cible@exemple.fr", "password": "non"})
    caplog.set_level(logging.INFO, logger="cos_portal.security")
    caplog.clear()

    response = client.post(
        reverse("account_login"), {"login": "cible@exemple.fr", "password": "non"}
    )

    assert response.status_code == 429
    (record,) = security_records(caplog)
    assert (record.security["event"], record.security["email"], record.security["status"]) == (
        "login.rate_limited",
        "cible@exemple.fr",
        429,
    )


@pytest.mark.urls("tests.security.urls")
def test_a_refused_access_is_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="cos_portal.security")
    user = verified_user()
    client.force_login(user)
    caplog.clear()

    response = client.get("/test/interdit/", REMOTE_ADDR="192.0.2.9")

    assert response.status_code == 403
    (record,) = security_records(caplog)
    assert {k: record.security[k] for k in ("event", "user_id", "ip", "status", "path")} == {
        "event": "access.refused",
        "user_id": user.pk,
        "ip": "192.0.2.9",
        "status": 403,
        "path": "/test/interdit/",
    }


def stdout_lines(caplog) -> str:
    """What the configured stdout handler (filters + JSON formatter) writes for the records."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "stdout")
    return "\n".join(handler.format(r) for r in caplog.records if handler.filter(r))


def test_a_refused_path_holding_a_key_is_logged_by_its_route(client, caplog):
    caplog.set_level(logging.INFO)
    csrf_client = type(client)(enforce_csrf_checks=True)

    response = csrf_client.post(
        "/comptes/password/reset/key/4-secretkeyvalue/", {}, REMOTE_ADDR="192.0.2.10"
    )

    assert response.status_code == 403
    (record,) = security_records(caplog)
    assert record.security["path"] == "<account_reset_password_from_key>"
    # Django's own logger (django.security.csrf) wrote the path too: the stdout
    # handler's filter masked the key.
    assert "secretkeyvalue" not in everything_logged(caplog)
    written = stdout_lines(caplog)
    assert "/comptes/password/reset/key/[redacted]" in written
    assert "secretkeyvalue" not in written
