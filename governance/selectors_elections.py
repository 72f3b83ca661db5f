"""Reads of COPIL seats, elections, proxies, ballots and COPIL meetings (art. 6).

Nothing here ever joins a ballot to a voter: the only reads of ``Ballot`` are
aggregates and the list of receipts (V6).
"""

import datetime

from django.contrib.auth.models import Group
from django.core.exceptions import FieldError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.roles import is_copil, user_role_names
from members.constants import COPIL_GROUP, Role, Status
from members.selectors import active_representatives, organisation_list_with_status

from .models import (
    Ballot,
    BallotChoice,
    Candidacy,
    CopilMeeting,
    CopilSeat,
    Election,
    ElectionStatus,
    Mandate,
    MinutesRequest,
    MinutesRequestStatus,
    Proxy,
    ProxyStatus,
    VoteRecord,
)

LIVE_PROXY_STATUSES = (ProxyStatus.SIGNED, ProxyStatus.VALIDATED)


# --- Roles -------------------------------------------------------------------------------


def is_election_commission(user) -> bool:
    """Charter art. 6.2, 8 (V12): members of the elections commission run the ballot.

    The plain group "Commission électorale" counts, and so do the accepted members of
    the standing "elections" commission (K3) once the commissions part records them.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or Role.ELECTION_COMMISSION in user_role_names(user):
        return True
    try:
        from governance.models import CommissionMembership

        today = timezone.localdate()
        return (
            CommissionMembership.objects.filter(
                commission__standing_role="elections",
                commission__status="active",
                status="accepted",
                representative__user=user,
                representative__start_date__lte=today,
            )
            .filter(
                Q(representative__end_date__isnull=True) | Q(representative__end_date__gte=today)
            )
            .exists()
        )
    except (ImportError, FieldError):  # the commissions part is not there yet
        return False


def member_representations(*, user, on: datetime.date | None = None) -> QuerySet:
    """The person's active representations of organisations that are members now."""
    if not getattr(user, "is_authenticated", False):
        return active_representatives().none()
    member_ids = organisation_list_with_status().filter(current_status=Status.MEMBER)
    return (
        active_representatives(on=on)
        .filter(user=user, organisation__in=member_ids.values("pk"))
        .select_related("organisation")
        .order_by("organisation__legal_name")
    )


def member_signatory_representations(*, user, on: datetime.date | None = None) -> QuerySet:
    return member_representations(user=user, on=on).filter(is_authorised_signatory=True)


def can_see_elections(user) -> bool:
    """Elections, candidates and results are shown to members, the commission and the COPIL.

    The roles first (the user's groups, read once per request), then the representations:
    most visitors of these pages are members, answered in one more query.
    """
    return (
        is_copil(user) or member_representations(user=user).exists() or is_election_commission(user)
    )


def member_organisations(*, at: datetime.datetime | None = None) -> QuerySet:
    return organisation_list_with_status(at=at).filter(current_status=Status.MEMBER)


# --- Seats and mandates ------------------------------------------------------------------


def seat_list() -> QuerySet:
    return CopilSeat.objects.order_by("number")


def mandates_active_on(*, on: datetime.date) -> QuerySet:
    """Mandates running on ``on``: started, and not ended on or before that day."""
    return (
        Mandate.objects.filter(start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=on))
        .select_related("seat", "holder", "organisation")
        .order_by("seat__number")
    )


def latest_mandates_by_seat(*, on: datetime.date) -> dict[int, Mandate]:
    """For each seat, the latest mandate started by ``on`` (ended or not)."""
    latest: dict[int, Mandate] = {}
    for mandate in (
        Mandate.objects.filter(start_date__lte=on)
        .select_related("seat", "holder", "organisation")
        .order_by("seat_id", "start_date", "pk")
    ):
        latest[mandate.seat_id] = mandate
    return latest


def copil_group() -> Group:
    return Group.objects.get_or_create(name=COPIL_GROUP)[0]


# --- Elections ---------------------------------------------------------------------------


def election_list(*, include_drafts: bool = False) -> QuerySet:
    qs = Election.objects.select_related("plenary")
    if not include_drafts:
        qs = qs.exclude(status=ElectionStatus.DRAFT)
    return qs.order_by("-election_date")


def election_get(*, pk: int) -> Election:
    return Election.objects.select_related("plenary").get(pk=pk)


def candidacy_list(*, election: Election) -> QuerySet:
    return (
        Candidacy.objects.filter(election=election, withdrawn_at__isnull=True)
        .select_related("candidate", "organisation")
        .order_by("candidate__last_name", "candidate__first_name")
    )


def proxy_list(*, election: Election) -> QuerySet:
    return (
        Proxy.objects.filter(election=election)
        .select_related("giver", "holder", "signed_by")
        .order_by("giver__legal_name")
    )


def proxies_held(*, election: Election, holder_ids) -> QuerySet:
    return proxy_list(election=election).filter(
        holder_id__in=holder_ids, status=ProxyStatus.VALIDATED
    )


def has_voted(*, election: Election, organisation) -> bool:
    return VoteRecord.objects.filter(election=election, organisation=organisation).exists()


def voted_organisation_ids(*, election: Election) -> set[int]:
    return set(
        VoteRecord.objects.filter(election=election).values_list("organisation_id", flat=True)
    )


def receipt_list(*, election: Election) -> list[str]:
    """The published receipts, sorted: their order says nothing about who or when (V6)."""
    return list(
        Ballot.objects.filter(election=election)
        .order_by("receipt")
        .values_list("receipt", flat=True)
    )


def ballot_counts(*, election: Election) -> dict[str, int]:
    """Ballots cast and blank ballots, in one query."""
    return Ballot.objects.filter(election=election).aggregate(
        total=Count("pk", distinct=True),
        blank=Count("pk", filter=Q(choices__isnull=True), distinct=True),
    )


def votes_per_candidacy(*, election: Election) -> dict[int, int]:
    """V8: approvals per candidacy as one database aggregate."""
    counts = {
        c: 0 for c in Candidacy.objects.filter(election=election).values_list("pk", flat=True)
    }
    rows = (
        BallotChoice.objects.filter(ballot__election=election)
        .values("candidacy_id")
        .annotate(votes=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["candidacy_id"]] = row["votes"]
    return counts


def results_rows(*, election: Election) -> QuerySet:
    return candidacy_list(election=election).order_by("-votes", "candidate__last_name")


# --- COPIL meetings ----------------------------------------------------------------------


def copil_meeting_list() -> QuerySet:
    return CopilMeeting.objects.order_by("-held_on")


def minutes_request_list(*, status: str | None = None) -> QuerySet:
    qs = MinutesRequest.objects.select_related("meeting", "requester", "organisation")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def can_read_copil_minutes(*, user, meeting: CopilMeeting) -> bool:
    """C4: the COPIL, and members whose reasoned request was granted."""
    if is_copil(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return MinutesRequest.objects.filter(
        meeting=meeting, requester=user, status=MinutesRequestStatus.GRANTED
    ).exists()


def election_is_running(election: Election) -> bool:
    return election.status == ElectionStatus.VOTING


def today() -> datetime.date:
    return timezone.localdate()
