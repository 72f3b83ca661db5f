"""Scheduled charter jobs (X1, X4): thin, idempotent, retried; the service does the work."""

from celery import shared_task


@shared_task(
    name="charters.charter_resignature_reminders_task",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def charter_resignature_reminders_task() -> int:
    """Charter art. 10 (X4): remind organisations that owe a signature. Run twice, sends once."""
    from .services import charter_resignature_reminders

    return len(charter_resignature_reminders())


@shared_task(
    name="charters.charter_expiry_reminders_task",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def charter_expiry_reminders_task() -> int:
    """Charter art. 10 (X1): remind the COPIL before the version in force ends."""
    from .services import charter_expiry_reminders

    return len(charter_expiry_reminders())
