"""Celery tasks of charter revision: thin, idempotent, retried; the services do the work
and are imported inside the task."""

from celery import shared_task


@shared_task(
    name="governance.revision_petitions_check_task",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def revision_petitions_check_task() -> int:
    """Charter art. 10 (X2): recount open petitions against the current members (membership
    changes move the threshold); the COPIL is notified once. Run twice, notifies once."""
    from governance.revisions.services import revision_petitions_check

    return revision_petitions_check()
