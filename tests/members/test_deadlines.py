"""The registry's deadlines through the engine: each kind reminds the right people on the
right days, once (members/deadlines.py)."""

import datetime

import pytest
from django.core import mail

from core.deadlines import deadline_kinds
from core.models import Reminder
from members import services
from members.constants import ExclusionGround, InvitationState, Status, StatusReason
from members.models import Invitation, ProofDocument
from tests.activities.factories import ActivityFactory
from tests.core.deadline_helpers import days_before, morning, run_days
from tests.members.factories import (
    RepresentativeFactory,
    StatusChangeFactory,
    UserFactory,
    member_organisation,
)

D = datetime.date


def member_with_rep(since=None):
    since = since or D(2024, 1, 1)
    organisation = member_organisation()
    organisation.status_changes.update(effective_at=morning(since))
    return RepresentativeFactory(organisation=organisation, start_date=since)


@pytest.mark.rule("L4")
def test_exclusion_response_reminds_the_member_and_informs_the_copil(copil, version):
    rep = member_with_rep()
    procedure = services.exclusion_open(
        organisation=rep.organisation,
        actor=copil,
        ground=ExclusionGround.IMAGE_HARM,
        facts="Propos publics.",
        now=morning(D(2026, 3, 2)),
    )
    due = procedure.response_due_on
    assert due == D(2026, 4, 1)  # 30 days (L4)
    sent = run_days("members.exclusion_response", D(2026, 3, 2), due + datetime.timedelta(3))
    assert sorted(sent) == days_before(due, 14, 7, 1, 0)
    assert sent[due] == {(rep.user_id, 0, False), (copil.pk, 0, True)}
    assert deadline_kinds()["members.exclusion_response"].required is True
    link = next(m for m in mail.outbox if m.to == [rep.user.email])
    assert f"/espace-membre/{rep.organisation.slug}/" in link.body


@pytest.mark.rule("L4")
def test_no_exclusion_reminder_once_the_member_answered(copil, version):
    rep = member_with_rep()
    procedure = services.exclusion_open(
        organisation=rep.organisation,
        actor=copil,
        ground=ExclusionGround.IMAGE_HARM,
        facts="Propos publics.",
        now=morning(D(2026, 3, 2)),
    )
    services.exclusion_respond(
        procedure=procedure, actor=rep.user, response="Explications.", now=morning(D(2026, 3, 5))
    )
    assert run_days("members.exclusion_response", D(2026, 3, 5), D(2026, 4, 2)) == {}


@pytest.mark.rule("P6")
def test_agreement_renewal_reminds_the_copil_and_informs_the_partner(copil):
    organisation = member_organisation(status=Status.NONE, postcode="75001")
    services.partner_grant(organisation=organisation, actor=copil, now=morning(D(2022, 1, 10)))
    rep = RepresentativeFactory(organisation=organisation, start_date=D(2022, 1, 10))
    services.partnership_agreement_record(
        organisation=organisation,
        actor=copil,
        parties="COS-GE et Partenaire",
        signed_on=D(2022, 1, 10),
    )
    sent = run_days("members.agreement_renewal", D(2024, 12, 1), D(2025, 1, 12))
    renewal = D(2025, 1, 10)  # 3-year initial term (P2)
    assert sorted(sent) == days_before(renewal, 30, 0)
    assert sent[renewal] == {(copil.pk, 0, False), (rep.user_id, 0, True)}
    # The notice deadline of the same agreement is a deadline of its own, earlier.
    assert run_days("members.agreement_notice", D(2024, 9, 9), D(2024, 9, 10)) == {
        D(2024, 9, 10): {(copil.pk, 30, False)}
    }


def invitation(proposer, *, ends_on, activities=(), state=InvitationState.VALIDATED):
    invitation = Invitation.objects.create(
        proposed_by=proposer,
        guest_name="Inès Invitée",
        guest_email="ines@exemple.fr",
        guest_organisation_name="Atelier Ines",
        starts_on=D(2026, 1, 1),
        ends_on=ends_on,
        state=state,
    )
    invitation.activities.set(activities)
    return invitation


@pytest.mark.rule("I1")
def test_invitation_expiry_reminds_whoever_proposed_it(db):
    proposer = UserFactory()
    invitation(proposer, ends_on=D(2026, 6, 30))
    invitation(proposer, ends_on=D(2026, 6, 30), state=InvitationState.REFUSED)
    sent = run_days("members.invitation_expiry", D(2026, 6, 1), D(2026, 7, 2))
    assert sent == {
        D(2026, 6, 23): {(proposer.pk, 7, False)},
        D(2026, 6, 30): {(proposer.pk, 0, False)},
    }
    assert deadline_kinds()["members.invitation_expiry"].required is False


@pytest.mark.rule("E1", "I2")
def test_unaccepted_invitation_is_reminded_before_its_first_activity(copil):
    proposer = UserFactory()
    workshop = ActivityFactory(
        starts_at=morning(D(2026, 5, 20)).replace(hour=14),
        ends_at=morning(D(2026, 5, 20)).replace(hour=17),
    )
    pending = invitation(proposer, ends_on=D(2026, 12, 31), activities=[workshop])
    accepted = invitation(proposer, ends_on=D(2026, 12, 31), activities=[workshop])
    Invitation.objects.filter(pk=accepted.pk).update(accepted_at=morning(D(2026, 5, 1)))
    sent = run_days("members.invitation_acceptance", D(2026, 5, 1), D(2026, 5, 21))
    assert sorted(sent) == days_before(D(2026, 5, 20), 7, 2, 0)
    assert sent[D(2026, 5, 20)] == {(proposer.pk, 0, False), (copil.pk, 0, True)}
    keys = set(
        Reminder.objects.filter(kind="members.invitation_acceptance").values_list(
            "deadline_key", flat=True
        )
    )
    assert keys == {f"members.invitation_acceptance:{pending.pk}"}  # not the accepted one


@pytest.mark.rule("M9")
def test_member_with_no_representative_is_reminded_to_the_copil(copil):
    rep = member_with_rep(since=D(2023, 1, 1))
    rep.end_date = D(2026, 2, 27)
    rep.save()
    due = D(2026, 2, 28) + datetime.timedelta(days=30)
    sent = run_days("members.no_representative", D(2026, 2, 20), due + datetime.timedelta(3))
    assert sent == {
        D(2026, 2, 28): {(copil.pk, 30, False)},
        due - datetime.timedelta(7): {(copil.pk, 7, False)},
        due: {(copil.pk, 0, False)},
    }


@pytest.mark.rule("M9")
def test_a_former_member_with_no_representative_is_not_reminded(copil):
    rep = member_with_rep(since=D(2023, 1, 1))
    rep.end_date = D(2026, 2, 27)
    rep.save()
    StatusChangeFactory(
        organisation=rep.organisation,
        status=Status.NONE,
        reason=StatusReason.RESIGNED,
        effective_at=morning(D(2026, 2, 27)),
    )
    assert run_days("members.no_representative", D(2026, 2, 28), D(2026, 3, 31)) == {}


@pytest.mark.rule("N1")
def test_requested_proofs_are_reminded_until_provided(copil, private_storage):
    from django.core.files.base import ContentFile

    rep = member_with_rep()
    request = services.proof_request_create(
        organisation=rep.organisation,
        actor=copil,
        description="Statuts à jour.",
        due_on=D(2026, 6, 15),
        now=morning(D(2026, 5, 1)),
    )
    other = member_with_rep()
    provided = services.proof_request_create(
        organisation=other.organisation,
        actor=copil,
        description="Label.",
        due_on=D(2026, 6, 15),
        now=morning(D(2026, 5, 1)),
    )
    ProofDocument.objects.create(
        request=provided,
        file=ContentFile(b"%PDF-1.4", name="label.pdf"),
        original_name="label.pdf",
        content_type="application/pdf",
        size=8,
        uploaded_by=other.user,
        uploaded_at=morning(D(2026, 5, 2)),
    )
    sent = run_days("members.proof_request", D(2026, 5, 25), D(2026, 6, 30))
    assert sorted(sent) == days_before(request.due_on, 14, 7, 1, 0, -7)
    assert sent[D(2026, 6, 22)] == {(rep.user_id, -7, False), (copil.pk, -7, True)}
