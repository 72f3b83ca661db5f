"""Scheduled jobs of the status lifecycle: thin, idempotent, retried; services do the work."""

from celery import shared_task


@shared_task(
    name="members.status_expirations_task",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def status_expirations_task() -> int:
    """P1, P5, I1: fixed-term partnerships and invitations end on their date. Run twice,
    ends once."""
    from .services import status_expirations

    return len(status_expirations())
