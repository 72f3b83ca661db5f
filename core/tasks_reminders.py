"""Celery tasks of the deadline engine (core/deadlines.py): thin, idempotent.

Kept apart from core/tasks.py so the engine's module registers them
(``core.deadlines`` imports this module): every worker that loads the apps has them.
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
    is recorded under a unique key before it is sent and marked sent right after, so a
    second run sends only what a killed worker left (once its lease has expired)."""
    from .deadlines import deadline_reminders_send

    return deadline_reminders_send()


@shared_task(
    name="cos_portal.reminders_resume_task",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=3,
)
def reminders_resume_task() -> int:
    """Every few minutes (django-celery-beat): send the pending reminders whose run died
    (its lease expired) or whose retry was lost. Nothing to do: one query."""
    from .deadlines import reminders_resume

    return reminders_resume()


@shared_task(
    name="cos_portal.reminder_send_task",
    acks_late=True,
    reject_on_worker_lost=True,
)
def reminder_send_task(reminder_id: int) -> str:
    """One more try of a reminder that failed; a new failure queues the next try with an
    exponential countdown, below the visibility timeout. The number of tries is counted on
    the row (REMINDER_MAX_ATTEMPTS), so a re-delivered message never adds tries."""
    from .deadlines import reminder_send

    return reminder_send(reminder_id=reminder_id)
