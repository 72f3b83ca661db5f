"""The printable sign-in sheet of an activity (issue 10): convened people, a signature
column, and the columns of the attendance import."""

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from activities.resources import EXPORT_EXTRA_HEADER, EXPORT_HEADER
from members.constants import Role
from tests.members.factories import (
    RepresentativeFactory,
    UserFactory,
    member_organisation,
)

from .factories import ActivityFactory, convene, user_in

pytestmark = pytest.mark.django_db

DAY = datetime.datetime(2026, 3, 12, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def activity():
    activity = ActivityFactory(starts_at=DAY, title="Atelier jumeau numérique")
    member = member_organisation(legal_name="Forge de l'Est")
    RepresentativeFactory(
        organisation=member,
        user=UserFactory(email="alice@exemple.fr", first_name="Alice", last_name="Martin"),
    )
    RepresentativeFactory(
        organisation=member,
        user=UserFactory(email="bruno@exemple.fr", first_name="Bruno", last_name="Keller"),
    )
    convene(activity, member)
    return activity


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.rule("A2")
def test_the_organisers_print_a_sign_in_sheet_of_the_convened_people(client, activity):
    client.force_login(user_in(Role.ORGANISERS))
    response = client.get(reverse("activities:sign_in_sheet", args=[activity.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    for expected in (
        "Atelier jumeau numérique",
        "alice@exemple.fr",
        "Martin",
        "Alice",
        "bruno@exemple.fr",
        "Keller",
        "Forge de l'Est",
        "12/03/2026",
        "Signature",
        *EXPORT_HEADER,
    ):
        assert expected in text, expected
    # The same people, with the same columns, as the CSV the import reads back (the
    # export adds whether each check-in was made offline, which the import ignores).
    export = client.get(reverse("activities:attendance_export", args=[activity.pk]))
    assert export.content.decode("utf-8-sig").splitlines()[0] == ";".join(
        EXPORT_HEADER + EXPORT_EXTRA_HEADER
    )


def test_the_sheet_is_linked_from_the_organisers_pages(client, activity):
    client.force_login(user_in(Role.ORGANISERS))
    sheet = reverse("activities:sign_in_sheet", args=[activity.pk])
    for page in ("activities:detail", "activities:checkin"):
        assert sheet in client.get(reverse(page, args=[activity.pk])).content.decode()


def test_the_sheet_is_for_the_organisers_only(client, activity):
    client.force_login(UserFactory())
    response = client.get(reverse("activities:sign_in_sheet", args=[activity.pk]))
    assert response.status_code == 403
    client.logout()
    response = client.get(reverse("activities:sign_in_sheet", args=[activity.pk]))
    assert response.status_code == 302


@pytest.mark.rule("A2")
def test_the_filled_in_sheet_goes_back_through_the_attendance_import(client, activity):
    """The sheet's columns, typed into a spreadsheet as signed, are what the import reads."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from activities.constants import Attendance
    from activities.models import Participation

    client.force_login(user_in(Role.ORGANISERS))
    text = pdf_text(client.get(reverse("activities:sign_in_sheet", args=[activity.pk])).content)
    assert "alice@exemple.fr" in text and "bruno@exemple.fr" in text
    typed = (
        ";".join(EXPORT_HEADER) + "\n"
        "alice@exemple.fr;Martin;Alice;Forge de l'Est;présent;12/03/2026\n"
        "bruno@exemple.fr;Keller;Bruno;Forge de l'Est;absent;12/03/2026\n"
    )
    url = reverse("activities:attendance_import", args=[activity.pk])
    sheet = SimpleUploadedFile("emargement.csv", typed.encode(), content_type="text/csv")
    assert client.post(url, {"sheet": sheet}).status_code == 200
    assert client.post(url, {"confirm": "1"}).status_code == 302
    recorded = dict(
        Participation.objects.filter(activity=activity).values_list("user__email", "attendance")
    )
    assert recorded == {
        "alice@exemple.fr": Attendance.PRESENT,
        "bruno@exemple.fr": Attendance.ABSENT,
    }


def test_the_sheet_is_an_archival_tagged_pdf(client, activity, tmp_path):
    from tests.core.pdf_markers import assert_archival_and_tagged

    client.force_login(user_in(Role.ORGANISERS))
    response = client.get(reverse("activities:sign_in_sheet", args=[activity.pk]))
    assert_archival_and_tagged(
        response.content, tmp_path, title="Atelier jumeau numérique — 12/03/2026", lang="fr"
    )


@pytest.mark.rule("A2")
def test_a_long_roster_prints_in_parts_each_a_bounded_pdf(client, activity, monkeypatch):
    """A plenary convenes thousands of people: one PDF of them all took 38 s at 3,000.
    Beyond SIGN_IN_SHEET_PART_SIZE people, the sheet's page lists its parts, by name, and
    each part is a PDF of that many people at most."""
    from activities import resources

    monkeypatch.setattr(resources, "SIGN_IN_SHEET_PART_SIZE", 2)
    member = member_organisation(legal_name="Usine du Rhin")
    for email, last in (("chloe@exemple.fr", "Zimmer"), ("denis@exemple.fr", "Bauer")):
        RepresentativeFactory(
            organisation=member, user=UserFactory(email=email, first_name="X", last_name=last)
        )
    convene(activity, member)
    client.force_login(user_in(Role.ORGANISERS))
    url = reverse("activities:sign_in_sheet", args=[activity.pk])

    parts = client.get(url)
    second = client.get(url, {"partie": 2})
    beyond = client.get(url, {"partie": 3})

    assert parts.status_code == 200 and parts["Content-Type"].startswith("text/html")
    page = parts.content.decode()
    assert "4 personnes, en 2 parties" in page
    assert f"{url}?partie=1" in page and f"{url}?partie=2" in page
    assert "Bauer X – Keller Bruno" in page and "Martin Alice – Zimmer X" in page
    assert second["Content-Type"] == "application/pdf"
    text = pdf_text(second.content)
    assert "alice@exemple.fr" in text and "chloe@exemple.fr" in text
    assert "bruno@exemple.fr" not in text and "denis@exemple.fr" not in text
    assert "partie 2 sur 2" in text
    assert beyond.status_code == 404
