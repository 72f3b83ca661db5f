"""Celery tasks of the governance app: thin, idempotent, retried; services do the work."""

from celery import shared_task

# --- Elections (art. 6) ---


@shared_task(
    name="governance.election_announcement_send_task",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def election_announcement_send_task(election_id: int) -> int:
    """Charter art. 6.2 (V9): e-mail the announcement to the members. Run twice, sends once."""
    from governance.services.elections import election_announcement_send

    return election_announcement_send(election_id=election_id)


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
    bind=True,
    name="governance.announcement_deliveries_send_task",
    max_retries=5,
)
def announcement_deliveries_send_task(self, announcement_id: int) -> int:
    """Send an announcement's deliveries not sent yet. Run twice, sends each once;
    failed ones are retried with backoff (1, 2, 4, 8, 16 minutes) and stay in the log."""
    from governance.services.announcements import announcement_deliveries_send

    sent, failed = announcement_deliveries_send(announcement_id=announcement_id)
    if failed and not self.request.is_eager:
        raise self.retry(countdown=60 * 2**self.request.retries)
    return sent
