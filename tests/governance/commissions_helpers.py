"""Helpers of the commissions, referents and revision tests (art. 8, 9, 10)."""

import datetime

from django.contrib.auth.models import Group
from django.utils import timezone

from members.constants import Role, Status, StatusReason
from members.models import StatusChange
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation


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
    return StatusChange.objects.create(
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
    from governance.models import Commission, HierarchyAgreement, StandingRole
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
        files=[SimpleUploadedFile("point.pdf", b"%PDF-1.4\n%%EOF\n")],
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


def zone_referent_appoint(representative, departments):
    """Appoint ``representative`` zone referent of ``departments`` (R4), as the COPIL."""
    from governance.models import BodyKind, HierarchyAgreement
    from governance.referents import services

    return services.referent_appoint(
        representative=representative,
        bodies=[(BodyKind.CCI, "CCI Grand Est")],
        hierarchy_agreement=HierarchyAgreement.NOT_NEEDED,
        available_min_years=True,
        is_zone_referent=True,
        zone_departments=list(departments),
        actor=copil_user(),
    )
