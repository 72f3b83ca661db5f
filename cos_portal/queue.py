"""The one way the portal queues Celery work: after commit, and never lost when Redis is down.

``task_enqueue(task, *args, **kwargs)`` publishes the task once the transaction commits
(ARCHITECTURE §5). When the broker refuses the message (Celery raises kombu's
``OperationalError`` after the short retries of CELERY_TASK_PUBLISH_RETRY_POLICY), the
job is written to the outbox table (cos_portal.models.OutboxJob) instead: the request
that queued it still succeeds, with everything the person submitted saved, and
``outbox_flush_task`` (django-celery-beat, every minute) publishes it again once the
broker answers.
"""

from __future__ import annotations

import functools
import logging

from celery import Task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import OutboxJob

logger = logging.getLogger(__name__)

# What Celery raises when the broker cannot be reached once its publish retries are spent
# (connection errors of the transport, Redis's included, are re-raised as this).
BROKER_ERRORS = (OperationalError,)
OUTBOX_BATCH = 200


def task_enqueue(task: Task, *args, countdown: int | None = None, **kwargs) -> None:
    """Queue ``task`` with JSON arguments (ids, not objects) once the transaction commits.

    Outside a transaction it is published at once. A broker that refuses the message
    sends the job to the outbox; nothing is raised to the caller. ``countdown`` (seconds,
    below the Redis visibility timeout) delays the run; a job re-sent from the outbox
    runs at once, its delay being long past.
    """
    transaction.on_commit(
        functools.partial(task_publish, task.name, list(args), dict(kwargs), countdown=countdown)
    )


def task_publish(task_name: str, args: list, kwargs: dict, *, countdown: int | None = None) -> bool:
    """Publish now; on a broker failure keep the job in the outbox. True when published."""
    try:
        _apply(task_name, args, kwargs, countdown=countdown)
    except BROKER_ERRORS as error:
        now = timezone.now()
        OutboxJob.objects.create(
            task_name=task_name,
            args=args,
            kwargs=kwargs,
            created_at=now,
            last_attempt_at=now,
            last_error=_describe(error),
        )
        logger.warning("broker unreachable, %s kept in the outbox: %s", task_name, error)
        return False
    return True


def outbox_flush(*, limit: int = OUTBOX_BATCH) -> int:
    """Publish the jobs of the outbox, oldest first; each is deleted once published.

    Stops at the first broker failure (it is still down: the next run tries again).
    Jobs are locked while published, so two runs at once never publish one job twice.
    Returns the number of jobs published.
    """
    published = 0
    for pk in list(OutboxJob.objects.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            job = OutboxJob.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if job is None:
                continue  # published by another run meanwhile
            try:
                _apply(job.task_name, job.args, job.kwargs)
            except BROKER_ERRORS as error:
                job.attempts += 1
                job.last_attempt_at = timezone.now()
                job.last_error = _describe(error)
                job.save(update_fields=["attempts", "last_attempt_at", "last_error"])
                return published
            except KeyError:
                # A task renamed or removed since: left in the table for the admin to see.
                job.attempts += 1
                job.last_attempt_at = timezone.now()
                job.last_error = f"unknown task {job.task_name}"
                job.save(update_fields=["attempts", "last_attempt_at", "last_error"])
                continue
            job.delete()
        published += 1
    return published


def _apply(task_name: str, args: list, kwargs: dict, *, countdown: int | None = None) -> None:
    from cos_portal.celery import app

    options = {"countdown": countdown} if countdown else {}
    app.tasks[task_name].apply_async(args=args, kwargs=kwargs, **options)


def _describe(error: Exception) -> str:
    return f"{error.__class__.__name__}: {error}"[:1000]
