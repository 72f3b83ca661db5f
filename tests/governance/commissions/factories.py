"""Factories of the commission models (art. 8) and the builders shared by the commissions,
referents and revision tests (art. 8, 9, 10)."""

import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from activities.constants import ActivityKind
from governance.models import (
    Commission,
    CommissionMeeting,
    CommissionMembership,
    ProgressReport,
    ReportAttachment,
    RoadmapAction,
)
from members.constants import Role, Status, StatusReason
from tests.activities.factories import ActivityFactory
from tests.members.factories import (
    RepresentativeFactory,
    StatusChangeFactory,
    UserFactory,
    member_organisation,
)

PDF = b"%PDF-1.4\n%%EOF\n"


# --- Factories ---------------------------------------------------------------------------


class CommissionFactory(factory.django.DjangoModelFactory):
    """An active ad hoc commission of 2026 (an ad hoc commission has an end date, K1)."""

    class Meta:
        model = Commission

    name = factory.Sequence(lambda n: f"Commission {n}")
    slug = factory.Sequence(lambda n: f"commission-ad-hoc-{n}")
    purpose = "Préparer le salon."
    start_date = datetime.date(2026, 1, 1)
    end_date = datetime.date(2026, 12, 31)


class CommissionMembershipFactory(factory.django.DjangoModelFactory):
    """A representative of a current member who volunteered, not yet decided."""

    class Meta:
        model = CommissionMembership

    commission = factory.SubFactory(CommissionFactory)
    representative = factory.SubFactory(
        RepresentativeFactory, organisation=factory.LazyFunction(member_organisation)
    )
    volunteered_at = factory.LazyFunction(timezone.now)


class CommissionMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionMeeting

    commission = factory.SubFactory(CommissionFactory)
    activity = factory.SubFactory(
        ActivityFactory,
        kind=ActivityKind.COMMISSION_MEETING,
        title=factory.Sequence(lambda n: f"Réunion de commission {n}"),
    )


class ProgressReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    commission = factory.SubFactory(CommissionFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Point {n}")
    text = "Texte."
    submitted_at = factory.LazyFunction(timezone.now)


class ReportAttachmentFactory(factory.django.DjangoModelFactory):
    """A small PDF attached to a report."""

    class Meta:
        model = ReportAttachment

    report = factory.SubFactory(ProgressReportFactory)
    file = factory.django.FileField(filename="point.pdf", data=PDF)
    original_name = "point.pdf"
    content_type = "application/pdf"
    size = len(PDF)


class RoadmapActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoadmapAction

    commission = factory.SubFactory(CommissionFactory, keeps_roadmap=True)
    code = factory.Sequence(lambda n: f"A{n + 1}")
    action = "Action"
    target_year = 2027
    target_quarter = 1


# --- Builders ----------------------------------------------------------------------------


def copil_user(**kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get_or_create(name=Role.COPIL)[0])
    return user


def member_rep(organisation=None, **kwargs):
    """An active representative of a current member."""
    organisation = organisation or member_organisation()
    return RepresentativeFactory(organisation=organisation, **kwargs)


def signatory_rep(organisation=None, **kwargs):
    kwargs.setdefault("is_authorised_signatory", True)
    return member_rep(organisation, **kwargs)


def resign(organisation, *, at=None):
    """The organisation leaves (L2): a later status change to none."""
    return StatusChangeFactory(
        organisation=organisation,
        status=Status.NONE,
        reason=StatusReason.RESIGNED,
        effective_at=at or timezone.now() - datetime.timedelta(minutes=1),
    )


def commissions_world(*, member, copil) -> dict:
    """Objects of the permission matrix for the commissions, referents and revision URLs.

    ``member`` (a signatory of a member) is an accepted member of the roadmap commission,
    which has a report with an attachment, a roadmap action and a pending volunteer; it is
    also a zone referent. A revision opened by the COPIL is in progress.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    from governance.commissions import services
    from governance.models import HierarchyAgreement, StandingRole
    from governance.referents import services as referent_services
    from governance.revisions import services as revision_services

    commission = Commission.objects.get(standing_role=StandingRole.ROADMAP)
    services.commission_volunteer(commission=commission, representative=member, actor=member.user)
    services.membership_decide(
        membership=commission.memberships.get(representative=member), accept=True, actor=copil
    )
    volunteer = member_rep()
    pending = services.commission_volunteer(
        commission=commission, representative=volunteer, actor=volunteer.user
    )
    report = services.progress_report_submit(
        commission=commission,
        title="Point",
        text="Texte.",
        files=[SimpleUploadedFile("point.pdf", PDF)],
        actor=copil,
    )
    action = services.roadmap_action_save(
        commission=commission,
        data={"code": "A1", "action": "Action", "target_year": 2027, "target_quarter": 1},
        actor=copil,
    )
    referent = referent_services.referent_appoint(
        representative=member,
        bodies=[("region", "Région Grand Est")],
        hierarchy_agreement=HierarchyAgreement.NOT_NEEDED,
        available_min_years=True,
        is_zone_referent=True,
        zone_departments=["57"],
        actor=copil,
    )
    revision = revision_services.revision_open_by_copil(
        title="Révision", reason="Motifs.", actor=copil
    )
    return {
        "commission_slug": commission.slug,
        "membership_id": pending.pk,
        "report_id": report.pk,
        "attachment_id": report.attachments.get().pk,
        "action_id": action.pk,
        "referent_id": referent.pk,
        "revision_id": revision.pk,
    }
