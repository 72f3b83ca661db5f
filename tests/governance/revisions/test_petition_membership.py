"""X2: the revision petition is recounted the moment membership changes (a resignation
in the member space, an exclusion or an admission decided in the admin), not only by
the hourly job: the COPIL is seized as soon as the supporters reach 50 % of the members."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from governance.models import RevisionStatus
from governance.revisions import services
from members import services as member_services
from members.constants import ExclusionGround
from tests.activities.factories import ActivityFactory, attend
from tests.charters.factories import CharterVersionFactory
from tests.governance.commissions.factories import copil_user, signatory_rep
from tests.governance.revisions.factories import RevisionSupportFactory
from tests.members.conftest import PASSWORD
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(db):
    return CharterVersionFactory(label="V1 R001")


def petition(rep):
    return services.revision_petition_open(
        organisation=rep.organisation,
        actor=rep.user,
        title="Ouvrir la COS-GE aux laboratoires",
        reason="Les laboratoires publics souhaitent devenir membres.",
    )


def seized(revision) -> bool:
    revision.refresh_from_db()
    return revision.status == RevisionStatus.SEIZED and revision.copil_notified_at is not None


def copil_emails():
    return [m for m in mail.outbox if m.to == ["copil@cos-ge.fr"] and "saisi" in m.subject]


@pytest.mark.rule("X2", "L2")
def test_x2_a_resignation_online_seizes_the_copil_at_once(
    client, version, django_capture_on_commit_callbacks
):
    # 2 supporters of 5 members (40 %); a member that does not support resigns: 2 of 4.
    reps = [signatory_rep() for _ in range(5)]
    revision = petition(reps[0])
    services.revision_support(
        revision=revision, organisation=reps[1].organisation, actor=reps[1].user
    )
    assert not seized(revision)
    client.force_login(reps[4].user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("member_space:resign", args=[reps[4].organisation.slug]), {"confirm": "on"}
        )

    assert seized(revision)
    [email] = copil_emails()
    assert "2 entités membres sur 4" in email.body


@pytest.mark.rule("X2", "L5")
def test_x2_an_exclusion_pronounced_in_the_admin_seizes_the_copil_at_once(
    client, version, django_capture_on_commit_callbacks
):
    reps = [signatory_rep() for _ in range(5)]
    revision = petition(reps[0])
    services.revision_support(
        revision=revision, organisation=reps[1].organisation, actor=reps[1].user
    )
    copil = copil_user()
    reps[4].organisation.status_changes.update(
        effective_at=timezone.now() - datetime.timedelta(days=400)
    )
    procedure = member_services.exclusion_open(
        organisation=reps[4].organisation,
        actor=copil,
        ground=ExclusionGround.IMAGE_HARM,
        facts="Propos publics contre la COS-GE.",
        now=timezone.now() - datetime.timedelta(days=40),
    )
    client.force_login(copil)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:members_exclusionprocedure_changelist"),
            {"action": "exclusion_pronounce", "_selected_action": [procedure.pk],
             "apply": "1", "reason": "Atteinte à l'image de la COS-GE."},
        )  # fmt: skip

    assert seized(revision)
    [email] = copil_emails()
    assert "2 entités membres sur 4" in email.body


@pytest.mark.rule("X2")
def test_x2_an_admission_in_the_admin_recounts_the_petition(
    client, version, django_capture_on_commit_callbacks
):
    """Two members both support a petition taken over from the former registry (no
    count ran yet); the COPIL approves a third member: 2 of 3 reach the threshold, and
    the COPIL is seized with the approval, not an hour later."""
    reps = [signatory_rep() for _ in range(2)]
    revision = petition(reps[0])  # 1 of 2: 50 %, seized at once...
    assert seized(revision)
    # ...so build the case where no count ran: a petition whose supports were recorded
    # without the service.
    revision.status, revision.copil_notified_at, revision.threshold_reached_at = (
        RevisionStatus.PETITION,
        None,
        None,
    )
    revision.save()
    RevisionSupportFactory(
        revision=revision,
        organisation=reps[1].organisation,
        supported_by=reps[1].user,
        supported_at=timezone.now(),
    )
    mail.outbox.clear()
    copil = copil_user()
    applicant = UserFactory()
    application = member_services.application_submit(
        applicant=applicant,
        data={
            "legal_name": "Nouvelle Usine",
            "establishments": [{"address": "1 rue", "postcode": "57000", "city": "Metz"}],
        },
        aif_reference="AIF",
        motivation="",
        password=PASSWORD,
        consent_given=True,
        now=timezone.now() - datetime.timedelta(days=20),
    )
    member_services.application_aif_verify(application=application, actor=copil)
    attend(ActivityFactory(), application.organisation.representatives.get())
    client.force_login(copil)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:members_application_changelist"),
            {"action": "approve", "_selected_action": [application.pk], "apply": "1",
             "reason": ""},
        )  # fmt: skip

    application.refresh_from_db()
    assert application.state == "approved"
    assert seized(revision)
    [email] = copil_emails()
    assert "2 entités membres sur 3" in email.body
