"""Celery tasks of the governance app: thin, idempotent, retried; services do the work."""

from celery import shared_task

# --- Elections (art. 6) ---


@shared_task(
    name="governance.election_announcement_send_task",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def election_announcement_send_task(election_id: int, previous_date: str | None = None) -> int:
    """Charter art. 6.2 (V9): e-mail the announcement to the members. Run twice, sends once.
    ``previous_date`` (ISO) when the election was moved from that day and announced again."""
    from governance.services.elections import election_announcement_send

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
    from governance.services.elections import copil_roles_daily

    return copil_roles_daily()


# --- Charter revision (art. 10) ---


@shared_task(
    name="governance.revision_petitions_check_task",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def revision_petitions_check_task() -> int:
    """Charter art. 10 (X2): recount open petitions against the current members (membership
    changes move the threshold); the COPIL is notified once. Run twice, notifies once."""
    from governance.services.commissions import revision_petitions_check

    return revision_petitions_check()


# --- Announcements (S2) ---


@shared_task(
    name="governance.announcement_deliveries_send_task",
    acks_late=True,
    reject_on_worker_lost=True,
)
def announcement_deliveries_send_task(announcement_id: int) -> int:
    """Send an announcement's deliveries not sent yet. Run twice, sends each once; a failed
    one stays in the log and its next try is queued by the service (1, 2, 4, 8, 16
    minutes)."""
    from governance.services.announcements import announcement_deliveries_send

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
    from governance.services.announcements import announcement_deliveries_resume

    sent, _failed = announcement_deliveries_resume()
    return sent
