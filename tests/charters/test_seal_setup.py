"""A fresh install can seal certificates: `make run` creates a development seal key once,
and /healthz says so while no key is configured."""

import pytest
from django.core.management import call_command
from django.urls import reverse


@pytest.fixture
def seal_paths(settings, tmp_path):
    settings.CHARTER_SIGNING_KEY = str(tmp_path / "secrets" / "key.pem")
    settings.CHARTER_SIGNING_CERT = str(tmp_path / "secrets" / "cert.pem")
    return tmp_path / "secrets" / "key.pem", tmp_path / "secrets" / "cert.pem"


def test_make_run_creates_the_seal_key_once(seal_paths, capsys):
    key_path, cert_path = seal_paths
    call_command("create_signing_key", "--if-missing")
    first = cert_path.read_bytes()
    assert key_path.is_file() and b"BEGIN CERTIFICATE" in first

    call_command("create_signing_key", "--if-missing")
    assert cert_path.read_bytes() == first  # kept: certificates already issued stay valid
    assert "Sceau déjà en place" in capsys.readouterr().out


@pytest.mark.django_db
def test_healthz_warns_while_no_seal_key_is_configured(client, seal_paths, settings):
    settings.REDIS_URL = ""  # the broker's health is another test's subject
    body = client.get(reverse("healthz")).json()
    assert body["status"] == "ok"  # the portal runs; certificates wait for the key
    assert "Sceau des certificats non configuré" in body["warnings"]["charter_seal"]

    call_command("create_signing_key", "--if-missing")
    assert "charter_seal" not in client.get(reverse("healthz")).json()["warnings"]
