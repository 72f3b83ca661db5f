"""Reads of commissions, referents and charter revision (art. 8, 9, 10)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from charters.selectors import charter_parameters, signatory_representations
from core.roles import is_copil
from members.constants import Status
from members.models import Organisation, Representative
from members.selectors import active_representatives, organisation_list_with_status

from .models.commissions import (
    OPEN_MEMBERSHIP_STATUSES,
    CharterRevision,
    Commission,
    CommissionMeeting,
    CommissionMembership,
    MembershipStatus,
    ProgressReport,
    Referent,
    ReferentBody,
    ReferentContact,
    RevisionStatus,
    RevisionSupport,
    RevisionVote,
    RoadmapAction,
)

# A revision is "in progress" from the petition to the vote (X2, X3, X4).
OPEN_REVISION_STATUSES = (
    RevisionStatus.PETITION,
    RevisionStatus.SEIZED,
    RevisionStatus.DRAFTING,
    RevisionStatus.VOTING,
)


# --- Who may do what ----------------------------------------------------------------------------


def member_representations(*, user, at: datetime.datetime | None = None) -> QuerySet:
    """The person's active representations of organisations that are members at ``at``."""
    if not getattr(user, "is_authenticated", False):
        return Representative.objects.none()
    moment = at or timezone.now()
    member_ids = organisation_list_with_status(at=moment).filter(current_status=Status.MEMBER)
    return (
        active_representatives(on=timezone.localdate(moment))
        .filter(user=user, organisation__in=member_ids.values("pk"))
        .select_related("organisation", "user")
        .order_by("organisation__legal_name")
    )


def member_representatives(*, at: datetime.datetime | None = None) -> QuerySet:
    """Every active representative of a member (facilitators, referents are chosen among them)."""
    moment = at or timezone.now()
    member_ids = organisation_list_with_status(at=moment).filter(current_status=Status.MEMBER)
    return (
        active_representatives(on=timezone.localdate(moment))
        .filter(organisation__in=member_ids.values("pk"))
        .select_related("organisation", "user")
        .order_by("user__last_name", "user__first_name", "organisation__legal_name")
    )


def member_signatory_representations(*, user, at: datetime.datetime | None = None) -> QuerySet:
    """Representations in which the person is an authorised signatory of a member (X2, X4)."""
    moment = at or timezone.now()
    return signatory_representations(user=user, on=timezone.localdate(moment)).filter(
        pk__in=member_representations(user=user, at=moment).values("pk")
    )


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


# --- Referents ------------------------------------------------------------------------------------


def referent_list(*, active_only: bool = True) -> QuerySet:
    qs = Referent.objects.select_related(
        "representative__user", "representative__organisation"
    ).prefetch_related(Prefetch("bodies", queryset=ReferentBody.objects.order_by("kind", "name")))
    if active_only:
        qs = qs.filter(end_date__isnull=True)
    return qs.order_by("representative__user__last_name", "id")


def zone_referents(*, at: datetime.datetime | None = None) -> QuerySet:
    """Active zone referents (R4), for the public page: still representatives of a
    current member (S2: losing the status removes them the same day)."""
    moment = at or timezone.now()
    members = organisation_list_with_status(at=moment).filter(current_status=Status.MEMBER)
    return referent_list().filter(
        is_zone_referent=True,
        representative__in=active_representatives(on=timezone.localdate(moment)).values("pk"),
        representative__organisation__in=members.values("pk"),
    )


@dataclass
class DepartmentReferents:
    code: str
    referents: list


def zone_referents_by_department(*, on: datetime.date | None = None) -> list[DepartmentReferents]:
    """Charter art. 9 (R4): the zone referents listed under each Grand Est department."""
    departments = charter_parameters(on=on).grand_est_departments
    referents = list(zone_referents())
    return [
        DepartmentReferents(
            code=code, referents=[r for r in referents if code in (r.zone_departments or [])]
        )
        for code in departments
    ]


def zone_referent_get(*, pk: int) -> Referent:
    return zone_referents().get(pk=pk)


def referent_missions_of(*, user) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return Referent.objects.none()
    return referent_list().filter(representative__user=user)


def referent_contacts(*, referent: Referent | None = None) -> QuerySet:
    qs = ReferentContact.objects.select_related(
        "referent__representative__user", "referent__representative__organisation"
    )
    if referent is not None:
        qs = qs.filter(referent=referent)
    return qs.order_by("-date", "-id")


def can_read_referent_contacts(*, user, referent: Referent) -> bool:
    """Charter art. 9 (R3): the contact log keeps the COPIL informed; the referent sees theirs."""
    return is_copil(user) or (
        getattr(user, "is_authenticated", False) and referent.representative.user_id == user.pk
    )


# --- Charter revision -----------------------------------------------------------------------------


def revision_list() -> QuerySet:
    return CharterRevision.objects.select_related(
        "base_version", "draft_version", "commission", "plenary"
    ).order_by("-opened_at", "-id")


def revision_open() -> CharterRevision | None:
    return revision_list().filter(status__in=OPEN_REVISION_STATUSES).first()


@dataclass(frozen=True)
class PetitionCount:
    supporters: int
    members: int
    percent_required: int

    @property
    def reached(self) -> bool:
        # Charter art. 10 (X2): "au moins cinquante pour cent (50 %) des membres".
        return self.members > 0 and self.supporters * 100 >= self.percent_required * self.members

    @property
    def percent(self) -> float:
        return round(100 * self.supporters / self.members, 1) if self.members else 0.0

    @property
    def needed(self) -> int:
        """Supporters needed in all (the smallest whole number reaching the threshold)."""
        return -(-self.percent_required * self.members // 100)


def revision_petition_count(
    *, revision: CharterRevision, at: datetime.datetime | None = None
) -> PetitionCount:
    """Charter art. 10 (X2): supporting member organisations against the current members.

    Computed at ``at`` from the status history, so a member that resigned or was
    excluded no longer counts, neither as a supporter nor in the denominator.
    """
    moment = at or timezone.now()
    members = organisation_list_with_status(at=moment).filter(current_status=Status.MEMBER)
    member_ids = members.values("pk")
    supporters = (
        RevisionSupport.objects.filter(
            revision=revision, withdrawn_at__isnull=True, organisation__in=member_ids
        )
        .values("organisation")
        .distinct()
        .count()
    )
    return PetitionCount(
        supporters=supporters,
        members=members.count(),
        percent_required=charter_parameters(
            on=timezone.localdate(moment)
        ).revision_petition_percent,
    )


def revision_supports(*, revision: CharterRevision) -> QuerySet:
    return (
        RevisionSupport.objects.filter(revision=revision, withdrawn_at__isnull=True)
        .select_related("organisation", "supported_by")
        .order_by("organisation__legal_name")
    )


def revision_votes(*, revision: CharterRevision) -> QuerySet:
    return (
        RevisionVote.objects.filter(revision=revision)
        .select_related("organisation")
        .order_by("organisation__legal_name")
    )


def revision_voters(*, revision: CharterRevision) -> QuerySet:
    """The member organisations entitled to vote: members at the plenary (X4, one vote each)."""
    moment = revision.plenary.starts_at if revision.plenary_id else timezone.now()
    return (
        organisation_list_with_status(at=moment)
        .filter(current_status=Status.MEMBER)
        .order_by("legal_name")
    )


def organisations_supporting(*, revision: CharterRevision, organisations) -> set[int]:
    return set(
        RevisionSupport.objects.filter(
            revision=revision, withdrawn_at__isnull=True, organisation__in=organisations
        ).values_list("organisation_id", flat=True)
    )


def organisation_is_member(*, organisation: Organisation, at=None) -> bool:
    return (
        organisation_list_with_status(at=at)
        .filter(pk=organisation.pk, current_status=Status.MEMBER)
        .exists()
    )
