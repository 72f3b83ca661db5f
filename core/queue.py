"""The one way the portal queues Celery work: never lost, never raised into a request.

``task_enqueue(task, *args, **kwargs)`` is a transactional outbox. With a broker (Redis),
the job is first written to the outbox table (core.models.OutboxJob) in the
caller's transaction, so the state a service records and the jobs that must follow it
are committed together or not at all; once the transaction commits, the job is
published and deleted from the outbox. When publishing fails for any reason (Redis
down, a timeout, a broken connection: Celery raises kombu's ``OperationalError`` after
the short retries of CELERY_TASK_PUBLISH_RETRY_POLICY, other errors are possible), the
job simply stays in the outbox: the request still succeeds, and ``outbox_flush_task``
(django-celery-beat, every minute) publishes it once the broker answers. A job is
locked while published, so the request and a flush never publish it twice.

In embedded mode (tasks run eagerly, no broker) there is nothing to fail: the task runs
after the commit, in the process.
"""

from __future__ import annotations

import functools
import logging

from celery import Task, current_app
from django.db import transaction
from django.utils import timezone

from .models import OutboxJob

logger = logging.getLogger(__name__)

OUTBOX_BATCH = 200


def task_enqueue(task: Task, *args, countdown: int | None = None, **kwargs) -> None:
    """Queue ``task`` with JSON arguments (ids, not objects), published after commit.

    ``countdown`` (seconds, below the Redis visibility timeout) delays the run; a job
    published later from the outbox runs at once, its delay being long past.
    """
    if _eager():
        transaction.on_commit(
            functools.partial(_apply, task.name, list(args), dict(kwargs), countdown=countdown)
        )
        return
    now = timezone.now()
    job = OutboxJob.objects.create(
        task_name=task.name,
        args=list(args),
        kwargs=dict(kwargs),
        created_at=now,
        attempts=0,
        last_attempt_at=now,
    )
    transaction.on_commit(functools.partial(_job_publish, job.pk, countdown=countdown))


def _job_publish(pk: int, *, countdown: int | None = None) -> bool:
    """After the commit: publish the job and delete it; on any failure leave it for the
    flush. Never raises: the request that queued it has already succeeded."""
    try:
        with transaction.atomic():
            job = OutboxJob.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if job is None:
                return False  # a flush holds it, or has published it already
            return _publish_locked(job, countdown=countdown)
    except Exception:  # the database itself failed: the job, if committed, waits
        logger.exception("outbox job %s left for the next flush", pk)
        return False


def _publish_locked(job: OutboxJob, *, countdown: int | None = None) -> bool:
    try:
        _apply(job.task_name, job.args, job.kwargs, countdown=countdown)
    except KeyError:
        # A task renamed or removed since: left in the table for the admin to see.
        _attempt_failed(job, f"unknown task {job.task_name}")
        return False
    except Exception as error:  # broker or transport down, timeout: retried by the flush
        _attempt_failed(job, _describe(error))
        logger.warning("broker unreachable, %s kept in the outbox: %s", job.task_name, error)
        return False
    job.delete()
    return True


def _attempt_failed(job: OutboxJob, error: str) -> None:
    job.attempts += 1
    job.last_attempt_at = timezone.now()
    job.last_error = error
    job.save(update_fields=["attempts", "last_attempt_at", "last_error"])


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
                continue  # published by another run, or by its request, meanwhile
            if _publish_locked(job):
                published += 1
            elif not job.last_error.startswith("unknown task"):
                return published
    return published


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def _apply(task_name: str, args: list, kwargs: dict, *, countdown: int | None = None) -> None:
    options = {"countdown": countdown} if countdown else {}
    current_app.tasks[task_name].apply_async(args=args, kwargs=kwargs, **options)


def _describe(error: Exception) -> str:
    return f"{error.__class__.__name__}: {error}"[:1000]
