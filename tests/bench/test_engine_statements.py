"""What the engine's benchmark counts (bench/deadlines.py): of a pass's statements, the
UPDATE marking each reminder sent and the renewal of the run's lease (one per third of
the lease a long pass lasts, by the clock) are told apart from the queries that find,
record and claim the reminders, whose number must not depend on the data."""

import pytest
from django.db import connection

from bench.deadlines import Statements, _marks_sent, _renews_lease
from core.leases import Lease
from core.models import Reminder
from tests.core.test_leases import pending, reminders

pytestmark = pytest.mark.django_db


def test_the_lease_renewal_and_the_sent_mark_are_told_apart_from_the_claim():
    first, _second = reminders(2)
    lease = Lease(Reminder)

    with Statements(connection) as claim:
        assert lease.claim(pending()) == 2
    with Statements(connection) as renew:
        assert lease.renew() == 2
    with Statements(connection) as sent:
        assert lease.complete(first.pk, status="sent", sent_at=first.created_at)

    assert [(_renews_lease(sql), _marks_sent(sql)) for sql in claim] == [(False, False)] * len(
        claim
    )
    assert [(_renews_lease(sql), _marks_sent(sql)) for sql in renew] == [(True, False)]
    assert [(_renews_lease(sql), _marks_sent(sql)) for sql in sent] == [(False, True)]
