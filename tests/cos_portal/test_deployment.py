"""Production packaging: docker-compose.yml, .env.example and the settings agree.

Docker itself is not needed: the compose file is read as YAML, and the settings are
checked the way the image runs them (``check --deploy``, ``collectstatic`` with a
manifest storage) in a subprocess with a production environment.
"""

import importlib
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "cos_portal" / "settings" / "base.py"
APP_SERVICES = ("web", "worker", "beat")

# env("X"), env.bool("X"), env.list(...), env.db(...), env.email_url(...), env.int(...),
# env.path(...), also when the name is on the next line; os.environ / os.getenv reads.
ENV_READ = re.compile(
    r"""\benv(?:\.[a-z_]+)?\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.(?:environ\.get|getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""
)
ENV_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=", re.MULTILINE)
COMPOSE_VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)")


def settings_variables() -> set[str]:
    return {next(filter(None, m.groups())) for m in ENV_READ.finditer(SETTINGS.read_text())}


def env_example_variables() -> set[str]:
    return set(ENV_LINE.findall((ROOT / ".env.example").read_text(encoding="utf-8")))


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def command_of(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def production_environment(**extra: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' conftest for Playwright.
        if key
        not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="cos_portal.settings.base",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_SECURE="true",
        DJANGO_ALLOWED_HOSTS="cos-ge.example",
        SITE_URL="https://cos-ge.example",  # the domain of the links and Message-IDs
        DJANGO_DEBUG="false",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return environment


def test_the_regex_sees_the_settings_reads():
    found = settings_variables()
    # Names split over two lines (env(\n "DJANGO_SECRET_KEY", ...)) are found too.
    assert {"DJANGO_SECRET_KEY", "STATICFILES_BACKEND", "DATABASE_URL", "EMAIL_URL"} <= found


def test_compose_runs_the_five_services():
    services = compose()["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in services["db"]["volumes"])
    for name in APP_SERVICES:
        service = services[name]
        assert service["build"] == ".", name
        assert service["env_file"] == ".env", name
        environment = service["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://"), name
        assert environment["DATABASE_URL"].endswith("@db:5432/cos"), name
        assert environment["REDIS_URL"] == "redis://redis:6379/0", name
        assert {"db", "redis"} <= set(service["depends_on"]), name
        # The schema is migrated before any of them starts.
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert command_of(services["migrate"]) == "python manage.py migrate --noinput"
    assert any(port.endswith(":8000") for port in services["web"]["ports"])
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_compose_commands_name_real_modules():
    services = compose()["services"]
    web = command_of(services["web"])
    assert web.startswith("gunicorn cos_portal.wsgi:application")
    assert command_of(services["worker"]).startswith("celery -A cos_portal worker")
    beat = command_of(services["beat"])
    assert beat.startswith("celery -A cos_portal beat")
    assert "--scheduler=django_celery_beat.schedulers:DatabaseScheduler" in beat
    wsgi = importlib.import_module("cos_portal.wsgi")
    assert callable(wsgi.application)
    celery = importlib.import_module("cos_portal.celery")
    assert celery.app.main == "cos_portal"
    scheduler_module, scheduler_class = beat.split("--scheduler=")[1].split()[0].split(":")
    assert hasattr(importlib.import_module(scheduler_module), scheduler_class)


def test_env_example_and_settings_name_the_same_variables():
    compose_only = set(COMPOSE_VARIABLE.findall((ROOT / "docker-compose.yml").read_text()))
    declared = env_example_variables()
    read = settings_variables()
    assert read - declared == set(), "read by the settings but missing from .env.example"
    assert declared - read - compose_only == set(), "in .env.example but read by nothing"
    assert compose_only <= declared


def test_env_example_holds_no_usable_secret():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", text, re.MULTILINE))
    assert values["DJANGO_SECRET_KEY"].startswith("django-insecure-")
    assert values["DJANGO_DEBUG"] == "false"
    assert values["DJANGO_SECURE"] == "true"
    assert "remplacez-moi" in values["POSTGRES_PASSWORD"]
    assert "remplacez-moi" in values["EMAIL_URL"]


def test_dockerfile_builds_the_production_image():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.startswith("# ") and "FROM python:3.11-slim" in dockerfile
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b"):
        assert package in dockerfile
    assert "pip install -r requirements.lock" in dockerfile
    assert "STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage" in (
        dockerfile
    )
    assert "manage.py collectstatic --noinput" in dockerfile
    assert re.search(r"^USER cos$", dockerfile, re.MULTILINE)
    assert '"gunicorn", "cos_portal.wsgi:application"' in dockerfile
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".venv", ".git", "db.sqlite3"} <= set(ignored)


def test_check_deploy_passes_with_a_production_environment():
    result = subprocess.run(  # noqa: S603 (fixed command, this interpreter)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


COLLECT = """
import sys
import django
from django.conf import settings

django.setup()
settings.STATIC_ROOT = sys.argv[1]
from django.core.management import call_command

call_command("collectstatic", "--noinput", verbosity=0)
"""


def test_static_files_collect_with_a_manifest(tmp_path):
    # The image's collectstatic, with Django's manifest storage (WhiteNoise's adds only
    # compression): a file referenced by a stylesheet but missing would fail here, and
    # every {% static %} path of the templates must be in the manifest, or the page is
    # a 500 in production.
    result = subprocess.run(  # noqa: S603 (fixed command, this interpreter)
        [sys.executable, "-c", COLLECT, str(tmp_path)],
        cwd=ROOT,
        env=production_environment(
            STATICFILES_BACKEND="django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        ),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = yaml.safe_load((tmp_path / "staticfiles.json").read_text())["paths"]
    used = set()
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        used |= set(re.findall(r"""\{%\s*static\s+["']([^"']+)["']""", template.read_text()))
    assert used, "the templates reference static files"
    assert used - set(manifest) == set()


def test_check_deploy_refuses_message_ids_on_a_local_domain():
    result = subprocess.run(  # noqa: S603 (fixed command, this interpreter)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(EMAIL_MESSAGE_ID_DOMAIN="localhost"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "core.E101" in result.stdout + result.stderr
