"""Personal data (GDPR): the privacy notice, the download of one's data, erasure."""

import datetime
import json

import pytest
from allauth.account.models import EmailAddress
from auditlog.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.constants import Attendance
from charters.models import Signature
from charters.services import signature_record
from core.models import AuditEntry
from members import services
from members.constants import Role
from members.exceptions import MembersError
from members.models import Representative, User
from tests.activities.factories import ActivityFactory, attend, convene
from tests.charters.factories import CharterVersionFactory
from tests.members.factories import (
    RepresentativeFactory,
    StatusChangeFactory,
    UserFactory,
    member_organisation,
)

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-de-test"


@pytest.fixture
def person():
    """A member's representative who signed the charter and attended an activity."""
    organisation = member_organisation(legal_name="Usinage Lorrain")
    representative = RepresentativeFactory(
        organisation=organisation,
        user=UserFactory(first_name="Camille", last_name="Roux", email="camille@usinage.fr"),
        job_title="Directrice",
        is_authorised_signatory=True,
        public_consent=True,
    )
    EmailAddress.objects.create(
        user=representative.user, email="camille@usinage.fr", verified=True, primary=True
    )
    version = CharterVersionFactory(label="V1 R001")
    signature_record(
        version=version,
        organisation=organisation,
        signer=representative.user,
        password=PASSWORD,
        consent_given=True,
        ip_address="192.0.2.10",
        user_agent="Navigateur de test",
    )
    activity = ActivityFactory(
        title="Atelier jumeau numérique", starts_at=timezone.now() - datetime.timedelta(days=3)
    )
    convene(activity, organisation)
    attend(activity, representative, attendance=Attendance.PRESENT)
    return representative


def copil_member():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=Role.COPIL))
    return user


def sessions_of(user) -> int:
    return sum(
        1
        for session in Session.objects.all()
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk)
    )


# --- The privacy notice --------------------------------------------------------------


def test_the_privacy_page_states_each_retention_period(client):
    response = client.get(reverse("privacy:policy"))

    assert response.status_code == 200
    page = response.content.decode()
    for row in (
        "duree-comptes",
        "duree-signatures",
        "duree-presences",
        "duree-journaux",
        "duree-audit",
        "duree-votes",
    ):
        assert f'id="{row}"' in page
    assert "3 ans après la fin de la dernière représentation" in page
    assert "12 mois." in page
    assert "5 ans après la décision ou la modification." in page
    # The signature evidence is kept after erasure, and the privacy page says why.
    assert "ni modifiés ni supprimés, même après l'effacement de votre compte" in page
    assert "un bulletin n'est jamais relié à la personne qui a voté" in page


def test_every_page_links_to_the_privacy_notice(client):
    response = client.get(reverse("home"))

    assert reverse("privacy:policy") in response.content.decode()


# --- Download --------------------------------------------------------------------------


def test_a_person_downloads_their_data_as_json(client, person, django_assert_max_num_queries):
    client.force_login(person.user)

    # One query per kind of record linked to a person (about forty): a rare download.
    with django_assert_max_num_queries(80):
        response = client.get(reverse("privacy:export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-cos-ge-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "camille@usinage.fr"
    assert data["account"]["first_name"] == "Camille"
    assert data["account"]["email_addresses"] == [
        {"email": "camille@usinage.fr", "verified": True, "primary": True}
    ]
    assert data["representations"] == [
        {
            "organisation": "Usinage Lorrain",
            "job_title": "Directrice",
            "start_date": "2022-01-01",
            "end_date": None,
            "is_authorised_signatory": True,
            "public_consent": True,
        }
    ]
    [signature] = data["charter_signatures"]
    assert signature["charter_version"] == "V1 R001"
    assert signature["signer_email"] == "camille@usinage.fr"
    assert signature["ip_address"] == "192.0.2.10"
    [activity] = data["activities"]
    assert activity["activity"] == "Atelier jumeau numérique"
    assert activity["attendance"] == Attendance.PRESENT
    assert activity["organisation"] == "Usinage Lorrain"
    assert data["other_records"] == []
    # Secrets are not data about the person.
    raw = response.content.decode()
    assert person.user.password not in raw
    assert "argon2" not in raw


def test_someone_else_s_data_is_not_in_the_download(client, person):
    other = RepresentativeFactory(organisation=person.organisation)
    client.force_login(other.user)

    data = json.loads(client.get(reverse("privacy:export")).content)

    assert data["account"]["email"] == other.user.email
    assert data["charter_signatures"] == []
    assert data["activities"] == []
    assert "camille@usinage.fr" not in json.dumps(data)


def test_the_download_needs_a_signed_in_person(client):
    response = client.get(reverse("privacy:export"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Erasure by the person ------------------------------------------------------------


def test_a_person_erases_their_account_with_their_password(client, person):
    user = person.user
    other_device = Client()
    other_device.force_login(user)
    client.force_login(user)
    signature_before = Signature.objects.values().get(signer=user)

    response = client.post(reverse("privacy:erase"), {"confirm": "on", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user.refresh_from_db()
    assert str(user) == "Personne effacée"
    assert user.first_name == ""
    assert user.email.endswith("@efface.invalid")
    assert "camille" not in user.email
    assert not user.has_usable_password()
    assert not user.is_active
    assert not EmailAddress.objects.filter(user=user).exists()
    assert sessions_of(user) == 0
    assert other_device.get(reverse("space:dashboard")).status_code == 302
    representation = Representative.objects.get(pk=person.pk)
    assert representation.end_date == timezone.localdate()
    assert not representation.public_consent
    assert not representation.is_authorised_signatory
    # Governance records stay consistent: the signature evidence is untouched,
    # attendance still counts for the organisation.
    assert Signature.objects.values().get(signer=user) == signature_before
    assert user.participations.get().attendance == Attendance.PRESENT
    entry = AuditEntry.objects.get(action="members.person.erased")
    assert entry.actor == user
    assert entry.data == {"by_self": True, "representations_ended": 1}


def test_erasure_needs_the_password_and_the_confirmation(client, person):
    client.force_login(person.user)
    url = reverse("privacy:erase")

    wrong = client.post(url, {"confirm": "on", "password": "pas-le-bon"})
    unconfirmed = client.post(url, {"password": PASSWORD})

    assert wrong.status_code == 400
    assert "Mot de passe incorrect." in wrong.content.decode()
    assert unconfirmed.status_code == 400
    assert "Cochez la case pour confirmer l&#x27;effacement." in unconfirmed.content.decode()
    user = User.objects.get(pk=person.user_id)
    assert user.email == "camille@usinage.fr"
    assert user.is_active
    assert not AuditEntry.objects.filter(action="members.person.erased").exists()


def test_erasure_pauses_after_five_wrong_passwords(client, person):
    client.force_login(person.user)
    url = reverse("privacy:erase")
    for _attempt in range(5):
        assert client.post(url, {"confirm": "on", "password": "faux"}).status_code == 400

    response = client.post(url, {"confirm": "on", "password": PASSWORD})

    assert response.status_code == 400
    assert "Trop d&#x27;essais de mot de passe" in response.content.decode()
    assert User.objects.get(pk=person.user_id).is_active


# --- The service ----------------------------------------------------------------------


def test_nobody_else_than_the_person_or_the_copil_erases(person):
    stranger = RepresentativeFactory(organisation=person.organisation).user

    with pytest.raises(MembersError):
        services.person_erase(user=person.user, actor=stranger)

    user = User.objects.get(pk=person.user_id)
    assert user.email == "camille@usinage.fr"
    assert user.is_active


def test_a_superuser_account_is_not_erased():
    admin = UserFactory(is_staff=True, is_superuser=True, email="root@cos-ge.fr")

    with pytest.raises(MembersError):
        services.person_erase(user=admin, actor=admin)

    assert User.objects.get(pk=admin.pk).email == "root@cos-ge.fr"


def test_erasure_is_idempotent_and_scrubs_the_trails(person):
    copil = copil_member()
    user = person.user
    LogEntry.objects.filter(actor=None).update(actor=user, actor_email=user.email)
    services.user_get_or_create(email="camille.bis@usinage.fr")
    AuditEntry.objects.create(
        created_at=timezone.now(),
        action="members.user.created",
        object_type="members.user",
        object_id=str(user.pk),
        data={"email": "camille@usinage.fr"},
    )

    first = services.person_erase(user=user, actor=copil)
    email = first.email
    second = services.person_erase(user=user, actor=copil)

    assert second.email == email
    assert AuditEntry.objects.filter(action="members.person.erased").count() == 1
    assert "camille@usinage.fr" not in json.dumps(
        list(AuditEntry.objects.filter(object_id=str(user.pk)).values_list("data", flat=True))
    )
    assert not LogEntry.objects.filter(actor_email="camille@usinage.fr").exists()
    for entry in LogEntry.objects.get_for_object(person):
        assert "Roux" not in entry.object_repr


# --- Erasure by the COPIL in the admin ------------------------------------------------


def test_the_copil_erases_a_person_from_the_admin_after_confirming(client, person):
    client.force_login(copil_member())
    url = reverse("admin:members_user_changelist")
    chosen = {"action": "erase_people", "_selected_action": [person.user_id]}

    confirmation = client.post(url, chosen)

    assert confirmation.status_code == 200
    assert "camille@usinage.fr" in confirmation.content.decode()
    assert User.objects.get(pk=person.user_id).is_active

    done = client.post(url, {**chosen, "confirm": "yes"})

    assert done.status_code == 302
    user = User.objects.get(pk=person.user_id)
    assert str(user) == "Personne effacée"
    assert not user.is_active
    entry = AuditEntry.objects.get(action="members.person.erased")
    assert entry.data["by_self"] is False


def test_the_erase_action_is_for_the_copil_only(client, person):
    team = UserFactory(is_staff=True)
    team.groups.add(Group.objects.get(name=Role.STAFF))
    team.user_permissions.add(*Group.objects.get(name=Role.COPIL).permissions.all())
    client.force_login(team)

    response = client.post(
        reverse("admin:members_user_changelist"),
        {"action": "erase_people", "_selected_action": [person.user_id], "confirm": "yes"},
    )

    assert response.status_code in {200, 302}
    assert User.objects.get(pk=person.user_id).email == "camille@usinage.fr"


def test_the_download_also_holds_the_other_records_about_the_person(client, person):
    from members.models import Application

    Application.objects.create(applicant=person.user, motivation="Rejoindre la communauté.")
    client.force_login(person.user)

    data = json.loads(client.get(reverse("privacy:export")).content)

    [record] = data["other_records"]
    assert record["record_type"] == "candidature"
    assert record["relation"] == str(Application._meta.get_field("applicant").verbose_name)


def test_the_download_reads_the_other_records_in_the_same_queries_however_many(client):
    """A COPIL member decided the status of many organisations: each record's description
    names its organisation, read with the records, not one query per record."""
    decider = copil_member()
    client.force_login(decider)

    def decided(number: int) -> tuple[int, int]:
        for _ in range(number):
            StatusChangeFactory(organisation=member_organisation(), decided_by=decider)
        with CaptureQueriesContext(connection) as context:
            data = json.loads(client.get(reverse("privacy:export")).content)
        return len(context.captured_queries), len(data["other_records"])

    few_queries, few = decided(2)
    many_queries, many = decided(6)

    assert (few, many) == (2, 8)
    assert many_queries == few_queries
