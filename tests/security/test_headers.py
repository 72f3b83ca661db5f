"""Response headers: CSP, no-store on personal pages, HTTPS settings under DJANGO_SECURE."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.accounts.factories import verified_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_csp_forbids_inline_code_and_framing(client):
    response = client.get(reverse("home"))

    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_seen_signed_in_are_not_stored(client):
    client.force_login(verified_user())

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_account_pages_are_not_stored(client):
    for name in ("account_login", "account_signup", "account_reset_password"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], name


def test_public_pages_seen_anonymously_stay_cacheable(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert not response.has_header("Cache-Control")


def test_a_view_choosing_its_cache_control_keeps_it(client):
    client.force_login(verified_user())

    response = client.get(reverse("healthz"))

    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31_536_000)
def test_under_https_settings_http_is_redirected_and_hsts_sent(client):
    plain = client.get(reverse("home"))
    secure = client.get(reverse("home"), secure=True)

    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/"
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("secure", ["true", "false"])
def test_django_secure_switches_https_cookies_and_hsts(secure):
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "MFA_REQUIRED_FOR_STAFF",
    ]
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MFA_"))},
        "DJANGO_SETTINGS_MODULE": "cos_portal.settings.base",
        "DJANGO_SECURE": secure,
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    on = secure == "true"
    assert values == {
        "SECURE_SSL_REDIRECT": on,
        "SECURE_HSTS_SECONDS": 31_536_000 if on else 0,
        "SESSION_COOKIE_SECURE": on,
        "CSRF_COOKIE_SECURE": on,
        "LANGUAGE_COOKIE_SECURE": on,
        "SESSION_COOKIE_HTTPONLY": True,
        "MFA_REQUIRED_FOR_STAFF": True,
    }
