"""The deadline engine (cos_portal/deadlines.py): offsets, recipients, once only, retries,
muting, the recipient's language, the schedule, concurrent runs, a real worker."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from cos_portal import deadlines
from cos_portal.deadlines import (
    Deadline,
    deadline_kinds,
    deadline_label,
    deadline_list,
    deadline_reminders_send,
    deadline_source,
    reminder_offset_due,
)
from cos_portal.models import Reminder, ReminderMute, ReminderStatus
from tests.members.factories import UserFactory

DUE = datetime.date(2026, 3, 20)


def at(day: datetime.date, hour: int = 8) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def sample(db):
    """Two test kinds (one required, one optional) whose deadlines the test sets."""
    from django.utils.translation import gettext_lazy as _

    items: list[Deadline] = []
    saved = dict(deadlines._REGISTRY)

    for kind, required in (("tests.required", True), ("tests.optional", False)):

        @deadline_source(kind, label=_("Échéance"), required=required)
        def source(*, start, end, kind=kind):
            return [d for d in items if d.kind == kind]

    def add(*, actors, informed=(), required=True, due=DUE, offsets=(7, 1, 0, -1), key="k1"):
        deadline = Deadline(
            key=key,
            kind="tests.required" if required else "tests.optional",
            label=deadline_label(_("Fin de la charte %(label)s"), label="V2"),
            due=due,
            act_url="/charte/signer/",
            actors=tuple(u.pk for u in actors),
            informed=tuple(u.pk for u in informed),
            offsets=offsets,
            required=required,
        )
        items.append(deadline)
        return deadline

    yield add
    deadlines._REGISTRY.clear()
    deadlines._REGISTRY.update(saved)


def test_offset_due_is_the_last_one_reached():
    offsets = (30, 7, 1, 0, -1)
    assert reminder_offset_due(offsets=offsets, due=DUE, today=DUE - datetime.timedelta(31)) is None
    assert reminder_offset_due(offsets=offsets, due=DUE, today=DUE - datetime.timedelta(30)) == 30
    assert reminder_offset_due(offsets=offsets, due=DUE, today=DUE - datetime.timedelta(8)) == 30
    assert reminder_offset_due(offsets=offsets, due=DUE, today=DUE - datetime.timedelta(7)) == 7
    assert reminder_offset_due(offsets=offsets, due=DUE, today=DUE) == 0
    assert reminder_offset_due(offsets=offsets, due=DUE, today=DUE + datetime.timedelta(1)) == -1
    assert reminder_offset_due(offsets=offsets, due=DUE, today=DUE + datetime.timedelta(2)) is None


def test_reminders_on_the_right_days_to_actors_and_informed_once(sample):
    actor, informed = UserFactory(), UserFactory()
    sample(actors=[actor], informed=[informed])
    sent_on = {}
    for delta in range(-10, 4):
        day = DUE + datetime.timedelta(days=delta)
        with freeze_time(at(day)):
            sent_on[delta] = deadline_reminders_send()
    assert {d: n for d, n in sent_on.items() if n} == {-7: 2, -1: 2, 0: 2, 1: 2}
    assert len(mail.outbox) == 8
    rows = Reminder.objects.order_by("recipient_id", "-offset")
    assert [(r.recipient_id, r.offset, r.informed_only, r.status) for r in rows] == [
        (actor.pk, 7, False, "sent"),
        (actor.pk, 1, False, "sent"),
        (actor.pk, 0, False, "sent"),
        (actor.pk, -1, False, "sent"),
        (informed.pk, 7, True, "sent"),
        (informed.pk, 1, True, "sent"),
        (informed.pk, 0, True, "sent"),
        (informed.pk, -1, True, "sent"),
    ]
    first = mail.outbox[0]
    assert first.to in ([actor.email], [informed.email])
    assert first.subject == "[COS-GE] Échéance le 20 mars 2026 : Fin de la charte V2"
    assert "http://testserver/charte/signer/" in first.body or "/charte/signer/" in first.body
    html = first.alternatives[0][0]
    assert first.alternatives[0][1] == "text/html"
    assert 'href="' in html and "/charte/signer/" in html
    actor_mail = next(m for m in mail.outbox if m.to == [actor.email])
    informed_mail = next(m for m in mail.outbox if m.to == [informed.email])
    assert "Une échéance vous attend" in actor_mail.body
    assert "Pour information" in informed_mail.body


def test_running_twice_in_a_row_sends_nothing_new(sample):
    sample(actors=[UserFactory(), UserFactory()])
    with freeze_time(at(DUE)):
        assert deadline_reminders_send() == 2
        assert deadline_reminders_send() == 0
    assert len(mail.outbox) == 2
    assert Reminder.objects.count() == 2


def test_a_missed_day_is_caught_up_with_the_latest_reminder_only(sample):
    actor = UserFactory()
    sample(actors=[actor], offsets=(30, 7, 1))
    with freeze_time(at(DUE - datetime.timedelta(days=3))):
        assert deadline_reminders_send() == 1
    assert list(Reminder.objects.values_list("offset", flat=True)) == [7]


def test_an_actor_also_informed_gets_one_reminder(sample):
    person = UserFactory()
    sample(actors=[person], informed=[person])
    with freeze_time(at(DUE)):
        assert deadline_reminders_send() == 1
    assert Reminder.objects.get().informed_only is False


def test_the_database_refuses_a_second_reminder_for_the_same_key(sample):
    from django.db import IntegrityError, transaction

    user = UserFactory()
    fields = {
        "deadline_key": "k1",
        "kind": "tests.required",
        "recipient": user,
        "offset": 0,
        "due": DUE,
        "act_url": "/",
        "created_at": timezone.now(),
        "run": "a",
    }
    Reminder.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**{**fields, "run": "b"})


def test_a_muted_optional_reminder_is_not_sent_a_required_one_is(sample):
    user = UserFactory()
    sample(actors=[user], required=False, key="optional")
    sample(actors=[user], required=True, key="required")
    ReminderMute.objects.create(user=user, kind="tests.optional")
    ReminderMute.objects.create(user=user, kind="tests.required")  # not through the service
    with freeze_time(at(DUE)):
        assert deadline_reminders_send() == 1
    assert list(Reminder.objects.values_list("deadline_key", flat=True)) == ["required"]


def test_a_required_kind_cannot_be_muted(sample):
    user = UserFactory()
    muted = deadlines.reminder_preferences_set(user=user, received_kinds=[])
    assert "tests.optional" in muted
    assert "tests.required" not in muted
    assert not ReminderMute.objects.filter(user=user, kind="tests.required").exists()
    preferences = {p["kind"]: p for p in deadlines.reminder_preferences(user=user)}
    assert preferences["tests.required"]["receives"] is True
    assert preferences["tests.optional"]["receives"] is False


def test_preferences_page_mutes_optional_kinds_only(sample, client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("reminder_preferences")
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="tests.optional" checked' in body
    assert 'value="tests.required"' not in body  # shown disabled, not submittable
    response = client.post(url, {"kind": ["tests.required", "unknown.kind"]})
    assert response.status_code == 302
    assert set(ReminderMute.objects.filter(user=user).values_list("kind", flat=True)) >= {
        "tests.optional"
    }
    assert not ReminderMute.objects.filter(kind__in=["tests.required", "unknown.kind"]).exists()
    client.post(url, {"kind": ["tests.optional"]})
    assert not ReminderMute.objects.filter(user=user, kind="tests.optional").exists()


def test_preferences_page_needs_a_login(client, db):
    response = client.get(reverse("reminder_preferences"))
    assert response.status_code == 302
    assert "/comptes/" in response["Location"]


def test_an_english_user_gets_an_english_email(sample):
    english = UserFactory(language="en")
    french = UserFactory()
    sample(actors=[english, french])
    with freeze_time(at(DUE - datetime.timedelta(days=7))):
        deadline_reminders_send()
    by_to = {m.to[0]: m for m in mail.outbox}
    assert by_to[english.email].subject == "[COS-GE] Deadline on 20 March 2026: End of charter V2"
    assert "in 7 days" in by_to[english.email].body
    assert by_to[french.email].subject == "[COS-GE] Échéance le 20 mars 2026 : Fin de la charte V2"
    assert "dans 7 jours" in by_to[french.email].body


def test_a_failing_send_is_retried_then_failed_and_visible_in_the_admin(
    sample, monkeypatch, admin_client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    sample(actors=[user])
    calls = []

    def broken_send(self, fail_silently=False):
        calls.append(self.to)
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)
    with freeze_time(at(DUE)), django_capture_on_commit_callbacks(execute=True):
        assert deadline_reminders_send() == 0
    reminder = Reminder.objects.get()
    # The engine's try, then the retry task's (eager here) until the cap.
    assert len(calls) == deadlines.REMINDER_MAX_ATTEMPTS
    assert reminder.status == ReminderStatus.FAILED
    assert reminder.attempts == deadlines.REMINDER_MAX_ATTEMPTS
    assert "SMTP down" in reminder.last_error

    changelist = reverse("admin:cos_portal_reminder_changelist")
    page = admin_client.get(changelist, {"status__exact": "failed"})
    assert page.status_code == 200
    assert "k1" in page.content.decode()

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            changelist, {"action": "resend", "_selected_action": [reminder.pk]}
        )
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT
    assert len(mail.outbox) == 1


def test_backoff_stays_below_the_visibility_timeout(settings):
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    delays = [deadlines.reminder_backoff(n) for n in range(1, 10)]
    assert delays[:3] == [60, 240, 960]
    assert all(0 < d < timeout for d in delays)


def test_engine_tasks_are_safe_to_rerun():
    from cos_portal.tasks_reminders import deadline_reminders_send_task, reminder_send_task

    for task in (deadline_reminders_send_task, reminder_send_task):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True


def test_deadline_list_filters_by_window_kind_and_person(sample):
    actor, other = UserFactory(), UserFactory()
    sample(actors=[actor], key="a", due=DUE)
    sample(actors=[other], informed=[actor], key="b", due=DUE + datetime.timedelta(days=1))
    sample(actors=[other], key="c", due=DUE + datetime.timedelta(days=40), required=False)
    window = {"start": DUE, "end": DUE + datetime.timedelta(days=30)}
    assert [d.key for d in deadline_list(**window)] == ["a", "b"]
    assert [d.key for d in deadline_list(**window, user_id=actor.pk)] == ["a", "b"]
    assert [d.key for d in deadline_list(**window, user_id=other.pk)] == ["b"]
    assert deadline_list(**window, kinds=["tests.optional"]) == []
    assert {"tests.required", "tests.optional"} <= set(deadline_kinds())


def test_every_app_registers_its_kinds(db):
    assert {
        "charters.resignature",
        "charters.version_end",
        "members.exclusion_response",
        "members.agreement_notice",
        "members.agreement_renewal",
        "members.invitation_expiry",
        "members.invitation_acceptance",
        "members.no_representative",
        "members.proof_request",
        "activities.attendance_threshold",
        "governance.election_announcement",
        "governance.candidacy_deadline",
        "governance.proxy_validation",
        "governance.election_needed",
        "governance.commission_end",
        "governance.minutes_request",
    } <= set(deadline_kinds())


def test_the_engine_is_scheduled_daily_and_the_old_reminder_tasks_are_gone(db):
    from django_celery_beat.models import PeriodicTask

    from cos_portal.celery import app

    task = PeriodicTask.objects.get(task="cos_portal.deadline_reminders_send_task")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("8", "0")
    assert str(task.crontab.timezone) == "Europe/Paris"
    assert "cos_portal.deadline_reminders_send_task" in app.tasks
    old = {
        "charters.charter_resignature_reminders_task",
        "charters.charter_expiry_reminders_task",
        "members.agreement_notice_reminders_task",
    }
    assert not PeriodicTask.objects.filter(task__in=old).exists()
    assert not old & set(app.tasks)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_once(sample):
    from django.db import connections

    people = [UserFactory() for _ in range(20)]
    sample(actors=people)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(deadline_reminders_send(now=at(DUE)))
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results)[1] + sorted(results)[0] == 20
    assert len(mail.outbox) == 20
    assert Reminder.objects.filter(status="sent").count() == 20


@pytest.mark.integration
def test_engine_runs_through_a_real_worker(celery_live_worker, sample):
    from cos_portal.tasks_reminders import deadline_reminders_send_task

    sample(actors=[UserFactory(), UserFactory()], due=timezone.localdate())
    assert deadline_reminders_send_task.delay().get(timeout=30) == 2
    assert deadline_reminders_send_task.delay().get(timeout=30) == 0
    assert Reminder.objects.filter(status="sent").count() == 2


def test_an_inactive_account_is_not_written_to_nor_retried(sample):
    active, closed = UserFactory(), UserFactory(is_active=False)
    sample(actors=[active, closed])
    with freeze_time(at(DUE)):
        assert deadline_reminders_send() == 1
    assert [m.to for m in mail.outbox] == [[active.email]]
    assert Reminder.objects.get(recipient=closed).status == ReminderStatus.FAILED
    assert Reminder.objects.get(recipient=active).status == ReminderStatus.SENT
