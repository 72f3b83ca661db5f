"""What the benchmark's measurements share: its database, gunicorn, the public pages.

- ``prepare_database``: an empty PostgreSQL database for BENCH_DATABASE_URL (its name
  must contain "bench": it is dropped and rebuilt), SQLite bench/bench.sqlite3 otherwise;
- ``Server``: gunicorn serving the portal with bench.settings on a free 127.0.0.1 port,
  DJANGO_DEBUG=false, as in production, with the floor view (bench/views.py): a trivial
  response through the portal's whole middleware stack;
- ``choose_pages``: the public pages measured (bench/pages.py measures them, with the
  signed-in ones);
- ``machine`` and ``load_average``: what the report says of the machine.
"""

import http.client
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Measured against their raw SQL only: a bulk download (the whole directory, about a
# megabyte on 2,000 organisations) is bound by its size, not by the stack.
INFORMATIVE_PAGES = {"open data, JSON"}


# --- the database ---------------------------------------------------------------------------


def prepare_database(*, keep: bool) -> None:
    """Start from an empty benchmark database (unless keep), creating it if needed."""
    import environ

    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        sqlite = ROOT / "bench" / "bench.sqlite3"
        if not keep:
            sqlite.unlink(missing_ok=True)
        return
    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        raise SystemExit("BENCH_DATABASE_URL: PostgreSQL or nothing (SQLite is the default).")
    name = config["NAME"]
    if "bench" not in name:
        raise SystemExit(
            f"Refusing to rebuild {name!r}: a benchmark database has 'bench' in its name."
        )
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists and keep:
            return
        if exists:
            connection.execute(
                sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
            )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_description() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        major, rest = divmod(connection.pg_version, 10000)
        return f"PostgreSQL {major}.{rest}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


# --- the pages ------------------------------------------------------------------------------


def choose_pages() -> list[tuple[str, str]]:
    """(name, path) of the pages measured; the floor first."""
    from django.db.models import Count
    from django.urls import reverse

    from members import selectors
    from members.models import Representative

    # The listed organisation with the most representatives on its public page.
    busiest = (
        selectors.active_representatives()
        .filter(public_consent=True, organisation__in=selectors.directory_list().values("pk"))
        .values("organisation__slug")
        .annotate(total=Count("pk"))
        .order_by("-total", "organisation__slug")
        .first()
    )
    if busiest is None:
        raise SystemExit("The data set lists no organisation with a public representative.")
    assert Representative.objects.exists()
    directory = reverse("members:directory")
    return [
        ("floor", reverse("bench_floor")),
        ("directory", directory),
        ("directory, filtered", f"{directory}?q=robotique&department=57"),
        ("directory, page 40", f"{directory}?page=40"),
        ("organisation", reverse("members:organisation", args=[busiest["organisation__slug"]])),
        ("referents", reverse("commissions:referents")),
        ("charter", reverse("charters:current")),
        ("embedded directory", reverse("members:directory_embed")),
        ("open data, JSON", reverse("directory_json")),
    ]


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving the portal with the benchmark settings, as in production."""

    def __init__(self, *, workers: int):
        self.workers = workers
        self.port = free_port()
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in __exit__)
        # Where the workers note the CPU time of each Argon2 check (bench/hashers.py).
        self.argon2_notes = tempfile.TemporaryDirectory(prefix="bench-argon2-")
        self.process = None

    def __enter__(self):
        from bench.hashers import ARGON2_DIR_VARIABLE

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_DEBUG": "false",
            "BENCH_FLOOR": "1",
            "DJANGO_LOG_LEVEL": "WARNING",
            ARGON2_DIR_VARIABLE: self.argon2_notes.name,
        }
        command = [
            sys.executable, "-m", "gunicorn", "cos_portal.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
            "--log-level", "warning", "--chdir", str(ROOT),
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            command, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if fetch(self.port, "/bench/floor")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        output = self.output()
        self.__exit__(None, None, None)
        raise SystemExit(f"gunicorn did not start:\n{output}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()[-4000:]

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        self.argon2_notes.cleanup()


def fetch(port: int, path: str) -> tuple[int, float]:
    """One GET on a new connection (gunicorn's sync workers close each one): status, seconds."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


# --- the report -----------------------------------------------------------------------------


def load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def machine(args) -> dict:
    import django
    import gunicorn

    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu": model or platform.processor(),
        "system": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database_description(),
        "server": f"gunicorn {gunicorn.__version__}, {args.workers} sync workers",
    }
