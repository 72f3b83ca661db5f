"""`make run` on a fresh machine: the seal key exists before the first certificate, and the
links the portal writes (e-mails, PDFs, calendars) follow the port it serves on."""

import shlex
import shutil
import subprocess
from pathlib import Path

import environ
import pytest
from django.urls import reverse

from tests.members.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def planned_commands(*arguments: str) -> list[str]:
    """What `make run` would do, without doing it (the project's own Makefile)."""
    command = [shutil.which("make") or "make", "--dry-run", "--always-make", "run", *arguments]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603
    return result.stdout.splitlines()


def serving_environment(*arguments: str) -> dict[str, str]:
    """The variables `make run` sets on its runserver line (VAR=value before the command)."""
    [serve] = [line for line in planned_commands(*arguments) if "runserver" in line]
    variables = {}
    for word in shlex.split(serve):
        if "=" not in word or word.startswith("-"):
            break
        name, value = word.split("=", 1)
        variables[name] = value
    return variables


def test_make_run_creates_the_seal_key_before_serving():
    commands = planned_commands()
    [seal] = [i for i, line in enumerate(commands) if "create_signing_key --if-missing" in line]
    [serve] = [i for i, line in enumerate(commands) if "runserver" in line]
    assert seal < serve


def test_absolute_links_follow_the_port_make_run_serves_on():
    [serve] = [line for line in planned_commands("PORT=8123") if "runserver" in line]
    assert "SITE_URL=http://127.0.0.1:8123 " in serve
    assert serve.endswith(" 127.0.0.1:8123")


@pytest.fixture
def make_run_settings(settings, monkeypatch):
    """The settings as `make run` makes them: DJANGO_DEBUG read by the settings' own parser."""
    variables = serving_environment()
    monkeypatch.setenv("DJANGO_DEBUG", variables["DJANGO_DEBUG"])
    settings.DEBUG = environ.Env().bool("DJANGO_DEBUG", default=False)
    return settings


@pytest.mark.django_db
def test_make_run_shows_the_french_page_for_a_missing_page(client, make_run_settings):
    response = client.get("/cette-page-n-existe-pas/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page introuvable</h1>" in page
    assert '<html lang="fr"' in page
    assert "Page not found" not in page
    assert "technical_404" not in page and "Using the URLconf" not in page


@pytest.mark.django_db
def test_make_run_shows_the_french_page_for_a_refused_access(client, make_run_settings):
    client.force_login(UserFactory())  # no seat at the COPIL: the campaign is not theirs
    response = client.get(reverse("charters:campaign"))

    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Accès refusé</h1>" in page
    assert '<html lang="fr"' in page
    assert "Forbidden" not in page


def test_make_run_serves_the_static_files_without_debug():
    [serve] = [line for line in planned_commands() if "runserver" in line]
    assert serving_environment()["DJANGO_DEBUG"] == "false"
    # Without DEBUG, runserver serves /static/ only when told to; it still auto-reloads.
    assert "runserver --insecure " in serve
    assert "--noreload" not in serve
