"""The election announcement through a real Celery worker and Redis broker (REDIS_URL)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from governance.elections import services
from governance.elections.tasks import election_announcement_send_task
from governance.models import Election
from tests.governance.elections.factories import (
    PARIS,
    commission_member,
    member_rep,
    plenary,
    seat_holder,
)


@pytest.mark.integration
@pytest.mark.rule("V9")
def test_v9_the_announcement_is_sent_once_through_the_worker(celery_live_worker):
    today = timezone.localdate()
    election_day = services.first_allowed_date(announced_on=today)
    noon = datetime.time(14, 0, tzinfo=PARIS)
    plenary(datetime.datetime.combine(today + datetime.timedelta(days=7), noon))
    target = plenary(datetime.datetime.combine(election_day, noon))
    seat_holder(1, start=election_day - datetime.timedelta(days=730))
    members = [member_rep() for _ in range(2)]
    election = services.election_create(plenary=target, title="Élection", actor=commission_member())
    Election.objects.filter(pk=election.pk).update(status="announced", announced_at=timezone.now())
    mail.outbox.clear()

    assert election_announcement_send_task.delay(election.pk).get(timeout=30) == 3
    # Idempotent: a second run sends nothing.
    assert election_announcement_send_task.delay(election.pk).get(timeout=30) == 0

    recipients = sorted(m.to[0] for m in mail.outbox)
    assert len(recipients) == 3
    assert {r.user.email for r in members} <= set(recipients)
