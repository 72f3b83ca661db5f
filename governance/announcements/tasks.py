"""Celery tasks of announcements: thin, idempotent; the services do the work and are
imported inside the task (the services import this module to queue the tasks)."""

from celery import shared_task


@shared_task(
    name="governance.announcement_deliveries_send_task",
    acks_late=True,
    reject_on_worker_lost=True,
)
def announcement_deliveries_send_task(announcement_id: int) -> int:
    """Send an announcement's deliveries not sent yet. Run twice, sends each once; a failed
    one stays in the log and its next try is queued by the service (1, 2, 4, 8, 16
    minutes)."""
    from governance.announcements.services import announcement_deliveries_send

    sent, _failed = announcement_deliveries_send(announcement_id=announcement_id)
    return sent


@shared_task(
    name="governance.announcement_deliveries_resume_task",
    acks_late=True,
    reject_on_worker_lost=True,
)
def announcement_deliveries_resume_task() -> int:
    """Every few minutes (django-celery-beat): send the deliveries whose worker died in
    the middle of a batch (its lease expired) or whose next try was lost."""
    from governance.announcements.services import announcement_deliveries_resume

    sent, _failed = announcement_deliveries_resume()
    return sent
