"""The exclusion procedure (art. 3.4): opened on a ground, the member answers online within
the response period, then the COPIL excludes or closes; a dated letter (L3, L4, L5, E2, G2)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from activities.models import AttendanceRatio
from members import selectors, services
from members.constants import ExclusionGround, ExclusionOutcome, Status, StatusReason
from members.exceptions import MembersError, NotAllowed

from .factories import RepresentativeFactory, member_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    organisation = member_organisation(legal_name="Absente SA")
    organisation.rep = RepresentativeFactory(
        organisation=organisation, user__email="dg@absente.fr"
    ).user
    return organisation


def snapshot(organisation, attended, convened):
    now = timezone.now()
    return AttendanceRatio.objects.create(
        organisation=organisation,
        date=timezone.localdate(now),
        window_start=datetime.datetime(2025, 11, 25, tzinfo=datetime.UTC),
        window_end=datetime.datetime(2026, 11, 25, tzinfo=datetime.UTC),
        convened=convened,
        attended=attended,
        threshold_percent=33,
        computed_at=now,
    )


def open_on_ethics(member, copil, now=None):
    return services.exclusion_open(
        organisation=member,
        actor=copil,
        ground=ExclusionGround.ETHICS_BREACH,
        facts="Diffusion d'un compte rendu confidentiel.",
        now=now,
    )


@pytest.mark.rule("L3", "L4")
def test_opening_on_attendance_records_the_ratio_and_its_period(
    client, copil, member, django_capture_on_commit_callbacks
):
    snapshot(member, attended=2, convened=10)
    client.force_login(copil)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:members_exclusionprocedure_add"),
            {"organisation": member.pk, "ground": ExclusionGround.ATTENDANCE,
             "facts": "Absences répétées."},
        )  # fmt: skip

    assert response.status_code == 302
    procedure = member.exclusion_procedures.get()
    assert (procedure.attendance_attended, procedure.attendance_convened) == (2, 10)
    assert procedure.attendance_percent == 20.0
    assert procedure.response_due_on == timezone.localdate() + datetime.timedelta(days=30)
    assert procedure.opened_by == copil
    [email] = mail.outbox
    assert email.to == ["dg@absente.fr"]
    assert "envisage l'exclusion de Absente SA" in email.body
    page = client.get(reverse("admin:members_exclusionprocedure_change", args=[procedure.pk]))
    assert "2 / 10 activités (20.0 %), du 25/11/2025 au 25/11/2026" in page.content.decode()


@pytest.mark.rule("L3")
def test_the_attendance_ground_needs_a_ratio_below_the_threshold(client, copil, member):
    snapshot(member, attended=4, convened=10)
    client.force_login(copil)

    response = client.post(
        reverse("admin:members_exclusionprocedure_add"),
        {"organisation": member.pk, "ground": ExclusionGround.ATTENDANCE, "facts": "Absences."},
    )

    assert response.status_code == 200
    assert "n&#x27;est pas sous le seuil de 33 %" in response.content.decode()
    assert not member.exclusion_procedures.exists()


@pytest.mark.rule("L4")
def test_the_member_answers_online_within_the_period(
    client, copil, member, django_capture_on_commit_callbacks
):
    procedure = open_on_ethics(member, copil)
    client.force_login(member.rep)
    url = reverse("member_space:exclusion_respond", args=[member.slug, procedure.pk])

    page = client.get(reverse("member_space:organisation", args=[member.slug]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"response": "Il s'agit d'un malentendu."})

    assert "Procédure d'exclusion envisagée" in page.content.decode()
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert (procedure.response, procedure.responded_by) == (
        "Il s'agit d'un malentendu.",
        member.rep,
    )
    assert procedure.responded_at is not None
    assert [m.to for m in mail.outbox] == [["copil@cos-ge.fr"]]


@pytest.mark.rule("L4")
def test_an_answer_after_the_period_is_refused(copil, member):
    opened = timezone.now() - datetime.timedelta(days=31)
    member.status_changes.update(effective_at=opened - datetime.timedelta(days=365))
    procedure = open_on_ethics(member, copil, now=opened)

    with pytest.raises(MembersError) as error:
        services.exclusion_respond(procedure=procedure, actor=member.rep, response="Trop tard.")

    assert "Le délai de réponse a pris fin le" in str(error.value.message)


@pytest.mark.rule("L4")
def test_no_exclusion_while_the_member_may_still_answer(copil, member):
    procedure = open_on_ethics(member, copil)

    with pytest.raises(MembersError) as error:
        services.exclusion_decide(
            procedure=procedure, actor=copil, outcome=ExclusionOutcome.EXCLUDED, reason="Faute."
        )

    assert "Le membre peut encore répondre jusqu'au" in str(error.value.message)
    assert selectors.organisation_status(organisation=member) == Status.MEMBER


@pytest.mark.rule("L4", "L5", "S2", "E2", "G2")
def test_the_copil_excludes_after_the_answer_and_sends_a_dated_letter(
    client, copil, member, django_capture_on_commit_callbacks
):
    procedure = open_on_ethics(member, copil)
    services.exclusion_respond(procedure=procedure, actor=member.rep, response="Contestation.")
    client.force_login(copil)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:members_exclusionprocedure_changelist"),
            {"action": "exclusion_pronounce", "_selected_action": [procedure.pk], "apply": "1",
             "reason": "Manquement établi à l'article 3.3."},
        )  # fmt: skip

    assert response.status_code == 302
    procedure.refresh_from_db()
    assert (procedure.outcome, procedure.decided_by) == (ExclusionOutcome.EXCLUDED, copil)
    change = member.status_changes.latest()
    assert (change.status, change.reason) == (Status.NONE, StatusReason.EXCLUDED)
    assert change.explanation.startswith("Manquement à l'article 3.3")
    assert member not in selectors.directory_list()
    [email] = mail.outbox
    assert sorted(email.to) == ["copil@cos-ge.fr", "dg@absente.fr"]
    [(name, pdf, mimetype)] = email.attachments
    assert (name, mimetype) == (f"decision-copil-{member.slug}.pdf", "application/pdf")
    assert pdf.startswith(b"%PDF-")
    # E2 on the organisation's admin page.
    page = client.get(reverse("admin:members_organisation_change", args=[member.pk]))
    assert "Jusqu&#x27;au " in page.content.decode()
    # I4 starts: no invitation for 24 months.
    assert selectors.invitation_ban_until(organisation=member) is not None


@pytest.mark.rule("L4")
def test_the_copil_may_close_the_procedure_without_exclusion(
    copil, member, django_capture_on_commit_callbacks
):
    procedure = open_on_ethics(member, copil)

    with django_capture_on_commit_callbacks(execute=True):
        services.exclusion_decide(
            procedure=procedure, actor=copil, outcome=ExclusionOutcome.CLOSED,
            reason="Explications satisfaisantes.",
        )  # fmt: skip

    procedure.refresh_from_db()
    assert procedure.outcome == ExclusionOutcome.CLOSED
    assert selectors.organisation_status(organisation=member) == Status.MEMBER
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments


@pytest.mark.rule("G2")
def test_only_the_copil_opens_and_decides(copil, member, staff_not_copil):
    procedure = open_on_ethics(member, copil)
    for actor in (None, member.rep, staff_not_copil):
        with pytest.raises(NotAllowed):
            open_on_ethics(member_organisation(), actor)
        with pytest.raises(NotAllowed):
            services.exclusion_decide(
                procedure=procedure, actor=actor, outcome=ExclusionOutcome.CLOSED, reason="x"
            )
    procedure.refresh_from_db()
    assert procedure.is_open


def test_a_second_open_procedure_is_refused(copil, member):
    open_on_ethics(member, copil)
    with pytest.raises(MembersError):
        open_on_ethics(member, copil)
