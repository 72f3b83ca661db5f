"""Charter art. 5 (I4): an organisation excluded as a member cannot come back for the
months the charter version sets (24 in V1 R001), whatever it is called now.

It is recognised by its SIREN or a SIRET, by its name once accents, case, punctuation and
legal forms are set aside, and by the e-mail addresses of its former representatives;
wherever an organisation can come back: a member's invitation proposal, the online
application, the COPIL's status screen and its validation of invitations."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.dates import add_months
from members import selectors
from members.constants import InvitationState, Status, StatusReason
from members.models import Application, Invitation, Organisation, StatusChange

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

PROPOSE = reverse("member_space:invitation_propose")
APPLY = reverse("application:form")
FORMER_EMAIL = "ancien.dg@longwy-sn.fr"


def page_text(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def excluded_longwy(*, days_ago=100):
    """Longwy Solutions Numériques, a member excluded ``days_ago`` days ago."""
    organisation = OrganisationFactory(legal_name="Longwy Solutions Numériques", siren="732829320")
    EstablishmentFactory(organisation=organisation, postcode="54400", siret="73282932000074")
    excluded_at = timezone.now() - datetime.timedelta(days=days_ago)
    RepresentativeFactory(
        organisation=organisation,
        user__email=FORMER_EMAIL,
        start_date=datetime.date(2022, 1, 1),
        end_date=timezone.localdate(excluded_at),
    )
    StatusChangeFactory(
        organisation=organisation,
        status=Status.MEMBER,
        effective_at=excluded_at - datetime.timedelta(days=700),
    )
    StatusChangeFactory(
        organisation=organisation,
        status=Status.NONE,
        reason=StatusReason.EXCLUDED,
        effective_at=excluded_at,
        explanation="Manquement à l'article 3.3.",
    )
    return organisation


def ban_sentence(*, days_ago=100, months=24) -> str:
    excluded_on = timezone.localdate(timezone.now() - datetime.timedelta(days=days_ago))
    until = add_months(excluded_on, months)
    return (
        f"Longwy Solutions Numériques a été exclue de la COS-GE le {excluded_on:%d/%m/%Y} : "
        f"l'article 5 de la charte interdit de l'inviter pendant {months} mois après son "
        f"exclusion, soit avant le {until:%d/%m/%Y}."
    )


# --- The name, normalised -----------------------------------------------------------------


@pytest.mark.rule("I4")
@pytest.mark.parametrize(
    "name",
    [
        "Longwy Solutions Numériques",
        "Longwy Solutions Numeriques",
        "LONGWY SOLUTIONS NUMÉRIQUES SAS",
        "Longwy Solutions Numériques S.A.S.",
        "Longwy  Solutions-Numériques, SARL",
        "SASU Longwy Solutions Numériques",
        "Association Longwy Solutions Numériques",
        "Longwy Solutions Numériques (EURL)",
        "longwy solutions numériques scop sa",
    ],
)
def test_a_name_is_compared_without_accents_case_punctuation_or_legal_form(name):
    from members.matching import normalised_name

    assert normalised_name(name) == "longwy solutions numeriques"


@pytest.mark.rule("I4")
def test_words_that_are_not_legal_forms_are_kept():
    from members.matching import normalised_name

    assert normalised_name("Œuvres & Saisons d'Alsace") == "oeuvres et saisons d alsace"
    assert normalised_name("Sabine Sasson") == "sabine sasson"
    assert normalised_name("SAS") == ""


# --- A member's invitation proposal (member_space:invitation_propose) --------------------


@pytest.fixture
def member_rep():
    return RepresentativeFactory(organisation=member_organisation(legal_name="Hôte SA"))


def proposal(member_rep, **overrides):
    today = timezone.localdate()
    data = {
        "proposing_organisation": member_rep.organisation.pk,
        "guest_organisation_name": "",
        "guest_name": "Paul Invité",
        "guest_email": "paul@ailleurs.fr",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=30)).isoformat(),
        "occasion": "Atelier cobotique",
    }
    data.update(overrides)
    return data


EVASIONS = {
    "name without its accent": (
        {"guest_organisation_name": "Longwy Solutions Numeriques"},
        "« Longwy Solutions Numeriques » est le nom de Longwy Solutions Numériques, aux "
        "accents, à la casse, à la ponctuation et à la forme juridique près.",
    ),
    "name with a legal form": (
        {"guest_organisation_name": "Longwy Solutions Numériques SAS"},
        "« Longwy Solutions Numériques SAS » est le nom de Longwy Solutions Numériques, aux "
        "accents, à la casse, à la ponctuation et à la forme juridique près.",
    ),
    "a former representative's e-mail": (
        {"guest_organisation_name": "Nouvelle Structure", "guest_email": FORMER_EMAIL.upper()},
        f"{FORMER_EMAIL} est l'adresse d'un ancien représentant de Longwy Solutions Numériques.",
    ),
}


@pytest.mark.rule("I4", "I1")
@pytest.mark.parametrize("evasion", sorted(EVASIONS))
def test_a_member_cannot_invite_an_excluded_organisation_under_another_spelling(
    client, member_rep, evasion
):
    excluded_longwy()
    overrides, why = EVASIONS[evasion]
    client.force_login(member_rep.user)

    response = client.post(PROPOSE, proposal(member_rep, **overrides))

    assert response.status_code == 400
    assert f"{why} {ban_sentence()}" in page_text(response)
    assert not Invitation.objects.exists()


@pytest.mark.rule("I4", "I1")
def test_a_person_alone_who_represented_the_excluded_organisation_is_not_invited(
    client, member_rep
):
    excluded_longwy()
    client.force_login(member_rep.user)

    response = client.post(PROPOSE, proposal(member_rep, guest_email=FORMER_EMAIL))

    assert response.status_code == 400
    assert ban_sentence() in page_text(response)
    assert not Invitation.objects.exists()


@pytest.mark.rule("I4", "I1")
def test_another_organisation_of_the_same_town_is_invited(client, member_rep):
    excluded_longwy()
    client.force_login(member_rep.user)

    response = client.post(
        PROPOSE, proposal(member_rep, guest_organisation_name="Longwy Solutions Industrielles")
    )

    assert response.status_code == 302
    assert Invitation.objects.get().guest_organisation_name == "Longwy Solutions Industrielles"


@pytest.mark.rule("I4")
def test_the_ban_length_and_its_messages_come_from_the_charter_version(client, member_rep):
    from tests.charters.factories import CharterVersionFactory

    CharterVersionFactory(
        label="V2 R001",
        effective_date=datetime.date(2020, 1, 1),
        parameters={"excluded_invitee_ban_months": 12},
    )
    client.force_login(member_rep.user)
    page = client.get(PROPOSE)
    assert "Une entité exclue ne peut pas être invitée pendant 12 mois" in page_text(page)

    excluded_longwy(days_ago=100)
    refused = client.post(
        PROPOSE, proposal(member_rep, guest_organisation_name="Longwy Solutions Numériques")
    )
    assert ban_sentence(months=12) in page_text(refused)

    StatusChange.objects.filter(reason=StatusReason.EXCLUDED).update(
        effective_at=timezone.now() - datetime.timedelta(days=400)
    )
    accepted = client.post(
        PROPOSE, proposal(member_rep, guest_organisation_name="Longwy Solutions Numériques")
    )
    assert accepted.status_code == 302  # 12 months are over (24 would not be)


# --- The online application (application:form) --------------------------------------------


def application_data(**overrides) -> dict:
    data = {
        "legal_name": "Nouvelle Entité Lorraine",
        "kind": "company",
        "siren": "",
        "website": "",
        "description": "Services numériques.",
        "job_title": "Gérant",
        "aif_reference": "AIF-9876",
        "motivation": "Rejoindre la communauté.",
        "consent": "on",
        "password": PASSWORD,
        "submit": "1",
        "establishments-TOTAL_FORMS": "1",
        "establishments-INITIAL_FORMS": "0",
        "establishments-MIN_NUM_FORMS": "1",
        "establishments-MAX_NUM_FORMS": "20",
        "establishments-0-name": "Siège",
        "establishments-0-siret": "",
        "establishments-0-address": "3 rue du Château",
        "establishments-0-postcode": "54400",
        "establishments-0-city": "Longwy",
    }
    data.update(overrides)
    return data


APPLICATION_EVASIONS = {
    "name without its accent": (
        {"legal_name": "Longwy Solutions Numeriques"},
        "« Longwy Solutions Numeriques » est le nom de Longwy Solutions Numériques",
    ),
    "name with a legal form": (
        {"legal_name": "Longwy Solutions Numériques S.A.S."},
        "« Longwy Solutions Numériques S.A.S. » est le nom de Longwy Solutions Numériques",
    ),
    "the same SIREN": (
        {"legal_name": "LSN Lorraine", "siren": "732 829 320"},
        "Le SIREN ou SIRET 732829320 est celui de Longwy Solutions Numériques.",
    ),
    "a SIRET of the excluded organisation": (
        {"legal_name": "LSN Lorraine", "establishments-0-siret": "73282932000074"},
        "Le SIREN ou SIRET 73282932000074 est celui de Longwy Solutions Numériques.",
    ),
}


@pytest.mark.rule("I4", "M3")
@pytest.mark.parametrize("evasion", sorted(APPLICATION_EVASIONS))
def test_an_excluded_organisation_cannot_apply_under_another_spelling(client, version, evasion):
    excluded_longwy()
    registry = (Organisation.objects.count(), StatusChange.objects.count())
    overrides, why = APPLICATION_EVASIONS[evasion]
    client.force_login(UserFactory(email="nouveau@lsn.fr"))

    response = client.post(APPLY, application_data(**overrides))

    assert response.status_code == 400
    text = page_text(response)
    assert why in text
    assert ban_sentence() in text
    assert (
        "Sa candidature ne peut pas être déposée avant cette date : l'adhésion suppose "
        "d'avoir participé aux activités en tant qu'invitée (article 3.1)."
    ) in text
    assert not Application.objects.exclude(state="draft").exists()
    assert (Organisation.objects.count(), StatusChange.objects.count()) == registry


@pytest.mark.rule("I4", "M3")
def test_a_former_representative_cannot_apply_for_a_new_organisation_inside_the_ban(
    client, version
):
    excluded = excluded_longwy()
    former = excluded.representatives.get().user
    former.set_password(PASSWORD)
    former.save()
    client.force_login(former)

    response = client.post(APPLY, application_data())

    assert response.status_code == 400
    assert (
        f"{FORMER_EMAIL} est l'adresse d'un ancien représentant de Longwy Solutions Numériques."
    ) in page_text(response)
    assert not Organisation.objects.filter(legal_name="Nouvelle Entité Lorraine").exists()


@pytest.mark.rule("I4", "M3")
def test_once_the_ban_is_over_the_organisation_may_apply_again(client, version):
    excluded_longwy(days_ago=800)
    client.force_login(UserFactory(email="nouveau@lsn.fr"))

    response = client.post(APPLY, application_data(legal_name="Longwy Solutions Numeriques"))

    assert response.status_code == 302
    assert Application.objects.get().organisation.legal_name == "Longwy Solutions Numeriques"


def exclude(name: str, *, days_ago: int) -> None:
    organisation = OrganisationFactory(legal_name=name)
    RepresentativeFactory(organisation=organisation)
    StatusChangeFactory(
        organisation=organisation,
        status=Status.NONE,
        reason=StatusReason.EXCLUDED,
        effective_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


@pytest.mark.rule("I4", "M3")
def test_an_application_reads_every_ban_in_the_same_queries_however_many_were_excluded(
    client, version
):
    """The application and the status it grants each compare the candidate with every
    organisation excluded as a member: the charter versions of their exclusion days are read
    together, not once per excluded organisation (1,000 of them cost 2,000 queries)."""
    from tests.charters.factories import CharterVersionFactory

    CharterVersionFactory(
        label="V0 R001",
        effective_date=datetime.date(2019, 1, 1),
        end_date=datetime.date(2021, 12, 1),
        parameters={"excluded_invitee_ban_months": 120},
    )

    def queries_of_an_application(name: str) -> int:
        client.force_login(UserFactory())
        with CaptureQueriesContext(connection) as queries:
            response = client.post(APPLY, application_data(legal_name=name))
        assert response.status_code == 302
        return len(queries)

    exclude("Ancienne Entité 0", days_ago=100)
    one = queries_of_an_application("Nouvelle Entité Alsacienne")
    for number, days_ago in enumerate([30, 400, 900, 1500, 2000, 2400], start=1):
        exclude(f"Ancienne Entité {number}", days_ago=days_ago)  # under V1 R001 or V0 R001
    assert queries_of_an_application("Nouvelle Entité Vosgienne") == one
    # The bans still follow each exclusion's version: V0 R001 bans for 120 months.
    exclude("Longwy Solutions Numériques", days_ago=0)
    StatusChange.objects.filter(organisation__legal_name="Longwy Solutions Numériques").update(
        effective_at=datetime.datetime(2021, 6, 1, 12, tzinfo=datetime.UTC)
    )
    client.force_login(UserFactory())
    refused = client.post(APPLY, application_data(legal_name="Longwy Solutions Numeriques"))
    assert refused.status_code == 400
    assert "pendant 120 mois après son exclusion, soit avant le 01/06/2031" in page_text(refused)


# --- The COPIL's admin: the status screen and the validation of invitations ---------------


@pytest.mark.rule("I4", "P1")
def test_the_status_screen_grants_no_status_to_the_excluded_organisation_renamed(client, copil):
    excluded_longwy()
    renamed = OrganisationFactory(legal_name="Longwy Solutions Numeriques SAS")
    client.force_login(copil)

    response = client.post(
        reverse("admin:members_organisation_status", args=[renamed.pk]),
        {"apply": "1", "status": Status.PARTNER, "reason": StatusReason.GRANTED},
    )

    assert not renamed.status_changes.exists()
    messages = " ".join(str(m) for m in response.wsgi_request._messages)
    assert ban_sentence() in messages
    assert (
        "Elle ne peut recevoir aucun statut avant cette date : ce que la charte interdit à une "
        "invitée l'est a fortiori à une candidate, un membre ou un partenaire."
    ) in messages


@pytest.mark.rule("I4", "I1", "G2")
@pytest.mark.parametrize(
    ("guest_organisation_name", "guest_email"),
    [("Longwy Solutions Numeriques", "paul@ailleurs.fr"), ("", FORMER_EMAIL)],
)
def test_the_copil_cannot_validate_an_invitation_of_the_excluded_organisation(
    client, copil, member_rep, guest_organisation_name, guest_email
):
    # Proposed before the exclusion, still waiting for the COPIL.
    invitation = Invitation.objects.create(
        proposed_by=member_rep.user,
        proposing_organisation=member_rep.organisation,
        guest_organisation_name=guest_organisation_name,
        guest_name="Paul Invité",
        guest_email=guest_email,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    excluded_longwy()
    organisations = Organisation.objects.count()
    client.force_login(copil)

    response = client.post(
        reverse("admin:members_invitation_changelist"),
        {"action": "validate", "_selected_action": [invitation.pk]},
    )

    invitation.refresh_from_db()
    assert invitation.state == InvitationState.PROPOSED
    assert Organisation.objects.count() == organisations
    assert ban_sentence() in " ".join(str(m) for m in response.wsgi_request._messages)
    assert (
        selectors.organisation_status(
            organisation=Organisation.objects.get(legal_name="Longwy Solutions Numériques")
        )
        == Status.NONE
    )
