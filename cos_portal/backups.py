"""Backups: the database and the private media files in one .tar.gz (make backup / restore).

- PostgreSQL: ``pg_dump --format=custom`` (restored with ``pg_restore --clean``); the
  client tools must be the server's major version or newer.
- SQLite: SQLite's online backup API (a consistent copy even while the site writes,
  unlike a plain file copy of a database in use).
- The private media folder (``STORAGES["default"]``: logos, minutes, proofs), as files.

The archive holds ``manifest.json``, ``database.dump`` or ``database.sqlite3``, and
``media/``. Restoring replaces the target database's content and writes the media files
over the folder's (files absent from the archive are left in place).
"""

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

import environ
from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT_VERSION = 1
POSTGRES_ENGINES = ("django.db.backends.postgresql",)
SQLITE_ENGINES = ("django.db.backends.sqlite3",)


class BackupError(Exception):
    """A backup or restore that cannot be done, with a message for the operator."""


def media_root() -> Path:
    return Path(settings.STORAGES["default"].get("OPTIONS", {}).get("location", ""))


def database_settings(url: str | None = None) -> dict:
    """The settings of the target database: ``default``, or the one a URL names."""
    if url:
        return environ.Env.db_url_config(url)
    return dict(settings.DATABASES["default"])


def _pg_environment(db: dict) -> tuple[list[str], dict]:
    """Connection arguments and environment for the PostgreSQL client tools."""
    arguments = []
    if db.get("HOST"):
        arguments += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        arguments += ["--port", str(db["PORT"])]
    if db.get("USER"):
        arguments += ["--username", str(db["USER"])]
    environment = {**os.environ}
    if db.get("PASSWORD"):
        environment["PGPASSWORD"] = str(db["PASSWORD"])
    return arguments, environment


def _run(command: list[str], environment: dict) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (apt-get install postgresql-client).")
    # A fixed program with an argument list (no shell); the arguments come from the settings.
    result = subprocess.run(  # noqa: S603 # nosec B603
        command, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _dump_database(db: dict, target_dir: Path, *, alias: str | None) -> str:
    engine = db["ENGINE"]
    if engine in POSTGRES_ENGINES:
        path = target_dir / "database.dump"
        arguments, environment = _pg_environment(db)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
             *arguments, "--file", str(path), str(db["NAME"])],
            environment,
        )  # fmt: skip
        return path.name
    if engine in SQLITE_ENGINES:
        path = target_dir / "database.sqlite3"
        destination = sqlite3.connect(path)
        try:
            if alias is not None:
                # Through Django's own connection: also works for an in-memory database.
                connection = connections[alias]
                connection.ensure_connection()
                connection.connection.backup(destination)
            else:
                source = sqlite3.connect(db["NAME"])
                try:
                    source.backup(destination)
                finally:
                    source.close()
        finally:
            destination.close()
        return path.name
    raise BackupError(f"Unsupported database engine: {engine}")


def backup_create(
    *, output_dir: Path, now: datetime.datetime | None = None, database_url: str | None = None
) -> Path:
    """Write ``cos-ge-<date>.tar.gz`` under ``output_dir``; returns its path."""
    now = now or timezone.now()
    db = database_settings(database_url)
    output_dir.mkdir(parents=True, exist_ok=True)
    archive = output_dir / f"cos-ge-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="cos-backup-") as work:
        work_dir = Path(work)
        database_file = _dump_database(db, work_dir, alias=None if database_url else "default")
        media = media_root()
        manifest = {
            "format_version": FORMAT_VERSION,
            "created_at": now.isoformat(),
            "engine": db["ENGINE"],
            "database_file": database_file,
            "media_files": sum(1 for p in media.rglob("*") if p.is_file()) if media.is_dir() else 0,
        }
        (work_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(work_dir / "manifest.json", arcname="manifest.json")
            tar.add(work_dir / database_file, arcname=database_file)
            if media.is_dir():
                tar.add(media, arcname="media")
    archive.chmod(0o600)  # personal data inside
    return archive


def _restore_database(db: dict, source: Path, *, alias: str | None) -> None:
    engine = db["ENGINE"]
    if engine in POSTGRES_ENGINES:
        if source.name != "database.dump":
            raise BackupError("This archive holds an SQLite database, not a PostgreSQL dump.")
        if alias is not None:
            connections[alias].close()
        arguments, environment = _pg_environment(db)
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", "--exit-on-error", *arguments,
             "--dbname", str(db["NAME"]), str(source)],
            environment,
        )  # fmt: skip
        return
    if engine in SQLITE_ENGINES:
        if source.name != "database.sqlite3":
            raise BackupError("This archive holds a PostgreSQL dump, not an SQLite database.")
        origin = sqlite3.connect(source)
        try:
            if alias is not None:
                connection = connections[alias]
                connection.ensure_connection()
                origin.backup(connection.connection)
            else:
                target = sqlite3.connect(db["NAME"])
                try:
                    origin.backup(target)
                finally:
                    target.close()
        finally:
            origin.close()
        return
    raise BackupError(f"Unsupported database engine: {engine}")


def backup_restore(*, archive: Path, database_url: str | None = None) -> dict:
    """Restore the database (``default`` or the URL's) and the media files; returns the manifest."""
    if not archive.is_file():
        raise BackupError(f"No such backup: {archive}")
    db = database_settings(database_url)
    with tempfile.TemporaryDirectory(prefix="cos-restore-") as work:
        work_dir = Path(work)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                # The "data" filter refuses absolute paths, "..", links out of the folder
                # and device files: an archive cannot write outside work_dir.
                tar.extractall(work_dir, filter="data")
        except (tarfile.TarError, OSError) as error:
            raise BackupError(f"Unreadable or unsafe archive: {error}") from error
        manifest_path = work_dir / "manifest.json"
        if not manifest_path.is_file():
            raise BackupError("Not a portal backup: manifest.json is missing.")
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("format_version") != FORMAT_VERSION:
            raise BackupError(f"Unknown backup format: {manifest.get('format_version')}")
        _restore_database(
            db,
            work_dir / manifest["database_file"],
            alias=None if database_url else "default",
        )
        media_source = work_dir / "media"
        if media_source.is_dir():
            target = media_root()
            target.mkdir(parents=True, exist_ok=True)
            shutil.copytree(media_source, target, dirs_exist_ok=True)
    return manifest
