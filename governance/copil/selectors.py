"""Reads of COPIL meetings (art. 6.3): meetings and the members' requests to read their
minutes (C4)."""

from django.db.models import QuerySet

from core.deadlines import deadline_cached
from core.roles import is_copil

from .models import CopilMeeting, MinutesRequest, MinutesRequestStatus

# --- COPIL meetings ----------------------------------------------------------------------


def copil_meeting_list() -> QuerySet:
    return CopilMeeting.objects.order_by("-held_on")


def minutes_request_list(*, status: str | None = None) -> QuerySet:
    qs = MinutesRequest.objects.select_related("meeting", "requester", "organisation")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def minutes_requests_pending() -> list[MinutesRequest]:
    """The requests to read the COPIL's minutes awaiting its answer (C4), oldest first: a
    few at any time, read once per page that lists them and their deadlines (the cockpit;
    core.deadlines.deadline_cached)."""
    return deadline_cached(
        "minutes_requests_pending",
        lambda: list(
            minutes_request_list(status=MinutesRequestStatus.PENDING).order_by("created_at", "pk")
        ),
    )


def can_read_copil_minutes(*, user, meeting: CopilMeeting) -> bool:
    """C4: the COPIL, and members whose reasoned request was granted."""
    if is_copil(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return MinutesRequest.objects.filter(
        meeting=meeting, requester=user, status=MinutesRequestStatus.GRANTED
    ).exists()
