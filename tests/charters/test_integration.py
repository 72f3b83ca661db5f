"""The re-signature reminders through the deadline engine, a real Celery worker and Redis."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from core.models import Reminder
from core.tasks_reminders import deadline_reminders_send_task
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

    assert deadline_reminders_send_task.delay().get(timeout=30) == 1
    # Idempotent: the same step is never sent twice, even by a second run of the worker.
    assert deadline_reminders_send_task.delay().get(timeout=30) == 0

    (reminder,) = Reminder.objects.all()
    assert reminder.deadline_key == f"charters.resignature:{version.pk}:org:{owing.organisation.pk}"
    assert reminder.recipient == owing.user
    assert reminder.offset == 90  # the first step: the day the signature became owed
    assert reminder.status == "sent"
    reminders = [m for m in mail.outbox if "Signer la charte V2 R001" in m.subject]
    assert [m.to for m in reminders] == [[owing.user.email]]
