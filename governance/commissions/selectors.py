"""Reads of commissions (art. 8): who manages and reads them, their members, meetings,
reports and roadmap."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.roles import is_copil
from governance.selectors import member_representations

from .models import (
    OPEN_MEMBERSHIP_STATUSES,
    Commission,
    CommissionMeeting,
    CommissionMembership,
    MembershipStatus,
    ProgressReport,
    RoadmapAction,
)

# --- Who may do what ----------------------------------------------------------------------------


def is_facilitator(*, user, commission: Commission) -> bool:
    if not getattr(user, "is_authenticated", False) or commission.facilitator_id is None:
        return False
    facilitator = commission.facilitator
    return facilitator.user_id == user.pk and facilitator.is_active_on(timezone.localdate())


def can_manage_commission(*, user, commission: Commission) -> bool:
    """Charter art. 8 (K2): the facilitator organises the work; the COPIL oversees it."""
    return is_copil(user) or is_facilitator(user=user, commission=commission)


def can_read_commission_reports(*, user, commission: Commission) -> bool:
    """Reports go to the COPIL (K2); the facilitator and the commission's members see them too."""
    if can_manage_commission(user=user, commission=commission):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return commission.memberships.filter(
        status=MembershipStatus.ACCEPTED, representative__user=user
    ).exists()


def can_volunteer(*, user, commission: Commission) -> bool:
    """Charter art. 8 (K1): a representative of a member volunteers for an active commission."""
    return commission.is_active and member_representations(user=user).exists()


# --- Commissions ----------------------------------------------------------------------------------


def commission_list() -> QuerySet:
    """Commissions with their facilitator and the number of accepted members."""
    return (
        Commission.objects.select_related("facilitator__user", "facilitator__organisation")
        .annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__status=MembershipStatus.ACCEPTED)
            )
        )
        .order_by("status", "-standing_role", "name")
    )


def commission_get(*, slug: str) -> Commission:
    return commission_list().get(slug=slug)


def commission_memberships(*, commission: Commission) -> QuerySet:
    return (
        commission.memberships.filter(status__in=OPEN_MEMBERSHIP_STATUSES)
        .select_related("representative__user", "representative__organisation")
        .order_by("status", "representative__user__last_name")
    )


def commission_member_organisation_ids(*, commission: Commission) -> list[int]:
    """The organisations a commission meeting convenes: those of its accepted members (A1)."""
    return sorted(
        set(
            commission.memberships.filter(status=MembershipStatus.ACCEPTED).values_list(
                "representative__organisation_id", flat=True
            )
        )
    )


def commission_meetings(*, commission: Commission) -> QuerySet:
    return (
        CommissionMeeting.objects.filter(commission=commission)
        .select_related("activity")
        .order_by("-activity__starts_at")
    )


def commission_reports(*, commission: Commission) -> QuerySet:
    return (
        ProgressReport.objects.filter(commission=commission)
        .select_related("author", "shown_at")
        .prefetch_related("attachments")
        .order_by("-submitted_at", "-id")
    )


def roadmap_actions(*, commission: Commission) -> QuerySet:
    return RoadmapAction.objects.filter(commission=commission).order_by(
        "target_year", "target_quarter", "code"
    )


def open_membership_of(*, commission: Commission, user) -> CommissionMembership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        commission.memberships.filter(
            status__in=OPEN_MEMBERSHIP_STATUSES, representative__user=user
        )
        .select_related("representative__organisation")
        .first()
    )
