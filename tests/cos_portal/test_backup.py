"""Backups: `manage.py backup` then `manage.py restore` into a fresh database finds the same data.

SQLite always; PostgreSQL when the suite runs on it (DATABASE_URL), restoring into a
scratch database named after the test database with "_restore", dropped afterwards.
"""

import io
import json
import sqlite3
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from members.models import Organisation, Representative
from tests.members.factories import RepresentativeFactory, member_organisation

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "private_media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root},
        },
    }
    return root


def registry_data():
    organisation = member_organisation(legal_name="Sauvegarde Industrielle")
    organisation.logo.save("sauvegarde.png", ContentFile(b"\x89PNG logo"))
    RepresentativeFactory(organisation=organisation, user__email="claire@sauvegarde.fr")
    member_organisation(legal_name="Restauration Mécanique")
    return sorted(Organisation.objects.values_list("legal_name", "slug", "logo"))


def backup(tmp_path):
    out = tmp_path / "backups"
    call_command("backup", output_dir=str(out), stdout=io.StringIO())
    [archive] = out.glob("cos-ge-*.tar.gz")
    return archive


def test_sqlite_database_is_backed_up_and_restored_with_the_backup_api(tmp_path, media):
    # Independent of the suite's database: a small SQLite file, backed up by URL.
    source = tmp_path / "source.sqlite3"
    with sqlite3.connect(source) as db:
        db.execute("create table organisation (name text)")
        db.executemany("insert into organisation values (?)", [("Atelier",), ("Usine",)])
    (media / "logos").mkdir(parents=True)
    (media / "logos" / "atelier.png").write_bytes(b"logo")
    out = tmp_path / "backups"
    call_command(
        "backup", output_dir=str(out), database_url=f"sqlite:///{source}", stdout=io.StringIO()
    )
    [archive] = out.glob("*.tar.gz")
    (media / "logos" / "atelier.png").unlink()
    fresh = tmp_path / "fresh.sqlite3"

    call_command(
        "restore", str(archive), database_url=f"sqlite:///{fresh}", interactive=False,
        stdout=io.StringIO(),
    )  # fmt: skip

    with sqlite3.connect(fresh) as db:
        rows = db.execute("select name from organisation order by name").fetchall()
    assert rows == [("Atelier",), ("Usine",)]
    assert (media / "logos" / "atelier.png").read_bytes() == b"logo"
    assert oct(archive.stat().st_mode & 0o777) == "0o600"


@pytest.mark.sqlite
def test_the_site_s_sqlite_database_is_restored_into_a_fresh_file(tmp_path, media):
    before = registry_data()
    archive = backup(tmp_path)
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    assert {"manifest.json", "database.sqlite3", "media/logos/sauvegarde.png"} <= names
    assert manifest["media_files"] == 1
    fresh = tmp_path / "fresh.sqlite3"

    call_command(
        "restore", str(archive), database_url=f"sqlite:///{fresh}", interactive=False,
        stdout=io.StringIO(),
    )  # fmt: skip

    with sqlite3.connect(fresh) as db:
        after = sorted(
            db.execute("select legal_name, slug, logo from members_organisation").fetchall()
        )
        emails = db.execute(
            "select email from members_user u join members_representative r on r.user_id = u.id"
        ).fetchall()
    assert after == before
    assert emails == [("claire@sauvegarde.fr",)]


@pytest.mark.sqlite
def test_restore_puts_the_site_back_as_it_was(tmp_path, media):
    before = registry_data()
    archive = backup(tmp_path)
    logo = media / Organisation.objects.get(legal_name="Sauvegarde Industrielle").logo.name
    Representative.objects.all().delete()
    Organisation.objects.filter(legal_name="Restauration Mécanique").delete()
    logo.unlink()

    call_command("restore", str(archive), interactive=False, stdout=io.StringIO())

    assert sorted(Organisation.objects.values_list("legal_name", "slug", "logo")) == before
    assert Representative.objects.get().user.email == "claire@sauvegarde.fr"
    assert logo.read_bytes() == b"\x89PNG logo"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL on PostgreSQL")
def test_the_site_s_postgresql_database_is_restored_into_a_fresh_database(tmp_path, media):
    import psycopg

    before = registry_data()
    archive = backup(tmp_path)
    with tarfile.open(archive) as tar:
        assert "database.dump" in tar.getnames()
    db = connection.settings_dict
    scratch = f"{db['NAME']}_restore"
    server = {
        "host": db["HOST"] or None, "port": db["PORT"] or None,
        "user": db["USER"] or None, "password": db["PASSWORD"] or None,
    }  # fmt: skip
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        url = "postgres://{user}:{password}@{host}:{port}/{name}".format(
            user=db["USER"] or "", password=db["PASSWORD"] or "",
            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, name=scratch,
        )  # fmt: skip
        call_command(
            "restore", str(archive), database_url=url, interactive=False, stdout=io.StringIO()
        )
        with psycopg.connect(dbname=scratch, **server) as restored:
            after = sorted(
                restored.execute(
                    "select legal_name, slug, logo from members_organisation"
                ).fetchall()
            )
            emails = restored.execute(
                "select email from members_user u join members_representative r on r.user_id = u.id"
            ).fetchall()
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    assert after == before
    assert emails == [("claire@sauvegarde.fr",)]


def test_an_archive_that_writes_outside_its_folder_is_refused(tmp_path, media):
    hostile = tmp_path / "hostile.tar.gz"
    with tarfile.open(hostile, "w:gz") as tar:
        payload = b"pwned"
        info = tarfile.TarInfo("../../evil.txt")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))

    with pytest.raises(CommandError, match="unsafe archive"):
        call_command("restore", str(hostile), interactive=False, stdout=io.StringIO())

    assert not (tmp_path.parent / "evil.txt").exists()


def test_restore_asks_before_replacing_the_database(tmp_path, media, monkeypatch):
    archive = tmp_path / "nothing.tar.gz"
    monkeypatch.setattr("builtins.input", lambda prompt: "non")

    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(archive), stdout=io.StringIO())
