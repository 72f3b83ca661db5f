"""The admin's "record a status change" screen takes no short cut (S1, M1-M6, I1, I4, L2,
L4, P1, P5): each decision it offers goes through the service of its normal path, with
that path's checks, or is refused with a French message naming the path to use."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from members import selectors, services
from members.constants import ApplicationState, Status, StatusReason
from members.models import StatusChange
from tests.activities.factories import ActivityFactory, attend

from .conftest import PASSWORD
from .factories import (
    EstablishmentFactory,
    OrganisationFactory,
    RepresentativeFactory,
    StatusChangeFactory,
    UserFactory,
    member_organisation,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:members_organisation_changelist")


def status_url(organisation):
    return reverse("admin:members_organisation_status", args=[organisation.pk])


def page_text(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def history():
    return list(StatusChange.objects.order_by("pk").values_list("pk", flat=True))


def invitee(name="Invitée Lorraine"):
    organisation = OrganisationFactory(legal_name=name)
    EstablishmentFactory(organisation=organisation, postcode="57000")
    StatusChangeFactory(
        organisation=organisation, status=Status.INVITEE, reason=StatusReason.INVITED
    )
    return organisation


def excluded_member(name="Exclue SA", days_ago=100):
    organisation = OrganisationFactory(legal_name=name)
    EstablishmentFactory(organisation=organisation, postcode="54400")
    StatusChangeFactory(
        organisation=organisation,
        status=Status.MEMBER,
        effective_at=timezone.now() - datetime.timedelta(days=days_ago + 700),
    )
    StatusChangeFactory(
        organisation=organisation,
        status=Status.NONE,
        reason=StatusReason.EXCLUDED,
        effective_at=timezone.now() - datetime.timedelta(days=days_ago),
        explanation="Manquement à l'article 3.3.",
    )
    return organisation


def submitted_application(*, days_ago=20):
    applicant = UserFactory(email="candidate@usinage.fr")
    return services.application_submit(
        applicant=applicant,
        data={
            "legal_name": "Usinage Vosgien",
            "kind": "company",
            "establishments": [
                {
                    "name": "",
                    "siret": "",
                    "address": "1 rue Haute",
                    "postcode": "88000",
                    "city": "Épinal",
                },
            ],
        },  # fmt: skip
        aif_reference="AIF-1234",
        motivation="Motivation.",
        password=PASSWORD,
        consent_given=True,
        now=timezone.now() - datetime.timedelta(days=days_ago),
    )


# --- Becoming a member: only by an approved application (M1 to M6) ----------------------


@pytest.mark.rule("M3", "M4", "M6", "S1")
@pytest.mark.parametrize("reason", [StatusReason.GRANTED, StatusReason.APPROVED])
def test_the_free_screen_cannot_make_an_invitee_a_member(client, copil, reason):
    organisation = invitee()
    before = history()
    audit = AuditEntry.objects.count()
    client.force_login(copil)

    response = client.post(
        status_url(organisation),
        {"apply": "1", "status": Status.MEMBER, "reason": reason,
         "explanation": "Vu en réunion."},
    )  # fmt: skip

    assert history() == before
    assert AuditEntry.objects.count() == audit
    assert selectors.organisation_status(organisation=organisation) == Status.INVITEE
    text = page_text(response) + " ".join(messages_of(response))
    assert (
        "Une entité devient membre par une candidature déposée en ligne avec la signature de "
        "la charte, puis validée par le COPIL dans « Candidatures » (article 3.1)"
    ) in text


@pytest.mark.rule("M6", "M5", "G2")
def test_an_approval_on_the_free_screen_goes_through_the_application_and_its_checks(
    client, copil, version
):
    application = submitted_application()
    organisation = application.organisation
    services.application_aif_verify(application=application, actor=copil)
    client.force_login(copil)
    data = {"apply": "1", "status": Status.MEMBER, "reason": StatusReason.APPROVED,
            "explanation": "Dossier complet."}  # fmt: skip

    blocked = client.post(status_url(organisation), data)

    assert messages_of(blocked) == [
        "Usinage Vosgien : Validation impossible : Activités suivies en tant qu'invité "
        "(0 activité(s) suivie(s), 1 au moins)."
    ]
    assert selectors.organisation_status(organisation=organisation) == Status.APPLICANT
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED

    attend(ActivityFactory(), organisation.representatives.get())
    approved = client.post(status_url(organisation), data)

    assert approved.status_code == 302
    application.refresh_from_db()
    assert (application.state, application.decided_by, application.decision_reason) == (
        ApplicationState.APPROVED,
        copil,
        "Dossier complet.",
    )
    change = organisation.status_changes.latest()
    assert (change.status, change.reason, change.decided_by) == (
        Status.MEMBER,
        StatusReason.APPROVED,
        copil,
    )


@pytest.mark.rule("M3", "M4")
def test_the_free_screen_records_no_application(client, copil):
    organisation = invitee()
    before = history()
    client.force_login(copil)

    response = client.post(
        status_url(organisation),
        {"apply": "1", "status": Status.APPLICANT, "reason": StatusReason.APPLICATION},
    )

    assert history() == before
    assert (
        "Une candidature se dépose en ligne par l'entité, avec la signature de la charte dans "
        "la même démarche (article 3.1)"
    ) in page_text(response)


# --- Invitations (I1, I4) ----------------------------------------------------------------


@pytest.mark.rule("I4", "I1")
def test_the_free_screen_cannot_invite_an_organisation_inside_its_ban(client, copil):
    organisation = excluded_member()
    before = history()
    client.force_login(copil)

    for reason in (StatusReason.INVITED, StatusReason.GRANTED):
        response = client.post(
            status_url(organisation),
            {"apply": "1", "status": Status.INVITEE, "reason": reason},
        )
        assert "Une invitation est proposée par un membre ou par le COPIL" in (
            page_text(response) + " ".join(messages_of(response))
        )

    assert history() == before
    assert selectors.organisation_status(organisation=organisation) == Status.NONE


# --- Leaving: resignation online (L2), exclusion by its procedure (L4) -------------------


@pytest.mark.rule("L4", "L3")
def test_the_free_screen_cannot_exclude_without_the_procedure(client, copil):
    organisation = member_organisation(legal_name="Membre Visé")
    before = history()
    client.force_login(copil)

    response = client.post(
        status_url(organisation),
        {"apply": "1", "status": Status.NONE, "reason": StatusReason.EXCLUDED,
         "explanation": "Propos injurieux en réunion."},
    )  # fmt: skip

    assert history() == before
    assert selectors.organisation_status(organisation=organisation) == Status.MEMBER
    assert (
        "L'exclusion suit la procédure de l'article 3.4 : ouvrez une procédure dans "
        "« Procédures d'exclusion »"
    ) in page_text(response)


@pytest.mark.rule("L4")
def test_the_bulk_action_cannot_exclude_either(client, copil):
    first = member_organisation(legal_name="Premier Membre")
    second = member_organisation(legal_name="Second Membre")
    before = history()
    client.force_login(copil)

    response = client.post(
        CHANGELIST,
        {"action": "record_status_change", "_selected_action": [first.pk, second.pk],
         "apply": "1", "status": Status.NONE, "reason": StatusReason.EXCLUDED,
         "explanation": "Absences répétées."},
    )  # fmt: skip

    assert history() == before
    assert "Procédures d'exclusion" in page_text(response)


@pytest.mark.rule("L2")
def test_the_free_screen_records_no_resignation(client, copil):
    organisation = member_organisation(legal_name="Membre Fidèle")
    before = history()
    client.force_login(copil)

    response = client.post(
        status_url(organisation),
        {"apply": "1", "status": Status.NONE, "reason": StatusReason.RESIGNED,
         "notice_reference": "Courriel du 3 mars"},
    )  # fmt: skip

    assert history() == before
    assert (
        "La démission se donne en ligne par un signataire habilité de l'entité, depuis son "
        "espace membre (article 3.4)"
    ) in page_text(response)


# --- Partners (P1, P5): the partner services, with their letters -------------------------


@pytest.mark.rule("P1", "G2")
def test_a_partner_status_on_the_free_screen_is_granted_by_the_partner_service(
    client, copil, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(legal_name="Conseil Lorrain")
    RepresentativeFactory(organisation=organisation, user__email="dg@conseil.fr")
    client.force_login(copil)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            status_url(organisation),
            {"apply": "1", "status": Status.PARTNER, "reason": StatusReason.GRANTED,
             "explanation": "Convention en préparation."},
        )  # fmt: skip

    assert response.status_code == 302
    change = organisation.status_changes.get()
    assert (change.status, change.reason, change.decided_by) == (
        Status.PARTNER,
        StatusReason.GRANTED,
        copil,
    )
    # partner_grant's own letter: the partner is told and asked to commit to art. 3.3.
    [email] = mail.outbox
    assert email.to == ["dg@conseil.fr"]
    assert "Le COPIL a accordé le statut de partenaire à Conseil Lorrain" in email.body


@pytest.mark.rule("P5", "G2")
def test_ending_a_partnership_on_the_free_screen_is_the_partner_service(
    client, copil, django_capture_on_commit_callbacks
):
    organisation = member_organisation(legal_name="Partenaire Sortant", status=Status.PARTNER)
    RepresentativeFactory(organisation=organisation, user__email="dg@partenaire.fr")
    client.force_login(copil)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            status_url(organisation),
            {"apply": "1", "status": Status.NONE, "reason": StatusReason.PARTNERSHIP_ENDED,
             "explanation": "Fin de la collaboration."},
        )  # fmt: skip

    assert response.status_code == 302
    assert selectors.organisation_status(organisation=organisation) == Status.NONE
    [email] = [m for m in mail.outbox if m.to == ["dg@partenaire.fr"]]
    assert "Le COPIL a décidé de mettre fin au partenariat avec Partenaire Sortant" in email.body


# --- The former registry's statuses: the import only --------------------------------------


@pytest.mark.rule("S1")
def test_the_imported_ground_is_for_the_import_only(client, copil):
    organisation = invitee()
    before = history()
    client.force_login(copil)

    response = client.post(
        status_url(organisation),
        {"apply": "1", "status": Status.MEMBER, "reason": StatusReason.IMPORTED},
    )

    assert history() == before
    assert "« Repris de l'ancien registre » est réservé à l'import du registre" in page_text(
        response
    )


@pytest.mark.rule("S1", "I1")
def test_the_copil_still_ends_an_invitation_on_the_free_screen(client, copil):
    organisation = invitee()
    client.force_login(copil)

    response = client.post(
        status_url(organisation),
        {"apply": "1", "status": Status.NONE, "reason": StatusReason.INVITATION_EXPIRED,
         "explanation": "L'occasion est passée."},
    )  # fmt: skip

    assert response.status_code == 302
    change = organisation.status_changes.latest()
    assert (change.status, change.reason, change.decided_by) == (
        Status.NONE,
        StatusReason.INVITATION_EXPIRED,
        copil,
    )
