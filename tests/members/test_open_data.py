"""The directory's open data as other tools read it: the Table Schema, the two CSV files
and the Data Package, checked by the ``frictionless`` command line on the files the views
serve; the generation date in the JSON, the headers and the file names."""

import csv
import datetime
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils.http import parse_http_date
from freezegun import freeze_time

from core.site import site_root
from members import open_data
from members.constants import OrganisationKind, Status

from .factories import RepresentativeFactory, UserFactory, member_organisation

pytestmark = pytest.mark.django_db

FRICTIONLESS = Path(sys.executable).parent / "frictionless"
COMMITTED_SCHEMA = Path(settings.BASE_DIR) / "docs/open-data/annuaire.schema.json"
NOW = datetime.datetime(2026, 12, 5, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def directory():
    usinage = member_organisation(legal_name="Usinage Lorrain", slug="usinage-lorrain")
    RepresentativeFactory(
        organisation=usinage,
        user=UserFactory(first_name="Camille", last_name="Mercier"),
        job_title="Directrice technique",
        public_consent=True,
    )
    member_organisation(
        legal_name="Conseil Champenois, conseil; et formation",
        status=Status.PARTNER,
        postcode="51100",
        website="https://conseil.example",
    )
    member_organisation(legal_name="Jeanne Martin", kind=OrganisationKind.INDEPENDENT)


def download(client, tmp_path: Path) -> Path:
    """Every file of the Data Package, fetched through the views and written next to each
    other, with the package's addresses made relative to the folder."""
    package = client.get(reverse("directory_datapackage"))
    assert package.status_code == 200
    prefix = site_root() + "/"
    text = package.content.decode().replace(prefix, "")
    (tmp_path / "datapackage.json").write_text(text, encoding="utf-8")
    for name in ("directory_csv", "directory_csv_fr", "directory_schema"):
        path = reverse(name).lstrip("/")
        (tmp_path / path).write_bytes(client.get(reverse(name)).content)
    return tmp_path / "datapackage.json"


def frictionless(*args: str, cwd: Path) -> tuple[int, dict]:
    """``frictionless validate`` and its report (its ``--json`` output)."""
    assert FRICTIONLESS.exists(), f"{FRICTIONLESS} missing: pip install -r requirements.lock"
    result = subprocess.run(  # noqa: S603 # nosec B603
        [str(FRICTIONLESS), "validate", "--json", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, json.loads(result.stdout)


def test_frictionless_finds_both_csv_files_valid_against_the_schema(client, directory, tmp_path):
    package = download(client, tmp_path)
    resources = json.loads(package.read_text())["resources"]
    assert [(r["path"], r["dialect"]["delimiter"]) for r in resources] == [
        ("annuaire.csv", ","),
        ("annuaire-fr.csv", ";"),
    ]
    code, report = frictionless("datapackage.json", cwd=tmp_path)
    assert code == 0, report
    assert report["valid"] is True
    assert [(task["name"], task["valid"], task["stats"]["rows"]) for task in report["tasks"]] == [
        ("annuaire", True, 3),
        ("annuaire-fr", True, 3),
    ]
    for path, delimiter in (("annuaire.csv", ","), ("annuaire-fr.csv", ";")):
        code, report = frictionless(
            path,
            "--schema",
            "annuaire.schema.json",
            "--dialect",
            json.dumps({"delimiter": delimiter}),
            cwd=tmp_path,
        )
        assert (code, report["valid"]) == (0, True), report


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("statut", "Invité", "constraint-error"),
        ("url", "https://ailleurs.example/page", "constraint-error"),
        ("nom", "", "constraint-error"),
        ("site_web", "pas une adresse", "type-error"),
    ],
)
def test_frictionless_rejects_a_row_the_schema_forbids(
    client, directory, tmp_path, column, value, expected
):
    download(client, tmp_path)
    path = tmp_path / "annuaire.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    rows[0][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=open_data.CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8-sig")
    code, report = frictionless("datapackage.json", cwd=tmp_path)
    assert code == 1
    assert report["valid"] is False
    errors = [error for task in report["tasks"] for error in task["errors"]]
    assert [(error["type"], error["fieldName"]) for error in errors] == [(expected, column)]


def test_the_csv_header_is_the_schema_fields(client, directory):
    schema = json.loads(client.get(reverse("directory_schema")).content)
    names = [field["name"] for field in schema["fields"]]
    for url_name, delimiter in (("directory_csv", ","), ("directory_csv_fr", ";")):
        text = client.get(reverse(url_name)).content.decode("utf-8")
        assert text.startswith("\ufeff")
        header = next(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))
        assert header == names == open_data.CSV_COLUMNS


def test_the_schema_follows_the_conventions_of_schema_data_gouv_fr(client):
    response = client.get(reverse("directory_schema"))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    schema = json.loads(response.content)
    assert schema["$schema"] == "https://frictionlessdata.io/schemas/table-schema.json"
    assert schema["version"] == "1.0.0"
    assert schema["countryCode"] == "FR"
    assert schema["licenses"] == [
        {
            "name": "etalab-2.0",
            "title": "Licence Ouverte / Open Licence version 2.0",
            "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
        }
    ]
    assert schema["path"] == site_root() + "/annuaire.schema.json"
    assert schema["homepage"] == site_root() + "/annuaire/"
    assert schema["primaryKey"] == ["url"]
    assert schema["missingValues"] == [""]
    statut = next(field for field in schema["fields"] if field["name"] == "statut")
    assert statut["constraints"]["enum"] == ["Membre", "Partenaire"]
    for field in schema["fields"]:
        assert set(field) == {
            "name",
            "title",
            "description",
            "type",
            "format",
            "example",
            "constraints",
        }


def test_the_committed_schema_is_the_one_the_code_describes(tmp_path):
    fresh = tmp_path / "schema.json"
    call_command("open_data_schema", output=fresh, stdout=io.StringIO())
    assert COMMITTED_SCHEMA.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
        "python manage.py open_data_schema writes docs/open-data/annuaire.schema.json again"
    )
    assert json.loads(fresh.read_text()) == open_data.table_schema()


@freeze_time(NOW)
def test_the_exports_carry_their_generation_date(client, directory):
    data = json.loads(client.get(reverse("directory_json")).content)
    assert data["metadonnees"] == {
        "genere_le": "2026-12-05T10:30:00+01:00",
        "licence": open_data.LICENCE,
        "schema": site_root() + "/annuaire.schema.json",
        "version": "1.0.0",
    }
    assert data["source"] == site_root() + "/annuaire/"
    assert len(data["entites"]) == 3
    for url_name, filename in (
        ("directory_csv", 'attachment; filename="annuaire-cos-ge-2026-12-05.csv"'),
        ("directory_csv_fr", 'attachment; filename="annuaire-cos-ge-fr-2026-12-05.csv"'),
        ("directory_json", 'inline; filename="annuaire-cos-ge-2026-12-05.json"'),
    ):
        first = client.get(reverse(url_name))
        again = client.get(reverse(url_name))
        assert again["X-Public-Cache"] == "hit"
        for response in (first, again):
            assert response["Content-Disposition"] == filename
            assert parse_http_date(response["Last-Modified"]) == NOW.timestamp()
    package = json.loads(client.get(reverse("directory_datapackage")).content)
    assert package["created"] == "2026-12-05T10:30:00+01:00"


def test_the_semicolon_csv_reads_in_a_french_spreadsheet(client, directory):
    text = client.get(reverse("directory_csv_fr")).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [row["nom"] for row in rows] == [
        "Conseil Champenois, conseil; et formation",
        "Jeanne Martin",
        "Usinage Lorrain",
    ]
    assert rows[2]["representants"] == "Camille Mercier (Directrice technique)"


def test_the_directory_page_links_to_the_open_data(client, directory):
    html = client.get(reverse("members:directory")).content.decode()
    for name in (
        "directory_csv",
        "directory_csv_fr",
        "directory_json",
        "directory_schema",
        "directory_datapackage",
    ):
        assert f'href="{reverse(name)}"' in html
    assert 'href="https://www.etalab.gouv.fr/licence-ouverte-open-licence"' in html
    assert "Licence Ouverte 2.0" in html
