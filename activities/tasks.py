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
