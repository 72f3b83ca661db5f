"""The reminder task through a real Celery worker and Redis broker (REDIS_URL)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from charters.models import ResignatureReminder
from charters.tasks import charter_resignature_reminders_task
from tests.charters.factories import CharterVersionFactory, signatory
from tests.charters.test_signatures import sign
from tests.members.factories import member_organisation


@pytest.mark.integration
@pytest.mark.rule("X4")
def test_resignature_reminders_through_the_worker(celery_live_worker, purge_signatures):
    today = timezone.localdate()
    version = CharterVersionFactory(
        label="V2 R001", effective_date=today - datetime.timedelta(days=1)
    )
    owing = signatory(member_organisation())
    signed = signatory(member_organisation())
    sign(signed, version, now=timezone.now().replace(microsecond=0))

    assert charter_resignature_reminders_task.delay().get(timeout=30) == 1
    # Idempotent: the same step is never sent twice, even by a second run of the worker.
    assert charter_resignature_reminders_task.delay().get(timeout=30) == 0

    (reminder,) = ResignatureReminder.objects.all()
    assert reminder.organisation == owing.organisation
    assert reminder.step == 1
    assert [m.to for m in mail.outbox] == [[owing.user.email]]
