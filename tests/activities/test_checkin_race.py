"""An organiser taps a person on the page while the check-in app of another organiser
syncs its first action on the same person (A2): no error, one participation, the latest
action decides, both in the audit trail."""

import datetime
import json
import threading
import time
import uuid

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.constants import Attendance
from activities.models import CheckinAction, Participation
from core.models import AuditEntry
from members.constants import Role
from tests.members.factories import RepresentativeFactory, member_organisation

from .factories import ActivityFactory, convene, user_in


@pytest.mark.rule("A2")
def test_a_page_tap_and_an_app_sync_on_the_same_newcomer_do_not_collide(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises whole-database writes)")
    activity = ActivityFactory(starts_at=timezone.now() - datetime.timedelta(minutes=30))
    member = member_organisation(legal_name="Forge de l'Est")
    alice = RepresentativeFactory(organisation=member).user
    convene(activity, member)
    on_page, with_app = user_in(Role.ORGANISERS), user_in(Role.ORGANISERS)
    tapped, sending = threading.Event(), threading.Event()
    errors = []

    def page_tap():
        # The page's tap, in its own request (transaction): recorded, not yet committed
        # when the app's sync arrives.
        try:
            with transaction.atomic():
                services.attendance_record(
                    activity=activity, user=alice, attendance=Attendance.PRESENT, actor=on_page
                )
                tapped.set()
                sending.wait(timeout=10)
                time.sleep(1)  # the sync reaches the database meanwhile
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            tapped.set()
            connections.close_all()

    thread = threading.Thread(target=page_tap)
    thread.start()
    assert tapped.wait(timeout=10)
    client = Client(raise_request_exception=False)
    client.force_login(with_app)
    action = {
        "id": str(uuid.uuid4()),
        "at": (timezone.now() + datetime.timedelta(minutes=1)).isoformat(),  # the later one
        "offline": True,
        "person": alice.pk,
        "attendance": Attendance.EXCUSED,
    }
    sending.set()
    response = client.post(
        reverse("activities:checkin_sync", args=[activity.pk]),
        data=json.dumps({"actions": [action]}),
        content_type="application/json",
    )
    thread.join(timeout=30)

    assert errors == []
    assert response.status_code == 200, response.content[:500]
    assert [result["outcome"] for result in response.json()["results"]] == ["applied"]
    participation = Participation.objects.get(activity=activity, user=alice)
    assert (participation.attendance, participation.recorded_by_id) == (
        Attendance.EXCUSED,
        with_app.pk,
    )
    assert participation.recorded_offline is True
    assert CheckinAction.objects.filter(activity=activity).count() == 1
    assert sorted(
        AuditEntry.objects.filter(action="activities.participation.checked_in").values_list(
            "actor_id", flat=True
        )
    ) == sorted([on_page.pk, with_app.pk])
