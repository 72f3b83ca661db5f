"""Celery tasks of the deadline engine (cos_portal/deadlines.py): thin, idempotent.

Kept apart from cos_portal/tasks.py so the engine's module registers them
(``cos_portal.deadlines`` imports this module): every worker that loads the apps has them.
"""

from celery import shared_task
from django.db import DatabaseError


@shared_task(
    name="cos_portal.deadline_reminders_send_task",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=3,
)
def deadline_reminders_send_task() -> int:
    """Daily (django-celery-beat): send the reminders due today. Safe to re-run: a reminder
    is recorded under a unique key before it is sent, so a second run sends nothing."""
    from .deadlines import deadline_reminders_send

    return deadline_reminders_send()


@shared_task(
    name="cos_portal.reminder_send_task",
    acks_late=True,
    reject_on_worker_lost=True,
)
def reminder_send_task(reminder_id: int) -> str:
    """One more try of a reminder that failed. The next try is queued with an exponential
    countdown, below the visibility timeout; the number of tries is counted on the row
    (REMINDER_MAX_ATTEMPTS), so a re-delivered message never adds tries."""
    from .deadlines import reminder_retry, reminder_send
    from .models import Reminder

    outcome = reminder_send(reminder_id=reminder_id)
    if outcome == "retry":
        attempts = Reminder.objects.filter(pk=reminder_id).values_list("attempts", flat=True)[0]
        reminder_retry(reminder_id=reminder_id, attempts=attempts)
    return outcome
