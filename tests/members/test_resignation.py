"""Resignation (art. 3.4): online, after a confirmation step, immediate; the COPIL is
emailed and the member gets a dated confirmation letter (L1, L2, L5, S2, E2)."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from core.dates import add_months
from members import selectors
from members.constants import Status, StatusReason

from .factories import RepresentativeFactory, UserFactory, member_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    organisation = member_organisation(legal_name="Partante SA")
    organisation.signatory = RepresentativeFactory(
        organisation=organisation, is_authorised_signatory=True, user__email="dg@partante.fr"
    ).user
    return organisation


@pytest.mark.rule("L2", "L5", "S2", "E2")
def test_a_signatory_resigns_online_with_immediate_effect(
    client, member, django_capture_on_commit_callbacks
):
    url = reverse("member_space:resign", args=[member.slug])
    client.force_login(member.signatory)

    confirmation_page = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "on"})

    assert confirmation_page.status_code == 200
    assert "sans avoir à se justifier" in confirmation_page.content.decode()
    assert response.status_code == 302
    change = member.status_changes.latest()
    assert (change.status, change.reason, change.decided_by) == (
        Status.NONE,
        StatusReason.RESIGNED,
        member.signatory,
    )
    # S2, L5: out of the directory the same day.
    assert member not in selectors.directory_list()
    copil_email = next(m for m in mail.outbox if m.to == ["copil@cos-ge.fr"])
    member_email = next(m for m in mail.outbox if m.to == ["dg@partante.fr"])
    assert "a donné en ligne la démission de Partante SA" in copil_email.body
    [(name, pdf, mimetype)] = member_email.attachments
    assert (name, mimetype) == (f"demission-{member.slug}.pdf", "application/pdf")
    assert pdf.startswith(b"%PDF-")
    # E2: the member space shows how long the commitment still runs.
    page = client.get(reverse("member_space:organisation", args=[member.slug])).content.decode()
    end = add_months(timezone.localdate(), 12)
    assert f"jusqu'au {date_format(end, 'j F Y')}" in page


@pytest.mark.rule("L2")
def test_without_the_confirmation_nothing_happens(client, member):
    client.force_login(member.signatory)

    response = client.post(reverse("member_space:resign", args=[member.slug]), {})

    assert response.status_code == 400
    assert selectors.organisation_status(organisation=member) == Status.MEMBER


@pytest.mark.rule("L2")
def test_only_an_authorised_signatory_resigns(client, member):
    person = RepresentativeFactory(organisation=member, is_authorised_signatory=False).user
    client.force_login(person)

    response = client.post(reverse("member_space:resign", args=[member.slug]), {"confirm": "on"})

    assert response.status_code == 400
    assert "Seul un signataire habilité" in response.content.decode()
    assert selectors.organisation_status(organisation=member) == Status.MEMBER


@pytest.mark.rule("L2")
def test_a_stranger_has_no_resignation_page(client, member):
    client.force_login(UserFactory())
    response = client.post(reverse("member_space:resign", args=[member.slug]), {"confirm": "on"})
    assert response.status_code == 404
    assert selectors.organisation_status(organisation=member) == Status.MEMBER


@pytest.mark.rule("L1")
def test_membership_has_no_end_date(member):
    assert member.status_changes.get().ends_on is None


@pytest.mark.rule("M9")
def test_the_member_designates_and_ends_representatives(
    client, member, django_capture_on_commit_callbacks
):
    client.force_login(member.signatory)
    with django_capture_on_commit_callbacks(execute=True):
        added = client.post(
            reverse("member_space:representative_add", args=[member.slug]),
            {"email": "nouveau@partante.fr", "first_name": "Noé", "last_name": "Neuf"},
        )
    new = member.representatives.get(user__email="nouveau@partante.fr")
    ended = client.post(reverse("member_space:representative_end", args=[member.slug, new.pk]))

    assert added.status_code == ended.status_code == 302
    new.refresh_from_db()
    assert new.end_date == timezone.localdate()
    assert [m.to for m in mail.outbox] == [["nouveau@partante.fr"]]


@pytest.mark.rule("M9")
def test_a_member_without_an_active_representative_is_flagged(client, copil):
    flagged = member_organisation(legal_name="Sans Représentant")
    RepresentativeFactory(organisation=member_organisation(legal_name="Représentée"))
    client.force_login(copil)

    response = client.get(
        reverse("admin:members_organisation_changelist"), {"representants": "aucun"}
    )

    assert [o.legal_name for o in response.context["cl"].result_list] == [flagged.legal_name]
