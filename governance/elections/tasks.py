"""Celery tasks of elections and the COPIL's composition: thin, idempotent, retried; the
services do the work and are imported inside the task (ARCHITECTURE §6: the services
import this module to queue the tasks)."""

from celery import shared_task


@shared_task(
    name="governance.election_announcement_send_task",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def election_announcement_send_task(election_id: int, previous_date: str | None = None) -> int:
    """Charter art. 6.2 (V9): e-mail the announcement to the members. Run twice, sends once.
    ``previous_date`` (ISO) when the election was moved from that day and announced again."""
    from governance.elections.services import election_announcement_send

    return election_announcement_send(election_id=election_id, previous_date=previous_date)


@shared_task(
    name="governance.copil_roles_sync_task",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def copil_roles_sync_task() -> dict:
    """Charter art. 6 (G1, V3), every day: the mandates of organisations no longer members
    end, and the COPIL role and the admin follow the mandates running today (terms that
    start or end on a date). Idempotent."""
    from governance.elections.services import copil_roles_daily

    return copil_roles_daily()
