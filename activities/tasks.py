"""Celery tasks of activities: thin, idempotent, retried with backoff (ARCHITECTURE §6)."""

from celery import shared_task
from django.db import DatabaseError


@shared_task(
    name="activities.tasks.attendance_ratios_compute_task",
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
)
def attendance_ratios_compute_task() -> int:
    """A4: nightly (django-celery-beat) and on demand; running it twice does no harm."""
    from .services import attendance_ratios_compute

    return attendance_ratios_compute()


@shared_task(
    name="activities.convocation_notices_send_task",
    acks_late=True,
    reject_on_worker_lost=True,
)
def convocation_notices_send_task(activity_id: int) -> int:
    """A2: send an activity's convocation e-mails not sent yet. Run twice, sends each
    once; a failed one waits for its next try, queued by the service."""
    from .convocation_notices import convocation_notices_send

    sent, _failed = convocation_notices_send(activity_id=activity_id)
    return sent


@shared_task(
    name="activities.convocation_notices_resume_task",
    acks_late=True,
    reject_on_worker_lost=True,
)
def convocation_notices_resume_task() -> int:
    """Every five minutes (django-celery-beat): send the convocation e-mails a dead worker
    left (its lease expired) or whose next try was lost."""
    from .convocation_notices import convocation_notices_resume

    sent, _failed = convocation_notices_resume()
    return sent
