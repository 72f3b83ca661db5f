"""Attendance sheets (A2): export, and an import refused line by line, all or nothing."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.constants import Attendance
from activities.models import Participation
from members.constants import Role
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

from .factories import ActivityFactory, attend, convene, user_in

pytestmark = pytest.mark.django_db

DAY = datetime.datetime(2026, 3, 12, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def setting(client):
    client.force_login(user_in(Role.ORGANISERS))
    activity = ActivityFactory(starts_at=DAY)
    member = member_organisation(legal_name="Forge de l'Est")
    alice = RepresentativeFactory(organisation=member, user__email="alice@exemple.fr")
    bob = RepresentativeFactory(organisation=member, user__email="bob@exemple.fr")
    convene(activity, member)
    return activity, member, alice, bob


def upload(client, activity, text: str, encoding="utf-8"):
    sheet = SimpleUploadedFile("feuille.csv", text.encode(encoding), content_type="text/csv")
    return client.post(
        reverse("activities:attendance_import", args=[activity.pk]), {"sheet": sheet}
    )


@pytest.mark.rule("A2")
def test_bad_lines_are_listed_one_by_one_and_nothing_is_saved(client, setting):
    activity, _member, _alice, _bob = setting
    text = (
        "email;nom;prenom;statut;date\n"
        "alice@exemple.fr;A;Alice;présent;12/03/2026\n"
        "inconnu@exemple.fr;X;Y;présent;12/03/2026\n"
        "bob@exemple.fr;B;Bob;absent;31/02/2026\n"
        "ALICE@exemple.fr;A;Alice;excusé;12/03/2026\n"
        "bob@exemple.fr;B;Bob;peut-être;13/03/2026\n"
    )

    response = upload(client, activity, text)

    assert response.status_code == 400
    check = response.context["check"]
    assert check.is_valid is False
    errors = {line.number: line.errors for line in check.lines}
    assert errors[2] == []
    assert errors[3] == ["Personne inconnue : aucun compte avec l'adresse inconnu@exemple.fr."]
    assert errors[4] == ["Date invalide « 31/02/2026 » : attendu JJ/MM/AAAA."]
    assert errors[5] == ["Doublon : alice@exemple.fr figure déjà à la ligne 2."]
    assert errors[6] == [
        "Doublon : bob@exemple.fr figure déjà à la ligne 4.",
        "Statut inconnu « peut-être » : indiquez présent, absent ou excusé.",
        "La date 13/03/2026 n'est pas celle de l'activité (12/03/2026).",
    ]
    html = response.content.decode()
    assert "Personne inconnue" in html
    assert "Confirmer l'enregistrement" not in html
    assert Participation.objects.count() == 0
    # Nothing to confirm either: the session holds no sheet.
    response = client.post(
        reverse("activities:attendance_import", args=[activity.pk]), {"confirm": "1"}
    )
    assert response.status_code == 302
    assert Participation.objects.count() == 0


def test_missing_columns_and_empty_file_are_refused(client, setting):
    activity = setting[0]
    response = upload(client, activity, "courriel;presence\nalice@exemple.fr;présent\n")
    assert response.status_code == 400
    assert response.context["check"].errors == [
        "Colonnes manquantes : date (en-tête attendu : email;nom;prenom;entite;statut;date)."
    ]
    response = upload(client, activity, "")
    assert response.status_code == 400
    assert Participation.objects.count() == 0


@pytest.mark.rule("A2")
def test_valid_sheet_is_previewed_then_saved_at_confirmation(client, setting):
    activity, member, alice, bob = setting
    walk_in = UserFactory(email="visiteur@exemple.fr")
    attend(activity, bob, Attendance.ABSENT)
    text = (
        "Email,Nom,Prénom,Statut,Date\n"
        "alice@exemple.fr,A,Alice,Présent,2026-03-12\n"
        "bob@exemple.fr,B,Bob,excuse,12/03/2026\n"
        "visiteur@exemple.fr,V,Vi,P,12/03/2026\n"
    )

    response = upload(client, activity, text, encoding="cp1252")
    assert response.status_code == 200
    assert response.context["check"].is_valid is True
    assert Participation.objects.get(user=bob.user).attendance == Attendance.ABSENT

    response = client.post(
        reverse("activities:attendance_import", args=[activity.pk]), {"confirm": "1"}
    )

    assert response.status_code == 302
    saved = {
        p.user: (p.attendance, p.organisation, p.is_walk_in) for p in Participation.objects.all()
    }
    assert saved == {
        alice.user: (Attendance.PRESENT, member, False),
        bob.user: (Attendance.EXCUSED, member, False),
        walk_in: (Attendance.PRESENT, None, True),
    }


def test_export_is_readable_by_the_import(client, setting):
    activity, _member, alice, bob = setting
    attend(activity, alice)
    attend(activity, bob, Attendance.EXCUSED)

    response = client.get(reverse("activities:attendance_export", args=[activity.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert lines[0] == "email;nom;prenom;entite;statut;date;hors_ligne"
    day = timezone.localdate(DAY).strftime("%d/%m/%Y")
    assert (
        f"alice@exemple.fr;{alice.user.last_name};{alice.user.first_name};Forge de l'Est;présent;{day};non"
        in lines
    )
    Participation.objects.all().delete()
    assert upload(client, activity, text).context["check"].is_valid is True


def test_import_and_export_are_for_organisers_only(client, setting):
    activity = setting[0]
    client.force_login(UserFactory())
    assert (
        client.get(reverse("activities:attendance_export", args=[activity.pk])).status_code == 403
    )
    assert (
        upload(
            client, activity, "email;statut;date\nalice@exemple.fr;présent;12/03/2026\n"
        ).status_code
        == 403
    )
    assert Participation.objects.count() == 0


@pytest.mark.rule("A2")
def test_a_confirmed_sheet_is_saved_in_the_same_queries_however_long(client, setting):
    """A plenary's sheet holds thousands of lines: saved at once, not a query per line."""
    activity, member, _alice, _bob = setting

    def confirmed(people: int) -> int:
        Participation.objects.all().delete()
        text = "Email,Nom,Prénom,Statut,Date\n"
        for n in range(people):
            email = f"p{people}-{n}@exemple.fr"
            person = RepresentativeFactory(organisation=member, user__email=email)
            if n % 2:
                attend(activity, person, Attendance.ABSENT)  # already recorded: updated
            text += f"{email},N,P,Présent,2026-03-12\n"
        assert upload(client, activity, text).context["check"].is_valid is True
        with CaptureQueriesContext(connection) as context:
            response = client.post(
                reverse("activities:attendance_import", args=[activity.pk]), {"confirm": "1"}
            )
        assert response.status_code == 302
        assert set(
            Participation.objects.values_list("attendance", "organisation", "is_walk_in")
        ) == {(Attendance.PRESENT, member.pk, False)}
        return len(context.captured_queries)

    assert confirmed(4) == confirmed(12)
