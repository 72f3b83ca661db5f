"""Reads of charter revision (art. 10): the revision in progress, the petition's count
(X2), supports, votes and voters (X4)."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from charters.selectors import charter_parameters
from governance.selectors import member_organisations

from .models import CharterRevision, RevisionStatus, RevisionSupport, RevisionVote

# A revision is "in progress" from the petition to the vote (X2, X3, X4).
OPEN_REVISION_STATUSES = (
    RevisionStatus.PETITION,
    RevisionStatus.SEIZED,
    RevisionStatus.DRAFTING,
    RevisionStatus.VOTING,
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
    members = member_organisations(at=moment)
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
    return member_organisations(at=moment).order_by("legal_name")


def revision_voters_yet_to_vote(*, revision: CharterRevision) -> QuerySet:
    """The member organisations entitled to vote whose vote is not recorded yet (X4), as
    one query: the COPIL finds each one of the roll call among them."""
    voted = RevisionVote.objects.filter(revision=revision).values("organisation_id")
    return revision_voters(revision=revision).exclude(pk__in=voted)


def organisations_supporting(*, revision: CharterRevision, organisations) -> set[int]:
    return set(
        RevisionSupport.objects.filter(
            revision=revision, withdrawn_at__isnull=True, organisation__in=organisations
        ).values_list("organisation_id", flat=True)
    )
