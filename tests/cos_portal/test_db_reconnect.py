"""A PostgreSQL restart costs no request: a persistent connection (CONN_MAX_AGE) is checked
before a request reuses it (CONN_HEALTH_CHECKS) and replaced if the server dropped it.

Django's test client skips the request_started signal that runs close_old_connections, so
the test drives a real gunicorn worker on the test database."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL (DATABASE_URL=postgres://...): a server process shares the "
    "test database and the test drops its connection with pg_terminate_backend; CI runs it",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url(application_name: str) -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}?application_name={application_name}"


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (local server)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _wait_until_serving(server: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start within 30 s")


# The server's connections are told apart by their application name: other connections to
# the same test database (a live server left by an earlier test of this worker) are not its.
SERVER = "cos-reconnect-test"


def _server_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            [connection.settings_dict["NAME"], SERVER],
        )
        return [pid for (pid,) in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_the_first_request_after_the_database_dropped_the_connection_succeeds(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cos_portal.settings.base",
        "DATABASE_URL": _database_url(SERVER),
        "DJANGO_CONN_MAX_AGE": "60",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_DEBUG": "false",
        "REDIS_URL": "",  # /healthz then checks the database only
    }
    with (tmp_path / "gunicorn.log").open("w") as log:
        server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "cos_portal.wsgi:application",
                "--workers=1",
                "--worker-class=sync",
                f"--bind=127.0.0.1:{port}",
                "--no-control-socket",  # gunicorn 27: no shared ~/.gunicorn socket between tests
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_serving(server, base)
            first = _get(f"{base}/healthz")
            held = _server_backends()  # the worker's connection, kept for CONN_MAX_AGE

            with connection.cursor() as cursor:  # what a PostgreSQL restart does to it
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND application_name = %s",
                    [connection.settings_dict["NAME"], SERVER],
                )
                terminated = cursor.fetchall()
            deadline = time.monotonic() + 10
            while _server_backends() and time.monotonic() < deadline:
                time.sleep(0.05)
            gone = _server_backends()

            after = _get(f"{base}/healthz")
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    assert first[0] == 200
    assert {key: value for key, value in first[1].items() if key != "warnings"} == (
        {"status": "ok", "database": "ok", "broker": "embedded", "celery": "eager", "outbox": 0}
    )
    assert len(held) == 1
    assert terminated == [(True,)]
    assert gone == []
    assert after == first, (tmp_path / "gunicorn.log").read_text()[-2000:]
