"""A worker killed (SIGKILL) in the middle of an e-mail batch: another one finishes it.

The batch is the deadline engine's reminders, then an announcement's deliveries. The mail
server holds the 16th message unanswered, the worker sending it is killed, the held
message is refused (451: never delivered). A new worker starts; once the dead run's lease
has expired, the work is resumed (the engine's task delivered again, as Redis does after
its visibility timeout, or the periodic resume task, sent as django-celery-beat sends it)
and every e-mail has been received exactly once, every row marked sent.
"""

import datetime
import time
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Reminder
from tests.charters.factories import CharterVersionFactory, signatory
from tests.members.factories import member_organisation

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 3
HELD_AFTER = 15


def wait_until(condition, *, timeout: float, message) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    assert condition(), message()


def resignatures_owed(count: int) -> list[str]:
    """A charter version in force since yesterday that nobody signed (X4): each of
    ``count`` members' signatory gets a reminder today. Returns their addresses."""
    CharterVersionFactory(
        label="V9 R001", effective_date=timezone.localdate() - datetime.timedelta(1)
    )
    return [signatory(member_organisation()).user.email for _ in range(count)]


def kill_mid_batch(smtp_server, worker) -> float:
    """Wait for the held message, kill the worker, refuse the held message; the time of
    the kill (the dead run's lease ends at most LEASE_SECONDS after it)."""
    try:
        smtp_server.wait_held(1, timeout=40)
    except TimeoutError as error:
        raise AssertionError(f"{error}\n{worker.log()[-4000:]}") from None
    worker.kill()
    killed_at = time.monotonic()
    smtp_server.release()
    return killed_at


def after_the_lease(killed_at: float) -> None:
    time.sleep(max(0.0, killed_at + LEASE_SECONDS + 0.5 - time.monotonic()))


@pytest.mark.parametrize("resume", ["engine run delivered again", "periodic resume"])
def test_reminders_of_a_killed_worker_are_sent_once_by_the_next(
    resume, redis_server, smtp_server, celery_worker_process, celery_publishing_to
):
    from core.queue import task_enqueue
    from core.tasks_reminders import deadline_reminders_send_task
    from cos_portal.celery import app

    addresses = resignatures_owed(40)
    broker = redis_server.url(0)
    celery_publishing_to(broker)
    smtp_server.hold_after(HELD_AFTER)
    env = {"JOB_LEASE_SECONDS": str(LEASE_SECONDS)}
    first = celery_worker_process(broker_url=broker, env=env)

    task_enqueue(deadline_reminders_send_task)
    killed_at = kill_mid_batch(smtp_server, first)
    assert len(smtp_server.messages) == HELD_AFTER
    second = celery_worker_process(broker_url=broker, env=env)
    after_the_lease(killed_at)
    if resume == "periodic resume":
        app.send_task("cos_portal.reminders_resume_task")
    else:
        task_enqueue(deadline_reminders_send_task)

    total = Reminder.objects.count()
    assert total == len(addresses)
    wait_until(
        lambda: (
            len(smtp_server.messages) >= total
            and not Reminder.objects.exclude(status="sent").exists()
        ),
        timeout=30,
        message=lambda: (
            f"{len(smtp_server.messages)} of {total} received, "
            f"{Reminder.objects.exclude(status='sent').count()} not marked sent\n"
            f"{second.log()[-4000:]}"
        ),
    )
    time.sleep(1)  # nothing more arrives
    received = Counter(
        (recipient, message["Subject"])
        for message in smtp_server.messages
        for recipient in message.envelope_recipients
    )
    assert sorted(recipient for recipient, _subject in received) == sorted(addresses)
    assert set(received.values()) == {1}, [k for k, n in received.items() if n > 1]
    rows = list(Reminder.objects.values_list("status", "sent_at", "claimed_until"))
    assert {status for status, _sent_at, _until in rows} == {"sent"}
    assert all(sent_at is not None and until is None for _status, sent_at, until in rows)


def test_an_announcement_of_a_killed_worker_is_delivered_once_by_the_next(
    client, redis_server, smtp_server, celery_worker_process, celery_publishing_to
):
    from cos_portal.celery import app
    from governance.models import Announcement, AnnouncementDelivery, DeliveryStatus
    from tests.governance.commissions.factories import copil_user, member_rep

    copil = copil_user()
    addresses = sorted(member_rep().user.email for _ in range(30))
    broker = redis_server.url(0)
    celery_publishing_to(broker)
    smtp_server.hold_after(HELD_AFTER)
    env = {"JOB_LEASE_SECONDS": str(LEASE_SECONDS)}
    first = celery_worker_process(broker_url=broker, env=env)

    client.force_login(copil)
    response = client.post(
        reverse("announcements:create"),
        {
            "subject": "Plénière de mars",
            "body": "Elle se tiendra à Metz.",
            "to_members_partners": "on",
        },
    )
    assert response.status_code == 302
    announcement = Announcement.objects.get()
    response = client.post(reverse("announcements:send", kwargs={"pk": announcement.pk}))
    assert response.status_code == 302
    killed_at = kill_mid_batch(smtp_server, first)
    assert len(smtp_server.messages) == HELD_AFTER
    second = celery_worker_process(broker_url=broker, env=env)
    after_the_lease(killed_at)
    app.send_task("governance.announcement_deliveries_resume_task")

    deliveries = AnnouncementDelivery.objects.filter(announcement=announcement)
    assert sorted(deliveries.values_list("email", flat=True)) == addresses
    wait_until(
        lambda: (
            len(smtp_server.messages) >= len(addresses)
            and not deliveries.exclude(status=DeliveryStatus.SENT).exists()
        ),
        timeout=30,
        message=lambda: (
            f"{len(smtp_server.messages)} of {len(addresses)} received, "
            f"{deliveries.exclude(status=DeliveryStatus.SENT).count()} not marked sent\n"
            f"{second.log()[-4000:]}"
        ),
    )
    time.sleep(1)  # nothing more arrives
    received = Counter(
        recipient for message in smtp_server.messages for recipient in message.envelope_recipients
    )
    assert sorted(received) == addresses
    assert set(received.values()) == {1}, [k for k, n in received.items() if n > 1]
    assert all(m["Subject"] == "[COS-GE] Plénière de mars" for m in smtp_server.messages)
    rows = list(deliveries.values_list("status", "sent_at", "claimed_until"))
    assert {status for status, _sent_at, _until in rows} == {DeliveryStatus.SENT}
    assert all(sent_at is not None and until is None for _status, sent_at, until in rows)
