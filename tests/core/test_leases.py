"""Leases on rows of work (core/leases.py): claim, renew, complete, release."""

import datetime

import pytest
from django.utils import timezone
from freezegun import freeze_time

from core.leases import Lease, lease_seconds
from core.models import Reminder
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 20, 8, 0, tzinfo=datetime.UTC)


def reminders(count: int) -> list[Reminder]:
    return [
        Reminder.objects.create(
            deadline_key=f"k{n}",
            kind="tests.required",
            recipient=UserFactory(),
            offset=0,
            due=NOW.date(),
            act_url="/",
            created_at=NOW,
        )
        for n in range(count)
    ]


def pending():
    return Reminder.objects.filter(status="pending")


def test_a_claim_takes_free_and_expired_rows_in_one_query(django_assert_num_queries, settings):
    settings.JOB_LEASE_SECONDS = 60
    free, expired, held, sent = reminders(4)
    Reminder.objects.filter(pk=expired.pk).update(
        claimed_by="dead", claimed_until=NOW - datetime.timedelta(seconds=1)
    )
    Reminder.objects.filter(pk=held.pk).update(
        claimed_by="alive", claimed_until=NOW + datetime.timedelta(seconds=1)
    )
    Reminder.objects.filter(pk=sent.pk).update(status="sent")
    lease = Lease(Reminder)
    assert lease_seconds() == lease.seconds == 60

    with freeze_time(NOW), django_assert_num_queries(1):
        assert lease.claim(pending()) == 2

    assert set(lease.held().values_list("pk", flat=True)) == {free.pk, expired.pk}
    assert set(lease.held().values_list("claimed_until", flat=True)) == {
        NOW + datetime.timedelta(seconds=60)
    }
    assert Reminder.objects.get(pk=held.pk).claimed_by == "alive"
    with freeze_time(NOW):
        assert Lease(Reminder).claim(pending()) == 0  # nothing left to take


def test_a_row_released_for_a_retry_waits_except_for_its_retry():
    (row,) = reminders(1)
    lease = Lease(Reminder)
    with freeze_time(NOW):
        lease.claim(pending())
        later = NOW + datetime.timedelta(minutes=4)
        assert lease.release(row.pk, until=later, attempts=2)
        assert Lease(Reminder).claim(pending()) == 0
        retry = Lease(Reminder)
        assert retry.claim(pending().filter(pk=row.pk), released_for_retry=True) == 1
        # Once taken, not even a second retry gets it.
        assert Lease(Reminder).claim(pending(), released_for_retry=True) == 0
    assert Reminder.objects.get().attempts == 2


def test_only_the_holder_completes_renews_or_releases():
    first, second = reminders(2)
    mine, other = Lease(Reminder), Lease(Reminder)
    with freeze_time(NOW):
        mine.claim(pending().filter(pk=first.pk))
        other.claim(pending().filter(pk=second.pk))
        assert not mine.complete(second.pk, status="sent")
        assert mine.complete(first.pk, status="sent", sent_at=timezone.now())
        assert not mine.complete(first.pk, status="sent")  # no longer held
    with freeze_time(NOW + datetime.timedelta(seconds=30)):
        assert other.renew() == 1
        assert mine.renew() == 0
    assert Reminder.objects.get(pk=second.pk).claimed_until == NOW + datetime.timedelta(
        seconds=30 + lease_seconds()
    )
    assert (
        Reminder.objects.get(pk=first.pk).claimed_by,
        Reminder.objects.get(pk=first.pk).status,
    ) == ("", "sent")
    assert other.release_all() == 1
    assert not Reminder.objects.exclude(claimed_by="").exists()


def test_a_lease_is_renewed_after_a_third_of_its_length(monkeypatch):
    reminders(1)
    clock = {"t": 1000.0}
    monkeypatch.setattr("core.leases.time.monotonic", lambda: clock["t"])
    lease = Lease(Reminder, seconds=30)
    lease.claim(pending())
    clock["t"] += 9.9
    assert lease.renew_if_due() is False
    clock["t"] += 0.1
    assert lease.renew_if_due() is True
    assert lease.renew_if_due() is False
