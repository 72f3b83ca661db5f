"""Queuing tasks: after commit, into the outbox when Redis is down, re-sent when it is back."""

import pathlib
import re
import time

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction

from core.emails import email_enqueue
from core.models import OutboxJob
from core.queue import outbox_flush, task_enqueue
from core.tasks import email_send_task, outbox_flush_task
from cos_portal.celery import app

ROOT = pathlib.Path(__file__).resolve().parents[2]
PORTAL_APPS = ("activities", "charters", "cos_portal", "governance", "members")


def portal_tasks() -> dict:
    app.loader.import_default_modules()  # the tasks modules of every installed app
    return {name: task for name, task in app.tasks.items() if name.startswith(PORTAL_APPS)}


def message(to="a@exemple.fr"):
    return {
        "kind": "minutes_request",
        "subject": "Objet",
        "body": "Texte",
        "to": [to],
        "html": "<p>Texte</p>",
    }


@pytest.mark.django_db
def test_a_task_is_published_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        task_enqueue(email_send_task, {**message(), "attachments": []})
    assert mail.outbox == []  # nothing while the transaction is open
    assert len(callbacks) == 1

    callbacks[0]()

    assert [m.to for m in mail.outbox] == [["a@exemple.fr"]]
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    assert not OutboxJob.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_transaction_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        email_enqueue(**message())
        transaction.set_rollback(True)
    assert callbacks == []
    assert mail.outbox == []


@pytest.mark.django_db
def test_broker_down_keeps_the_job_in_the_outbox(
    celery_broker_down, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        email_enqueue(kind="minutes_request", subject="Objet", body="Texte", to=["a@exemple.fr"])

    assert time.monotonic() - started < 5  # short publish retries: the request does not hang
    job = OutboxJob.objects.get()
    assert job.task_name == "cos_portal.email_send_task"
    assert job.args[0]["to"] == ["a@exemple.fr"]
    assert job.attempts == 1
    assert job.last_error.startswith("OperationalError")
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_outbox_waits_while_the_broker_is_down_and_sends_once_it_is_back(
    celery_broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email_enqueue(kind="minutes_request", subject="Un", body="Texte", to=["a@exemple.fr"])
        email_enqueue(kind="minutes_request", subject="Deux", body="Texte", to=["b@exemple.fr"])
    assert OutboxJob.objects.count() == 2

    assert outbox_flush() == 0  # still down: the first job counts one more attempt
    assert sorted(OutboxJob.objects.values_list("attempts", flat=True)) == [1, 2]

    celery_broker_down()  # the broker is back (eager here: the task runs at once)
    assert outbox_flush_task.delay().get() == 2

    assert sorted(m.subject for m in mail.outbox) == ["Deux", "Un"]
    assert not OutboxJob.objects.exists()
    assert outbox_flush() == 0  # nothing is published twice


@pytest.mark.django_db
def test_an_unknown_task_stays_in_the_outbox_with_its_error():
    from django.utils import timezone

    now = timezone.now()
    OutboxJob.objects.create(task_name="gone.task", created_at=now, last_attempt_at=now)

    assert outbox_flush() == 0

    job = OutboxJob.objects.get()
    assert (job.attempts, job.last_error) == (2, "unknown task gone.task")


def test_no_countdown_or_retry_backoff_exceeds_the_visibility_timeout():
    """With acks_late, Redis hands an unacknowledged task to another worker after the
    visibility timeout: a longer countdown or retry delay would run the task twice."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility == settings.REDIS_VISIBILITY_TIMEOUT
    tasks = portal_tasks()
    assert "cos_portal.outbox_flush_task" in tasks
    for name, task in tasks.items():
        # Options Celery sets on the task only when given (defaults: 600 s, 180 s).
        if getattr(task, "retry_backoff", False):
            longest = getattr(task, "retry_backoff_max", 600)
        else:
            longest = task.default_retry_delay
        assert longest < visibility, name
    # The deadline engine's retry delays (core/deadlines.py).
    from core.deadlines import reminder_backoff

    assert all(reminder_backoff(attempts) < visibility for attempts in range(1, 20))
    # Countdowns and ETAs written in the code.
    pattern = re.compile(r"\b(?:countdown|retry_backoff_max|default_retry_delay)\s*=\s*(\d+)")
    for app_name in PORTAL_APPS:
        for path in (ROOT / app_name).rglob("*.py"):
            for value in pattern.findall(path.read_text(encoding="utf-8")):
                assert int(value) < visibility, path
            assert "eta=" not in path.read_text(encoding="utf-8"), path


def test_tasks_safe_to_rerun_are_acknowledged_late_and_requeued_if_the_worker_dies():
    for name, task in portal_tasks().items():
        if name == "cos_portal.email_send_task":
            # An e-mail sent cannot be unsent: a lost worker must not send it again.
            assert (task.acks_late, task.reject_on_worker_lost) == (False, False)
            continue
        assert task.acks_late, name
        assert task.reject_on_worker_lost, name


def test_the_outbox_is_flushed_every_minute(db):
    from django_celery_beat.models import PeriodicTask

    periodic = PeriodicTask.objects.get(task="cos_portal.outbox_flush_task")
    assert periodic.enabled
    assert (periodic.interval.every, periodic.interval.period) == (1, "minutes")


@pytest.mark.integration
def test_the_outbox_is_re_sent_through_the_worker_once_redis_is_back(
    celery_live_worker, celery_broker_down
):
    email_enqueue(kind="minutes_request", subject="Attendu", body="Texte", to=["a@exemple.fr"])
    assert OutboxJob.objects.count() == 1

    celery_broker_down(eager=False)  # the real Redis broker answers again
    assert outbox_flush_task.delay().get(timeout=30) == 1

    deadline = time.monotonic() + 30
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [m.subject for m in mail.outbox] == ["Attendu"]
    assert not OutboxJob.objects.exists()


def test_a_silent_mail_server_is_given_up_long_before_a_batch_lease_ends():
    """A run still waiting on SMTP when its lease ends would see its e-mails taken over by
    another run and sent twice: the SMTP timeout is a small part of the lease."""
    from django.core.mail import get_connection

    assert settings.EMAIL_TIMEOUT * 10 <= settings.JOB_LEASE_SECONDS
    smtp = get_connection("django.core.mail.backends.smtp.EmailBackend")
    assert smtp.timeout == settings.EMAIL_TIMEOUT
