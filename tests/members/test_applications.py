"""Applications (art. 3.1): the online application with the charter signature (M1-M4),
the COPIL's review in the admin (M5-M7, G2) and approval (M9, S2)."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from charters.models import Signature
from members import selectors, services
from members.constants import ApplicationState, Status, StatusReason
from members.exceptions import ApplicationBlocked, MembersError, NotAllowed
from members.models import Application, ApplicationOpinion, Organisation, StatusChange
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

FORM = reverse("application:form")
CHANGELIST = reverse("admin:members_application_changelist")


def post_data(**overrides) -> dict:
    data = {
        "legal_name": "Usinage Vosgien",
        "kind": "company",
        "siren": "",
        "website": "",
        "description": "Usinage de précision.",
        "job_title": "Gérante",
        "aif_reference": "https://annuaire.example/usinage-vosgien",
        "motivation": "Partager nos savoir-faire avec la communauté.",
        "consent": "on",
        "password": PASSWORD,
        "submit": "1",
        "establishments-TOTAL_FORMS": "1",
        "establishments-INITIAL_FORMS": "0",
        "establishments-MIN_NUM_FORMS": "1",
        "establishments-MAX_NUM_FORMS": "20",
        "establishments-0-name": "Atelier",
        "establishments-0-siret": "",
        "establishments-0-address": "3 rue du Moulin",
        "establishments-0-postcode": "88000",
        "establishments-0-city": "Épinal",
    }
    data.update(overrides)
    return data


def submit(applicant, *, now=None, legal_name="Usinage Vosgien", postcode="88000"):
    return services.application_submit(
        applicant=applicant,
        data={
            "legal_name": legal_name,
            "kind": "company",
            "job_title": "Gérante",
            "establishments": [
                {
                    "name": "",
                    "siret": "",
                    "address": "1 rue Haute",
                    "postcode": postcode,
                    "city": "Épinal",
                },
            ],
        },  # fmt: skip
        aif_reference="AIF-1234",
        motivation="Motivation.",
        password=PASSWORD,
        consent_given=True,
        now=now,
    )


def nothing_recorded():
    return (
        Organisation.objects.count(),
        Application.objects.count(),
        Signature.objects.count(),
        StatusChange.objects.count(),
    ) == (0, 0, 0, 0)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- The application (M1 to M4) ----------------------------------------------------------


@pytest.mark.rule("M3", "M4", "M8", "M10")
def test_the_application_and_the_charter_signature_in_one_step(
    client, version, django_capture_on_commit_callbacks
):
    applicant = UserFactory(email="gerante@usinage.fr")
    client.force_login(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM, post_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("application:list")
    application = Application.objects.get()
    organisation = application.organisation
    assert (organisation.legal_name, organisation.aif_reference) == (
        "Usinage Vosgien",
        "https://annuaire.example/usinage-vosgien",
    )
    assert application.state == ApplicationState.SUBMITTED
    assert application.signature.organisation == organisation
    assert application.signature.signer == applicant
    assert application.signature.version == version
    # M3: the person who applied is the first representative, an authorised signatory.
    representative = organisation.representatives.get()
    assert (representative.user, representative.is_authorised_signatory) == (applicant, True)
    assert selectors.organisation_status(organisation=organisation) == Status.APPLICANT
    assert sorted(message.to[0] for message in mail.outbox) == [
        "copil@cos-ge.fr",
        "gerante@usinage.fr",
    ]
    # M8: no fee, no payment step: the confirmation mentions none.
    assert "cotisation" not in mail.outbox[0].body


@pytest.mark.rule("M4")
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"password": "mauvais"},
            "Mot de passe incorrect : la signature n&#x27;a pas été enregistrée.",
        ),
        ({"consent": ""}, "Cochez la phrase de consentement pour signer"),
    ],
)
def test_no_signature_no_application_and_the_form_keeps_what_was_typed(
    client, version, overrides, message
):
    client.force_login(UserFactory())

    response = client.post(FORM, post_data(**overrides))

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="Usinage Vosgien"' in html
    assert 'value="3 rue du Moulin"' in html
    assert "Partager nos savoir-faire avec la communauté." in html
    assert nothing_recorded()


@pytest.mark.rule("M2")
def test_an_applicant_without_a_grand_est_establishment_is_refused(client, version):
    client.force_login(UserFactory())

    response = client.post(FORM, post_data(**{"establishments-0-postcode": "75011"}))

    assert response.status_code == 400
    assert "au moins un établissement actif en région Grand Est" in response.content.decode()
    assert nothing_recorded()


@pytest.mark.rule("M1")
def test_the_aif_reference_is_required():
    with pytest.raises(MembersError) as error:
        services.application_submit(
            applicant=UserFactory(),
            data={"legal_name": "Sans AIF"},
            aif_reference="  ",
            motivation="",
            password=PASSWORD,
            consent_given=True,
        )
    assert error.value.field == "aif_reference"
    assert nothing_recorded()


@pytest.mark.rule("M3")
def test_a_draft_is_saved_and_resumed_then_submitted(client, version):
    applicant = UserFactory()
    client.force_login(applicant)

    # A draft keeps even what is not valid yet, and never the password.
    saved = client.post(
        FORM,
        post_data(save_draft="1", submit="", **{"establishments-0-postcode": "88"}),
    )
    draft = Application.objects.get()
    resumed = client.get(reverse("application:edit", args=[draft.pk]))
    submitted = client.post(reverse("application:edit", args=[draft.pk]), post_data())

    assert saved.status_code == 302
    assert saved["Location"] == reverse("application:edit", args=[draft.pk])
    assert (draft.state, draft.organisation, draft.signature) == (
        ApplicationState.DRAFT,
        None,
        None,
    )
    assert draft.data["establishments"][0]["postcode"] == "88"
    assert PASSWORD not in str(draft.data)
    html = resumed.content.decode()
    assert 'value="Usinage Vosgien"' in html and 'value="88"' in html
    assert submitted.status_code == 302
    draft.refresh_from_db()
    assert draft.state == ApplicationState.SUBMITTED
    assert Application.objects.count() == 1


def test_the_applicant_follows_the_state_of_the_application(client, version):
    applicant = UserFactory()
    submit(applicant)
    client.force_login(applicant)

    html = client.get(reverse("application:list")).content.decode()

    assert "Usinage Vosgien" in html
    assert "Déposée, en cours d&#x27;examen" in html


def test_someone_elses_draft_is_not_found(client, version):
    draft = services.application_save_draft(applicant=UserFactory(), data={"legal_name": "X"})
    client.force_login(UserFactory())

    assert client.get(reverse("application:edit", args=[draft.pk])).status_code == 404


def test_the_application_needs_a_signed_in_person(client):
    response = client.get(FORM)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Review by the COPIL in the admin (M1, M5, M6, M7, G2) --------------------------------


@pytest.fixture
def pending(version):
    """An application submitted 20 days ago, so activities since then count for M6."""
    applicant = UserFactory(email="candidate@usinage.fr")
    return submit(applicant, now=timezone.now() - datetime.timedelta(days=20))


def attended_as_invitee(application):
    activity = ActivityFactory(title="Atelier maintenance prédictive")
    attend(activity, application.organisation.representatives.get())
    return activity


@pytest.mark.rule("M6")
def test_the_applicant_sees_every_approval_condition_and_its_state(client, pending):
    client.force_login(pending.applicant)

    html = client.get(reverse("application:list")).content.decode()

    assert "Conditions de validation de" in html
    assert "Référence AIF vérifiée" in html and "auprès de l&#x27;AIF" in html
    assert "Établissement actif en Grand Est" in html and "Charte signée" in html
    # M6, the condition applicants were never told: how many activities, how many needed.
    assert "Activités suivies en tant qu&#x27;invité" in html
    assert "0 activité(s) suivie(s), 1 au moins" in html
    assert "Avis des membres" not in html  # M7: only the COPIL reads the opinions

    attended_as_invitee(pending)
    html = client.get(reverse("application:list")).content.decode()
    assert "1 activité(s) suivie(s), 1 au moins" in html


@pytest.mark.rule("M1", "G2")
def test_the_aif_reference_verified_action_records_who_and_when(client, copil, pending):
    client.force_login(copil)

    response = client.post(CHANGELIST, {"action": "verify_aif", "_selected_action": [pending.pk]})

    pending.refresh_from_db()
    assert response.status_code == 302
    assert pending.aif_verified_by == copil
    assert pending.aif_verified_at is not None
    page = client.get(reverse("admin:members_application_change", args=[pending.pk]))
    assert "vérifiée par Claire Copil le" in page.content.decode()


@pytest.mark.rule("M6", "M5")
def test_approval_is_refused_with_its_reason_when_a_check_fails(client, copil, pending):
    services.application_aif_verify(application=pending, actor=copil)
    client.force_login(copil)

    response = client.post(
        CHANGELIST,
        {"action": "approve", "_selected_action": [pending.pk], "apply": "1", "reason": ""},
    )

    assert response.status_code == 302
    assert messages_of(response) == [
        "Usinage Vosgien : Validation impossible : Activités suivies en tant qu'invité "
        "(0 activité(s) suivie(s), 1 au moins)."
    ]
    pending.refresh_from_db()
    assert pending.state == ApplicationState.SUBMITTED
    assert selectors.organisation_status(organisation=pending.organisation) == Status.APPLICANT


@pytest.mark.rule("M1")
def test_approval_needs_the_aif_reference_verified(copil, pending):
    attended_as_invitee(pending)

    with pytest.raises(ApplicationBlocked) as error:
        services.application_approve(application=pending, actor=copil)

    assert "Référence AIF vérifiée (référence « AIF-1234 » pas encore vérifiée)" in str(
        error.value.message
    )


@pytest.mark.rule("M6")
def test_the_checklist_lists_the_activities_attended_as_invitee(client, copil, pending):
    attended_as_invitee(pending)
    client.force_login(copil)

    html = client.get(reverse("admin:members_application_change", args=[pending.pk])).content
    html = html.decode()

    assert "1 activité(s) suivie(s), 1 au moins" in html
    assert "Atelier maintenance prédictive" in html
    assert "Établissement actif en Grand Est" in html
    assert "version V1 R001 signée le" in html


@pytest.mark.rule("M5", "M9", "S2", "G2")
def test_approval_makes_a_member_records_the_decision_and_asks_for_representatives(
    client, copil, pending, django_capture_on_commit_callbacks
):
    services.application_aif_verify(application=pending, actor=copil)
    attended_as_invitee(pending)
    client.force_login(copil)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST,
            {"action": "approve", "_selected_action": [pending.pk], "apply": "1",
             "reason": "Dossier complet."},
        )  # fmt: skip

    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.state, pending.decided_by, pending.decision_reason) == (
        ApplicationState.APPROVED,
        copil,
        "Dossier complet.",
    )
    assert pending.decided_at is not None
    change = pending.organisation.status_changes.latest()
    assert (change.status, change.reason, change.decided_by) == (
        Status.MEMBER,
        StatusReason.APPROVED,
        copil,
    )
    assert pending.organisation in selectors.directory_list()
    [email] = mail.outbox
    assert email.to == ["candidate@usinage.fr"]
    assert "Désignez maintenant la ou les personnes qui représenteront votre entité" in email.body
    assert reverse("member_space:organisation", args=[pending.organisation.slug]) in email.body
    assert email.alternatives[0][1] == "text/html"


@pytest.mark.rule("M5", "I3")
def test_rejection_is_recorded_and_the_applicant_is_told(
    copil, pending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(application=pending, actor=copil, reason="Hors périmètre.")

    pending.refresh_from_db()
    assert (pending.state, pending.decided_by, pending.decision_reason) == (
        ApplicationState.REJECTED,
        copil,
        "Hors périmètre.",
    )
    change = pending.organisation.status_changes.latest()
    assert (change.status, change.reason) == (Status.NONE, StatusReason.REJECTED)
    [email] = mail.outbox
    assert "Motif : Hors périmètre." in email.body
    assert "peut néanmoins être invitée" in email.body


@pytest.mark.rule("G2")
@pytest.mark.parametrize("decision", ["approve", "reject", "aif"])
def test_only_the_copil_decides_on_an_application(pending, staff_not_copil, decision):
    member = RepresentativeFactory(organisation=member_organisation()).user
    for actor in (None, member, staff_not_copil):
        with pytest.raises(NotAllowed):
            if decision == "approve":
                services.application_approve(application=pending, actor=actor)
            elif decision == "reject":
                services.application_reject(application=pending, actor=actor)
            else:
                services.application_aif_verify(application=pending, actor=actor)
    pending.refresh_from_db()
    assert (pending.state, pending.aif_verified_at) == (ApplicationState.SUBMITTED, None)


# --- Members' opinions (M7) --------------------------------------------------------------


@pytest.mark.rule("M7")
def test_a_member_gives_an_opinion_that_only_the_copil_reads(client, copil, pending):
    author = RepresentativeFactory(organisation=member_organisation(legal_name="Avis SA")).user
    other = RepresentativeFactory(organisation=member_organisation()).user
    url = reverse("member_space:opinion", args=[pending.pk])
    client.force_login(author)

    posted = client.post(url, {"text": "Entreprise sérieuse, rencontrée au salon."})
    client.force_login(other)
    other_page = client.get(url).content.decode()
    client.force_login(copil)
    admin_page = client.get(reverse("admin:members_application_change", args=[pending.pk]))

    assert posted.status_code == 302
    opinion = ApplicationOpinion.objects.get()
    assert (opinion.author, opinion.author_organisation.legal_name) == (author, "Avis SA")
    assert "Entreprise sérieuse" not in other_page
    assert "Entreprise sérieuse, rencontrée au salon." in admin_page.content.decode()


@pytest.mark.rule("M7")
def test_only_members_representatives_give_an_opinion(client, pending):
    invitee = RepresentativeFactory(organisation=member_organisation(status=Status.INVITEE)).user
    url = reverse("member_space:opinion", args=[pending.pk])

    for person in (invitee, pending.applicant):
        client.force_login(person)
        assert client.post(url, {"text": "Avis."}).status_code == 404
    assert not ApplicationOpinion.objects.exists()


# --- Constant query counts of the changelists --------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_application_changelist_runs_a_constant_number_of_queries(client, copil, version):
    client.force_login(copil)
    counts = []
    for total in (5, 500):
        missing = total - Application.objects.count()
        organisations = Organisation.objects.bulk_create(
            OrganisationFactory.build(slug=f"lot-{total}-{i}", legal_name=f"Lot {total} {i}")
            for i in range(missing)
        )
        applicant = UserFactory()
        Application.objects.bulk_create(
            Application(applicant=applicant, organisation=organisation, data={"legal_name": "x"})
            for organisation in organisations
        )
        if total == 5:
            submit(UserFactory(), legal_name="Soumise SA")  # one signed, pending row too
            Application.objects.filter(
                pk=Application.objects.filter(state=ApplicationState.DRAFT).first().pk
            ).delete()
        counts.append(_queries(client, CHANGELIST))
    assert Application.objects.count() == 500
    assert counts[0] == counts[1]


def test_the_organisation_changelist_runs_a_constant_number_of_queries(client, copil):
    client.force_login(copil)
    url = reverse("admin:members_organisation_changelist")
    counts = []
    for total in (5, 500):
        missing = total - Organisation.objects.count()
        organisations = Organisation.objects.bulk_create(
            OrganisationFactory.build(slug=f"org-{total}-{i}", legal_name=f"Org {total} {i}")
            for i in range(missing)
        )
        EstablishmentFactory._meta.model.objects.bulk_create(
            EstablishmentFactory.build(organisation=o, department="57") for o in organisations
        )
        StatusChange.objects.bulk_create(
            StatusChangeFactory.build(organisation=o) for o in organisations
        )
        counts.append(_queries(client, url))
    assert Organisation.objects.count() == 500
    assert counts[0] == counts[1]
