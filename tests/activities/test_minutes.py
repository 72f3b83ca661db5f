"""Minutes (W3): seen by those who attended, and only by them; uploads checked and private."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.constants import Attendance
from activities.models import Minutes, Participation
from members.constants import Role
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

from .factories import ActivityFactory, attend, convene, user_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }


@pytest.fixture
def meeting():
    member = member_organisation()
    present = RepresentativeFactory(organisation=member)
    absent = RepresentativeFactory(organisation=member)
    activity = ActivityFactory(is_public=False)
    convene(activity, member)
    attend(activity, present)
    attend(activity, absent, Attendance.EXCUSED)
    return activity, present.user, absent.user


def deposit(client, activity, **data):
    return client.post(reverse("activities:minutes", args=[activity.pk]), data)


@pytest.mark.rule("W3")
def test_participant_reads_the_minutes_and_the_file_of_an_attended_activity(client, meeting):
    activity, present, absent = meeting
    client.force_login(user_in(Role.ORGANISERS))
    response = deposit(
        client,
        activity,
        text="Décisions : feuille de route 2027.",
        file=SimpleUploadedFile("cr.pdf", PDF, content_type="application/pdf"),
    )
    assert response.status_code == 302

    client.force_login(present)
    page = client.get(reverse("activities:minutes", args=[activity.pk]))
    assert page.status_code == 200
    assert "feuille de route 2027" in page.content.decode()
    download = client.get(reverse("activities:minutes_file", args=[activity.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Cache-Control"] == "private, no-store"
    assert list(client.get(reverse("activities:my_attendance")).context["minutes_activities"]) == [
        activity
    ]


@pytest.mark.rule("W3")
def test_those_who_did_not_attend_cannot_read_the_minutes(client, meeting):
    activity, _present, absent = meeting
    Minutes.objects.create(activity=activity, text="Confidentiel")

    for user in (absent, UserFactory()):
        client.force_login(user)
        assert client.get(reverse("activities:minutes", args=[activity.pk])).status_code == 403
        assert client.get(reverse("activities:minutes_file", args=[activity.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("activities:minutes", args=[activity.pk])).status_code == 302


@pytest.mark.rule("W3")
def test_invited_expert_sees_only_the_minutes_of_meetings_attended(client):
    expert = UserFactory()
    attended = ActivityFactory(is_public=False)
    missed = ActivityFactory(is_public=False)
    for activity in (attended, missed):
        activity.invited_people.add(expert)
        Minutes.objects.create(activity=activity, text=f"Compte rendu {activity.title}")
    Participation.objects.create(activity=attended, user=expert, attendance=Attendance.PRESENT)
    Participation.objects.create(activity=missed, user=expert, attendance=Attendance.ABSENT)
    client.force_login(expert)

    assert client.get(reverse("activities:minutes", args=[attended.pk])).status_code == 200
    assert client.get(reverse("activities:minutes", args=[missed.pk])).status_code == 403
    page = client.get(reverse("activities:my_attendance"))
    assert list(page.context["minutes_activities"]) == [attended]


@pytest.mark.rule("W3")
def test_upload_type_and_content_are_checked_and_nothing_is_saved(client, meeting):
    activity = meeting[0]
    client.force_login(user_in(Role.ORGANISERS))

    wrong_type = deposit(client, activity, text="x", file=SimpleUploadedFile("cr.exe", b"MZ..."))
    disguised = deposit(client, activity, text="x", file=SimpleUploadedFile("cr.pdf", b"<html>"))

    assert wrong_type.status_code == 400
    assert "PDF, ODT ou DOCX" in wrong_type.content.decode()
    assert disguised.status_code == 400
    assert "ne correspond pas à son extension" in disguised.content.decode()
    assert Minutes.objects.count() == 0


@pytest.mark.rule("W3")
def test_oversized_upload_is_refused(client, meeting, monkeypatch):
    monkeypatch.setattr("activities.services.MINUTES_MAX_BYTES", 16)
    client.force_login(user_in(Role.ORGANISERS))

    response = deposit(client, meeting[0], file=SimpleUploadedFile("cr.pdf", PDF))

    assert response.status_code == 400
    assert "taille maximale" in response.content.decode()
    assert Minutes.objects.count() == 0


def test_participant_cannot_deposit_minutes(client, meeting):
    activity, present, _absent = meeting
    client.force_login(present)
    assert deposit(client, activity, text="Mon compte rendu").status_code == 403
    assert Minutes.objects.count() == 0
