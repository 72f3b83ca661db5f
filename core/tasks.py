"""Cross-cutting Celery tasks: the outbox re-send and the e-mail sender. Thin, idempotent."""

from celery import shared_task


@shared_task(name="cos_portal.outbox_flush_task")
def outbox_flush_task() -> int:
    """Every minute (django-celery-beat): publish the jobs the broker refused while it was
    down. A job is deleted once published, so a second run publishes nothing again."""
    from .queue import outbox_flush

    return outbox_flush()


# Not acks_late: a worker lost after the SMTP server took the message would send it
# again, and an e-mail is the one thing a re-run cannot undo.
@shared_task(
    name="cos_portal.email_send_task",
    acks_late=False,
    reject_on_worker_lost=False,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def email_send_task(message: dict) -> int:
    """Send one e-mail already written in its recipient's language (core/emails.py)."""
    from . import emails  # emails queues this task: the module is read at call time

    return emails.email_send(message)
