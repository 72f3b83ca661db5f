"""Commissions (art. 8): K1 purpose, duration, volunteers; K2 facilitator and reports;
K3 standing commissions; meetings as activities (A1)."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from activities.constants import ActivityKind
from activities.models import Convocation
from core.models import AuditEntry
from governance.commissions import services
from governance.exceptions import CommissionError, NotAllowed
from governance.models import (
    Commission,
    CommissionMembership,
    CommissionStatus,
    MembershipStatus,
    ProgressReport,
    ReportAttachment,
    RoadmapAction,
    StandingRole,
)
from members.constants import Status
from tests.activities.factories import ActivityFactory
from tests.governance.commissions.factories import copil_user, member_rep
from tests.members.factories import UserFactory, member_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def copil(db):
    return copil_user()


FUTURE = datetime.date(2030, 6, 30)


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    return tmp_path


def ad_hoc(copil, **kwargs):
    kwargs.setdefault("name", "Commission salon Global Industrie")
    kwargs.setdefault("purpose", "Préparer la participation de la COS-GE au salon.")
    kwargs.setdefault("start_date", datetime.date(2026, 1, 1))
    kwargs.setdefault("end_date", FUTURE)
    return services.commission_create(actor=copil, **kwargs)


@pytest.mark.rule("K3")
def test_k3_the_three_standing_commissions_exist_from_the_migration():
    standing = dict(
        Commission.objects.exclude(standing_role="").values_list("standing_role", "name")
    )
    assert standing == {
        StandingRole.ELECTIONS: "Commission des élections",
        StandingRole.ROADMAP: "Commission feuille de route",
        StandingRole.COMMUNICATION: "Commission communication et marketing",
    }
    roadmap = Commission.objects.get(standing_role=StandingRole.ROADMAP)
    assert roadmap.keeps_roadmap is True
    assert roadmap.end_date is None
    assert roadmap.status == CommissionStatus.ACTIVE


@pytest.mark.rule("K3")
def test_k3_a_standing_commission_cannot_be_ended(copil):
    elections = Commission.objects.get(standing_role=StandingRole.ELECTIONS)
    with pytest.raises(CommissionError):
        services.commission_end(commission=elections, actor=copil)
    elections.refresh_from_db()
    assert elections.status == CommissionStatus.ACTIVE


@pytest.mark.rule("K1")
def test_k1_an_ad_hoc_commission_has_a_purpose_and_an_end_date(copil):
    commission = ad_hoc(copil)
    assert commission.slug == "commission-salon-global-industrie"
    assert commission.end_date == FUTURE
    assert AuditEntry.objects.filter(action="governance.commission.created").count() == 1
    with pytest.raises(CommissionError, match="date de fin"):
        ad_hoc(copil, name="Sans fin", end_date=None)
    with pytest.raises(CommissionError, match="suivre"):
        ad_hoc(copil, name="À l'envers", end_date=datetime.date(2025, 1, 1))
    assert not Commission.objects.filter(name__in=["Sans fin", "À l'envers"]).exists()


@pytest.mark.rule("K1")
def test_k1_only_the_copil_creates_a_commission():
    member = member_rep()
    with pytest.raises(NotAllowed):
        ad_hoc(member.user)
    assert not Commission.objects.filter(standing_role="").exists()


@pytest.mark.rule("K1")
def test_k1_a_member_volunteers_and_the_facilitator_accepts(copil):
    commission = ad_hoc(copil)
    facilitator = member_rep()
    services.commission_facilitator_set(
        commission=commission, representative=facilitator, actor=copil
    )
    volunteer = member_rep()
    membership = services.commission_volunteer(
        commission=commission,
        representative=volunteer,
        actor=volunteer.user,
        motivation="J'ai organisé trois salons.",
    )
    assert membership.status == MembershipStatus.VOLUNTEERED

    services.membership_decide(membership=membership, accept=True, actor=facilitator.user)

    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACCEPTED
    assert membership.decided_by == facilitator.user
    assert sorted(
        commission.memberships.filter(status=MembershipStatus.ACCEPTED).values_list(
            "representative", flat=True
        )
    ) == sorted([facilitator.pk, volunteer.pk])


@pytest.mark.rule("K1")
def test_k1_another_member_cannot_accept_a_volunteer(copil):
    commission = ad_hoc(copil)
    volunteer = member_rep()
    membership = services.commission_volunteer(
        commission=commission, representative=volunteer, actor=volunteer.user
    )
    stranger = member_rep()
    with pytest.raises(NotAllowed):
        services.membership_decide(membership=membership, accept=True, actor=stranger.user)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.VOLUNTEERED


@pytest.mark.rule("K1")
def test_k1_only_representatives_of_members_volunteer_once(copil):
    commission = ad_hoc(copil)
    invitee = member_rep(member_organisation(status=Status.INVITEE))
    with pytest.raises(CommissionError, match="entité membre"):
        services.commission_volunteer(
            commission=commission, representative=invitee, actor=invitee.user
        )
    volunteer = member_rep()
    with pytest.raises(NotAllowed):
        services.commission_volunteer(
            commission=commission, representative=volunteer, actor=invitee.user
        )
    services.commission_volunteer(
        commission=commission, representative=volunteer, actor=volunteer.user
    )
    with pytest.raises(CommissionError, match="déjà"):
        services.commission_volunteer(
            commission=commission, representative=volunteer, actor=volunteer.user
        )
    assert CommissionMembership.objects.filter(commission=commission).count() == 1


@pytest.mark.rule("K1")
def test_k1_a_small_number_of_members(copil):
    commission = ad_hoc(copil, max_members=1)
    first, second = member_rep(), member_rep()
    m1 = services.commission_volunteer(
        commission=commission, representative=first, actor=first.user
    )
    m2 = services.commission_volunteer(
        commission=commission, representative=second, actor=second.user
    )
    services.membership_decide(membership=m1, accept=True, actor=copil)
    with pytest.raises(CommissionError, match="maximum"):
        services.membership_decide(membership=m2, accept=True, actor=copil)
    m2.refresh_from_db()
    assert m2.status == MembershipStatus.VOLUNTEERED


@pytest.mark.rule("K1")
def test_k1_an_ended_commission_takes_no_volunteer(copil):
    commission = ad_hoc(copil)
    services.commission_end(commission=commission, actor=copil)
    volunteer = member_rep()
    with pytest.raises(CommissionError, match="terminée"):
        services.commission_volunteer(
            commission=commission, representative=volunteer, actor=volunteer.user
        )
    assert not commission.memberships.exists()


@pytest.mark.rule("K2", "A1")
def test_k2_a_meeting_is_an_activity_convening_the_members_organisations(copil):
    commission = ad_hoc(copil)
    facilitator = member_rep()
    services.commission_facilitator_set(
        commission=commission, representative=facilitator, actor=copil
    )
    other_member = member_rep()  # not in the commission
    starts = timezone.now() + datetime.timedelta(days=7)

    meeting = services.commission_meeting_create(
        commission=commission,
        title="Réunion de lancement",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        online_url="https://visio.exemple.fr/salon",
        actor=facilitator.user,
    )

    activity = meeting.activity
    assert activity.kind == ActivityKind.COMMISSION_MEETING
    assert list(activity.organisers.all()) == [facilitator.user]
    assert list(
        Convocation.objects.filter(activity=activity).values_list("organisation", flat=True)
    ) == [facilitator.organisation_id]

    # A member accepted later is convened to the future meeting too.
    volunteer = member_rep()
    membership = services.commission_volunteer(
        commission=commission, representative=volunteer, actor=volunteer.user
    )
    services.membership_decide(membership=membership, accept=True, actor=facilitator.user)
    convened = set(
        Convocation.objects.filter(activity=activity).values_list("organisation", flat=True)
    )
    assert convened == {facilitator.organisation_id, volunteer.organisation_id}
    assert other_member.organisation_id not in convened


@pytest.mark.rule("K2")
def test_k2_a_held_meeting_keeps_its_convocations(copil):
    commission = ad_hoc(copil)
    facilitator = member_rep()
    services.commission_facilitator_set(
        commission=commission, representative=facilitator, actor=copil
    )
    starts = timezone.now() + datetime.timedelta(days=1)
    meeting = services.commission_meeting_create(
        commission=commission,
        title="Réunion",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        online_url="https://visio.exemple.fr/r",
        actor=copil,
    )
    later = starts + datetime.timedelta(days=2)
    volunteer = member_rep()
    membership = services.commission_volunteer(
        commission=commission, representative=volunteer, actor=volunteer.user, now=later
    )
    services.membership_decide(membership=membership, accept=True, actor=copil, now=later)
    assert list(
        Convocation.objects.filter(activity=meeting.activity).values_list("organisation", flat=True)
    ) == [facilitator.organisation_id]


@pytest.mark.rule("K2")
def test_k2_only_the_facilitator_or_copil_convenes_a_meeting(copil):
    commission = ad_hoc(copil)
    member = member_rep()
    starts = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(NotAllowed):
        services.commission_meeting_create(
            commission=commission,
            title="Réunion",
            starts_at=starts,
            ends_at=starts,
            online_url="https://visio.exemple.fr/r",
            actor=member.user,
        )
    assert not commission.meetings.exists()


def pdf(name="rapport.pdf", size=None):
    content = b"%PDF-1.4\n%%EOF\n" if size is None else b"%PDF-" + b"0" * (size - 5)
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.rule("K2")
def test_k2_the_facilitator_reports_to_the_copil_with_attachments(copil, storage):
    commission = ad_hoc(copil)
    facilitator = member_rep()
    services.commission_facilitator_set(
        commission=commission, representative=facilitator, actor=copil
    )
    report = services.progress_report_submit(
        commission=commission,
        title="Point de mars",
        text="Stand réservé, plaquette en cours.",
        files=[pdf()],
        actor=facilitator.user,
    )

    attachment = report.attachments.get()
    assert attachment.original_name == "rapport.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.file.name.startswith(f"governance/reports/{report.pk}/")
    assert (storage / attachment.file.name).read_bytes() == b"%PDF-1.4\n%%EOF\n"


@pytest.mark.rule("K2")
def test_k2_report_email_to_the_copil(copil, storage, django_capture_on_commit_callbacks):
    commission = ad_hoc(copil)
    with django_capture_on_commit_callbacks(execute=True):
        services.progress_report_submit(
            commission=commission, title="Point", text="Texte.", actor=copil
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["copil@cos-ge.fr"]
    assert "Point d'avancement" in mail.outbox[0].subject
    assert mail.outbox[0].alternatives[0][1] == "text/html"


@pytest.mark.rule("K2")
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("virus.exe", b"MZ\x90\x00"), "seuls les fichiers"),
        (SimpleUploadedFile("faux.pdf", b"<html>"), "contenu annoncé"),
        ("big", "dépasse"),
    ],
)
def test_k2_attachments_are_checked_for_type_and_size(copil, storage, upload, message):
    commission = ad_hoc(copil)
    if upload == "big":
        upload = pdf(size=services.ATTACHMENT_MAX_BYTES + 1)
    with pytest.raises(CommissionError, match=message):
        services.progress_report_submit(
            commission=commission, title="Point", text="Texte.", files=[upload], actor=copil
        )
    assert not ProgressReport.objects.exists()
    assert not ReportAttachment.objects.exists()
    assert not list(storage.rglob("*.*"))


@pytest.mark.rule("K2")
def test_k2_a_member_who_is_not_facilitator_cannot_report(copil, storage):
    commission = ad_hoc(copil)
    member = member_rep()
    with pytest.raises(NotAllowed):
        services.progress_report_submit(
            commission=commission, title="Point", text="Texte.", actor=member.user
        )
    assert not ProgressReport.objects.exists()


@pytest.mark.rule("K2")
def test_k2_a_report_is_shown_at_a_plenary(copil, storage):
    commission = ad_hoc(copil)
    report = services.progress_report_submit(
        commission=commission, title="Point", text="Texte.", actor=copil
    )
    workshop = ActivityFactory()
    with pytest.raises(CommissionError, match="plénière"):
        services.progress_report_mark_shown(report=report, plenary=workshop, actor=copil)
    plenary = ActivityFactory(kind=ActivityKind.ORDINARY_PLENARY)
    services.progress_report_mark_shown(report=report, plenary=plenary, actor=copil)
    report.refresh_from_db()
    assert report.shown_at == plenary


@pytest.mark.rule("K2")
def test_roadmap_actions_of_the_roadmap_commission(copil):
    roadmap = Commission.objects.get(standing_role=StandingRole.ROADMAP)
    data = {
        "code": "A1",
        "action": "Cartographier les offres des membres",
        "objectives": "Un annuaire par compétence",
        "prerequisites": "Fiches à jour",
        "deliverables": "Carte publique",
        "target_year": 2027,
        "target_quarter": 2,
    }
    action = services.roadmap_action_save(commission=roadmap, data=data, actor=copil)
    assert action.target == "T2 2027"
    services.roadmap_action_save(
        commission=roadmap, action=action, data={"status": "in_progress"}, actor=copil
    )
    action.refresh_from_db()
    assert action.status == "in_progress"
    with pytest.raises(CommissionError, match="déjà utilisé"):
        services.roadmap_action_save(commission=roadmap, data=data, actor=copil)
    with pytest.raises(CommissionError):
        services.roadmap_action_save(
            commission=roadmap, data={**data, "code": "A2", "target_quarter": 5}, actor=copil
        )
    elections = Commission.objects.get(standing_role=StandingRole.ELECTIONS)
    with pytest.raises(CommissionError, match="feuille de route"):
        services.roadmap_action_save(commission=elections, data=data, actor=copil)
    assert RoadmapAction.objects.count() == 1


@pytest.mark.rule("K1")
def test_k1_a_member_leaves_and_future_meetings_no_longer_convene_it(copil):
    commission = ad_hoc(copil)
    facilitator, volunteer = member_rep(), member_rep()
    services.commission_facilitator_set(
        commission=commission, representative=facilitator, actor=copil
    )
    membership = services.commission_volunteer(
        commission=commission, representative=volunteer, actor=volunteer.user
    )
    services.membership_decide(membership=membership, accept=True, actor=copil)
    starts = timezone.now() + datetime.timedelta(days=3)
    meeting = services.commission_meeting_create(
        commission=commission, title="R", starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1), online_url="https://v.exemple.fr/", actor=copil,
    )  # fmt: skip
    services.membership_leave(membership=membership, actor=volunteer.user)
    assert list(
        Convocation.objects.filter(activity=meeting.activity).values_list("organisation", flat=True)
    ) == [facilitator.organisation_id]
    facilitator_membership = commission.memberships.get(representative=facilitator)
    with pytest.raises(CommissionError, match="animateur"):
        services.membership_leave(membership=facilitator_membership, actor=facilitator.user)
    stranger = UserFactory()
    with pytest.raises(NotAllowed):
        services.membership_leave(membership=facilitator_membership, actor=stranger)


@pytest.mark.rule("K3")
def test_k3_the_demo_data_has_the_standing_commissions():
    from members.demo import load_demo

    load_demo()
    assert set(
        Commission.objects.exclude(standing_role="").values_list("standing_role", flat=True)
    ) == {StandingRole.ELECTIONS, StandingRole.ROADMAP, StandingRole.COMMUNICATION}
