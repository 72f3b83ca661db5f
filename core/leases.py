"""Leases on rows of work (core.models.LeasedJob): batches that survive worker death.

A run (the deadline engine, an announcement's deliveries, a retry) claims the rows it will
send in ONE UPDATE: a row is claimable when it is pending and its lease is empty or
expired. The claim writes the run's id (``claimed_by``) and the end of its lease
(``claimed_until``, now + JOB_LEASE_SECONDS); the run then reads the rows it holds, sends
them one by one, and closes each row right after its own send with one UPDATE
conditioned on still holding it. No row lock is held during SMTP.

A worker killed in the middle of a batch (SIGKILL, out of memory, a lost machine) leaves
its rows claimed until their lease ends; the next run, or the periodic resume task, then
takes them over. Two runs at once never claim one row twice: on PostgreSQL the claim
locks the rows it updates and skips those another claim holds (SKIP LOCKED), and a row
claimed meanwhile no longer matches; SQLite runs one write at a time.

The lease is renewed while a long batch goes on (every third of its length), so a run
that is slow, not dead, keeps its rows. One send must end well within the lease: a
worker stuck longer on one message loses its rows to the next run, which may send that
message again (EMAIL_TIMEOUT, when set, bounds the wait on the mail server).
"""

from __future__ import annotations

import datetime
import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

__all__ = ["Lease", "lease_seconds"]

logger = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 600


def lease_seconds() -> int:
    """How long a claim holds a row (JOB_LEASE_SECONDS)."""
    return int(getattr(settings, "JOB_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


class Lease:
    """One run's hold on rows of ``model`` (a LeasedJob): claim, renew, complete, release.

    Times are the wall clock (``timezone.now()``), never a service's ``now``: a lease
    measures how long a worker may be silent, not a date of the charter.
    """

    def __init__(self, model: type[Model], *, seconds: int | None = None) -> None:
        self.model = model
        self.run = uuid.uuid4().hex
        self.seconds = seconds or lease_seconds()
        self._renewed = time.monotonic()

    def __repr__(self) -> str:
        return f"<Lease {self.model._meta.label} {self.run}>"

    def _until(self) -> datetime.datetime:
        return timezone.now() + datetime.timedelta(seconds=self.seconds)

    def claim(self, pending: QuerySet, *, released_for_retry: bool = False) -> int:
        """Claim the rows of ``pending`` whose lease is empty or expired, in ONE UPDATE;
        returns how many this run now holds.

        ``released_for_retry``: also a row released until its next try (``claimed_by``
        empty, ``claimed_until`` ahead): the retry task queued for that try takes it when
        its message arrives, even a little early.
        """
        now = timezone.now()
        free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
        if released_for_retry:
            free |= Q(claimed_by="")
        claimable = pending.filter(free)
        # The rows are locked by the subquery, skipping those a concurrent claim holds:
        # two claims never wait for each other, never deadlock, never take one row twice.
        locked = claimable.order_by().select_for_update(skip_locked=True).values("pk")
        with transaction.atomic(using=pending.db, savepoint=False):
            claimed = claimable.filter(pk__in=locked).update(
                claimed_by=self.run, claimed_until=self._until()
            )
        self._renewed = time.monotonic()
        return claimed

    def held(self) -> QuerySet:
        """The rows this run holds."""
        return self.model._default_manager.filter(claimed_by=self.run)

    def renew(self) -> int:
        """Push back the end of the lease on every row this run still holds (one UPDATE)."""
        self._renewed = time.monotonic()
        return self.held().update(claimed_until=self._until())

    def renew_if_due(self) -> bool:
        """Renew once a third of the lease has gone by: a long batch keeps its rows."""
        if time.monotonic() - self._renewed < self.seconds / 3:
            return False
        self.renew()
        return True

    def complete(self, pk, **fields) -> bool:
        """Record the outcome of one row (e.g. sent) and end the claim, in one UPDATE, only
        if this run still holds it; False when the lease was lost (another run took the
        row over after the lease expired)."""
        return bool(self.held().filter(pk=pk).update(claimed_by="", claimed_until=None, **fields))

    def release(self, pk, *, until: datetime.datetime | None = None, **fields) -> bool:
        """Give one row back, with ``fields`` (attempts, error...): claimable again at once,
        or from ``until`` (the time of its next try)."""
        return bool(self.held().filter(pk=pk).update(claimed_by="", claimed_until=until, **fields))

    def release_all(self, **fields) -> int:
        """Give back every row this run still holds (one UPDATE)."""
        return self.held().update(claimed_by="", claimed_until=None, **fields)

    def deliver(
        self,
        pk,
        send: Callable[[], object],
        *,
        attempts: int,
        max_attempts: int,
        backoff: Callable[[int], int],
        sent_status: str,
        failed_status: str,
        sent_at: datetime.datetime | None = None,
    ) -> tuple[bool, int | None]:
        """Send one held row's e-mail (a core.models.LeasedEmail; ``send()`` is its
        ``attempts``-th try) and record the outcome: sent, or, when the mail server refuses
        or cannot be reached, failed and released until its next try ``backoff(attempts)``
        seconds later while tries remain. Returns whether it was sent, and the countdown of
        the retry to queue, if any."""
        try:
            send()
        except OSError as error:  # SMTP refused or unreachable: kept for a retry
            retry = attempts < max_attempts
            countdown = backoff(attempts)
            released = self.release(
                pk,
                until=timezone.now() + datetime.timedelta(seconds=countdown) if retry else None,
                status=failed_status,
                attempts=attempts,
                last_error=f"{error.__class__.__name__}: {error}"[:1000],
            )
            return False, countdown if retry and released else None
        if not self.complete(
            pk,
            status=sent_status,
            sent_at=sent_at or timezone.now(),
            attempts=attempts,
            last_error="",
        ):
            logger.warning("%s %s sent after its lease was taken over", self.model._meta.label, pk)
        return True, None
