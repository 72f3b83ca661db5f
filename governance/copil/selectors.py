"""Reads of COPIL meetings (art. 6.3): meetings and the members' requests to read their
minutes (C4)."""

from django.db.models import QuerySet

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


def can_read_copil_minutes(*, user, meeting: CopilMeeting) -> bool:
    """C4: the COPIL, and members whose reasoned request was granted."""
    if is_copil(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return MinutesRequest.objects.filter(
        meeting=meeting, requester=user, status=MinutesRequestStatus.GRANTED
    ).exists()
