"""`make run` on a fresh machine: the seal key exists before the first certificate, and the
links the portal writes (e-mails, PDFs, calendars) follow the port it serves on."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def planned_commands(*arguments: str) -> list[str]:
    """What `make run` would do, without doing it (the project's own Makefile)."""
    command = [shutil.which("make") or "make", "--dry-run", "--always-make", "run", *arguments]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603
    return result.stdout.splitlines()


def test_make_run_creates_the_seal_key_before_serving():
    commands = planned_commands()
    [seal] = [i for i, line in enumerate(commands) if "create_signing_key --if-missing" in line]
    [serve] = [i for i, line in enumerate(commands) if "runserver" in line]
    assert seal < serve


def test_absolute_links_follow_the_port_make_run_serves_on():
    [serve] = [line for line in planned_commands("PORT=8123") if "runserver" in line]
    assert "SITE_URL=http://127.0.0.1:8123 " in serve
    assert serve.endswith("runserver 127.0.0.1:8123")
