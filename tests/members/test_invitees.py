"""Invitees (art. 5): proposed by a member, validated by the COPIL, art. 3.3 accepted
online before taking part; 24 months' ban after an exclusion; rejected applicants welcome."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members import selectors, services
from members.constants import InvitationState, Status, StatusReason
from members.exceptions import InvitationBanned, NotAllowed
from members.models import Invitation

from .factories import (
    OrganisationFactory,
    RepresentativeFactory,
    StatusChangeFactory,
    UserFactory,
    member_organisation,
)

pytestmark = pytest.mark.django_db

PROPOSE = reverse("member_space:invitation_propose")


@pytest.fixture
def member_rep():
    return RepresentativeFactory(organisation=member_organisation(legal_name="Hôte SA"))


def form_data(member_rep, **overrides):
    today = timezone.localdate()
    data = {
        "proposing_organisation": member_rep.organisation.pk,
        "guest_organisation_name": "Invitée SARL",
        "guest_name": "Paul Invité",
        "guest_email": "paul@invitee.fr",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=60)).isoformat(),
        "occasion": "Atelier cobotique",
    }
    data.update(overrides)
    return data


def excluded(on: datetime.datetime, name="Exclue SA"):
    organisation = member_organisation(legal_name=name, status=Status.NONE)
    StatusChangeFactory(
        organisation=organisation,
        status=Status.NONE,
        reason=StatusReason.EXCLUDED,
        effective_at=on,
        explanation="Manquement à l'article 3.3.",
    )
    return organisation


@pytest.mark.rule("I1")
def test_a_member_proposes_an_invitee_and_the_copil_is_told(
    client, member_rep, django_capture_on_commit_callbacks
):
    client.force_login(member_rep.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PROPOSE, form_data(member_rep))

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.state, invitation.proposed_by, invitation.proposing_organisation) == (
        InvitationState.PROPOSED,
        member_rep.user,
        member_rep.organisation,
    )
    assert invitation.organisation is None  # not yet in the registry
    assert [m.to for m in mail.outbox] == [["copil@cos-ge.fr"]]


@pytest.mark.rule("I1")
def test_only_members_propose_invitees(client):
    invitee = RepresentativeFactory(organisation=member_organisation(status=Status.INVITEE))
    client.force_login(invitee.user)

    assert client.get(PROPOSE).status_code == 403


@pytest.mark.rule("I4")
def test_an_organisation_excluded_less_than_24_months_ago_cannot_be_invited(client, member_rep):
    now = timezone.now()
    excluded(now - datetime.timedelta(days=400))
    client.force_login(member_rep.user)

    response = client.post(PROPOSE, form_data(member_rep, guest_organisation_name="exclue sa"))

    excluded_on = timezone.localdate(now - datetime.timedelta(days=400))
    until = excluded_on.replace(year=excluded_on.year + 2)
    assert response.status_code == 400
    assert (
        f"Exclue SA a été exclue de la COS-GE le {excluded_on:%d/%m/%Y} : l'article 5 de la "
        f"charte interdit de l'inviter pendant 24 mois après son exclusion, soit avant le "
        f"{until:%d/%m/%Y}."
    ) in response.content.decode().replace("&#x27;", "'")
    assert not Invitation.objects.exists()


@pytest.mark.rule("I4")
def test_the_ban_ends_24_months_after_the_exclusion():
    organisation = excluded(datetime.datetime(2024, 3, 14, 10, tzinfo=datetime.UTC))

    assert selectors.invitation_ban_until(
        organisation=organisation, on=datetime.date(2026, 3, 13)
    ) == datetime.date(2026, 3, 14)
    assert (
        selectors.invitation_ban_until(organisation=organisation, on=datetime.date(2026, 3, 14))
        is None
    )


@pytest.mark.rule("I3", "I1", "G2")
def test_a_rejected_applicant_can_be_invited_once_the_copil_validates(
    copil, member_rep, django_capture_on_commit_callbacks
):
    rejected = member_organisation(legal_name="Refusée SA", status=Status.NONE)
    StatusChange = rejected.status_changes.model
    StatusChange.objects.filter(organisation=rejected).update(reason=StatusReason.REJECTED)
    invitation = services.invitation_propose(
        proposed_by=member_rep.user,
        proposing_organisation=member_rep.organisation,
        guest_organisation_name="Refusée SA",
        guest_name="Léa Refusée",
        guest_email="lea@refusee.fr",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_validate(invitation=invitation, actor=copil)

    invitation.refresh_from_db()
    assert (invitation.state, invitation.decided_by, invitation.organisation) == (
        InvitationState.VALIDATED,
        copil,
        rejected,
    )
    change = rejected.status_changes.latest()
    assert (change.status, change.reason, change.ends_on) == (
        Status.INVITEE,
        StatusReason.INVITED,
        invitation.ends_on,
    )
    [email] = mail.outbox
    assert email.to == ["lea@refusee.fr"]
    assert "/invitation/" in email.body


@pytest.mark.rule("G2")
def test_only_the_copil_validates_an_invitation(member_rep, staff_not_copil):
    invitation = services.invitation_propose(
        proposed_by=member_rep.user,
        proposing_organisation=member_rep.organisation,
        guest_name="X",
        guest_email="x@exemple.fr",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    for actor in (None, member_rep.user, staff_not_copil):
        with pytest.raises(NotAllowed):
            services.invitation_validate(invitation=invitation, actor=actor)
        with pytest.raises(NotAllowed):
            services.invitation_refuse(invitation=invitation, actor=actor)
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.PROPOSED


@pytest.mark.rule("I4")
def test_validation_checks_the_ban_again(copil, member_rep):
    invitation = services.invitation_propose(
        proposed_by=member_rep.user,
        proposing_organisation=member_rep.organisation,
        guest_organisation_name="Plus tard SA",
        guest_name="X",
        guest_email="x@exemple.fr",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    excluded(timezone.now() - datetime.timedelta(days=1), name="Plus tard SA")

    with pytest.raises(InvitationBanned):
        services.invitation_validate(invitation=invitation, actor=copil)


@pytest.fixture
def validated(copil, member_rep, version):
    invitation = services.invitation_propose(
        proposed_by=member_rep.user,
        proposing_organisation=member_rep.organisation,
        guest_name="Paul Invité",
        guest_email="paul@invitee.fr",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    return services.invitation_validate(invitation=invitation, actor=copil)


@pytest.mark.rule("I2", "E1")
def test_the_invitee_accepts_article_3_3_from_the_link_without_an_account(client, validated):
    url = reverse("invitation_accept", args=[services.invitation_token(validated)])

    page = client.get(url)
    refused = client.post(url, {})
    accepted = client.post(url, {"consent": "on"})

    assert page.status_code == 200
    assert "éthique et confidentialité" in page.content.decode()
    assert refused.status_code == 400
    assert accepted.status_code == 200
    validated.refresh_from_db()
    assert validated.accepted_at is not None
    assert validated.acceptance_text.startswith(
        "Je soussigné(e) Paul Invité déclare avoir lu l'article 3.3"
    )
    assert "version V1 R001" in validated.acceptance_text
    assert "Vous avez accepté l" in accepted.content.decode()


@pytest.mark.rule("I2")
def test_a_forged_link_is_refused(client, validated):
    token = services.invitation_token(validated)
    response = client.get(reverse("invitation_accept", args=[token[:-2] + "xx"]))

    assert response.status_code == 404
    assert "Ce lien d&#x27;invitation n&#x27;est pas valable." in response.content.decode()


@pytest.mark.rule("I2")
def test_an_invitation_not_yet_validated_cannot_be_accepted(client, member_rep, version):
    invitation = services.invitation_propose(
        proposed_by=member_rep.user,
        proposing_organisation=member_rep.organisation,
        guest_name="X",
        guest_email="x@exemple.fr",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    url = reverse("invitation_accept", args=[services.invitation_token(invitation)])

    response = client.post(url, {"consent": "on"})

    assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_the_copil_validates_from_the_admin(client, copil, member_rep):
    invitation = services.invitation_propose(
        proposed_by=member_rep.user,
        proposing_organisation=member_rep.organisation,
        guest_organisation_name="Nouvelle SA",
        guest_name="X",
        guest_email="x@exemple.fr",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    client.force_login(copil)

    response = client.post(
        reverse("admin:members_invitation_changelist"),
        {"action": "validate", "_selected_action": [invitation.pk]},
    )

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.VALIDATED
    assert selectors.organisation_status(organisation=invitation.organisation) == Status.INVITEE


def test_a_person_without_a_status_is_not_an_organisation(member_rep):
    invitation = services.invitation_propose(
        proposed_by=member_rep.user,
        proposing_organisation=member_rep.organisation,
        guest_name="Expert",
        guest_email="expert@exemple.fr",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    assert invitation.organisation is None
    assert OrganisationFactory._meta.model.objects.filter(legal_name="Expert").count() == 0
    assert UserFactory._meta.model.objects.filter(email="expert@exemple.fr").count() == 0
