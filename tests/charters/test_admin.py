"""The charter in the COPIL's admin: frozen versions, revision and publication, evidence."""

import datetime

import pytest
from django.urls import reverse

from charters.models import CharterVersion, Signature
from tests.charters.factories import CharterVersionFactory, signatory
from tests.charters.test_signatures import sign
from tests.members.factories import UserFactory


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.rule("W1")
def test_a_published_version_shows_its_text_read_only(client, superuser, version):
    client.force_login(superuser)
    response = client.get(reverse("admin:charters_charterversion_change", args=[version.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="body"' not in html
    assert 'name="end_date"' in html
    assert version.text_sha256 in html


@pytest.mark.rule("W1")
def test_a_published_version_cannot_be_extended_in_the_admin(client, superuser, db):
    version = CharterVersionFactory(label="V1", end_date=datetime.date(2028, 1, 1))
    client.force_login(superuser)
    response = client.post(
        reverse("admin:charters_charterversion_change", args=[version.pk]),
        {"end_date": "2029-01-01"},
    )
    assert response.status_code == 200
    assert "ne peut qu" in response.content.decode()
    version.refresh_from_db()
    assert version.end_date == datetime.date(2028, 1, 1)


@pytest.mark.rule("W1", "X4")
def test_revise_then_publish_from_the_admin(client, superuser, version):
    client.force_login(superuser)
    changelist = reverse("admin:charters_charterversion_changelist")
    client.post(changelist, {"action": "revise", "_selected_action": [version.pk]})
    draft = CharterVersion.objects.get(published_at__isnull=True)
    assert draft.body == version.body
    client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.published_at is not None
    version.refresh_from_db()
    assert version.end_date == draft.effective_date - datetime.timedelta(days=1)


def test_signatures_are_read_only_in_the_admin(client, superuser, version):
    signature = sign(signatory(), version)
    client.force_login(superuser)
    listing = client.get(reverse("admin:charters_signature_changelist"))
    assert signature.verification_code in listing.content.decode()
    change = client.post(
        reverse("admin:charters_signature_change", args=[signature.pk]), {"signer_role": "x"}
    )
    assert change.status_code == 403
    assert client.get(reverse("admin:charters_signature_add")).status_code == 403
    assert Signature.objects.get().signer_role == "Directeur"


@pytest.mark.rule("E2")
def test_organisation_page_shows_when_the_confidentiality_commitment_ends(
    client, superuser, version
):
    from django.utils import timezone

    from core.dates import add_months
    from members.constants import Status, StatusReason
    from tests.members.factories import StatusChangeFactory, member_organisation

    organisation = member_organisation()
    url = reverse("admin:members_organisation_change", args=[organisation.pk])
    client.force_login(superuser)
    assert "Sans objet : aucune perte de statut" in client.get(url).content.decode()
    resigned_at = timezone.now() - datetime.timedelta(days=1)
    StatusChangeFactory(
        organisation=organisation,
        status=Status.NONE,
        reason=StatusReason.RESIGNED,
        effective_at=resigned_at,
    )
    html = client.get(url).content.decode()
    lost_on = timezone.localdate(resigned_at)
    expected = add_months(lost_on, 12)
    assert "Fin de l&#x27;engagement de confidentialité" in html
    assert f"Jusqu&#x27;au {expected:%d/%m/%Y}" in html
