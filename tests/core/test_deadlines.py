"""The deadline engine (core/deadlines.py): offsets, recipients, once only, retries,
muting, the recipient's language, the schedule, concurrent runs, a worker killed in the
middle of a batch, a real worker."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from core import deadlines
from core.deadlines import (
    Deadline,
    deadline_kinds,
    deadline_label,
    deadline_list,
    deadline_reminders_send,
    deadline_source,
    reminder_offset_due,
    reminders_resume,
)
from core.models import Reminder, ReminderMute, ReminderStatus
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
    }
    Reminder.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**{**fields, "claimed_by": "b"})


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
    from core.tasks_reminders import deadline_reminders_send_task, reminder_send_task

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
    from core.tasks_reminders import deadline_reminders_send_task

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


# --- A worker killed in the middle of a batch (leases, core/leases.py) -------------


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside the batch: nothing after it runs."""


@pytest.fixture
def killed_after(monkeypatch):
    """``killed_after(n)``: the worker dies when it sends its (n+1)th e-mail."""

    def arm(count: int):
        original = deadlines._Email.send_with
        sent = []

        def send_with(self, connection):
            if len(sent) == count:
                raise WorkerKilled
            original(self, connection)
            sent.append(self.message.to)

        monkeypatch.setattr(deadlines._Email, "send_with", send_with)
        return monkeypatch.undo

    return arm


def test_a_run_killed_mid_batch_is_finished_once_by_the_next_run(sample, killed_after, settings):
    people = [UserFactory() for _ in range(10)]
    sample(actors=people)
    started = at(DUE)
    revive = killed_after(3)
    with freeze_time(started), pytest.raises(WorkerKilled):
        deadline_reminders_send()
    revive()
    # Each e-mail sent is marked sent at once; the rest stay pending, claimed by the dead run.
    assert Reminder.objects.filter(status="sent").count() == 3 == len(mail.outbox)
    pending = Reminder.objects.filter(status="pending")
    assert pending.count() == 7
    lease_end = started + datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS)
    assert set(pending.values_list("claimed_until", flat=True)) == {lease_end}

    # The task delivered again while the lease runs: nothing inserted, nothing sent.
    with freeze_time(lease_end - datetime.timedelta(seconds=1)):
        assert deadline_reminders_send() == 0
        assert reminders_resume() == 0
    assert len(mail.outbox) == 3
    # Once it has expired, the next run takes the rest over and sends each one once.
    with freeze_time(lease_end):
        assert deadline_reminders_send() == 7
        assert deadline_reminders_send() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    rows = Reminder.objects.all()
    assert {(r.status, r.claimed_by, r.claimed_until) for r in rows} == {("sent", "", None)}
    assert all(r.sent_at and r.attempts == 1 for r in rows)


def test_the_periodic_resume_sends_what_a_killed_run_left(sample, killed_after, settings):
    people = [UserFactory() for _ in range(4)]
    sample(actors=people)
    revive = killed_after(1)
    with freeze_time(at(DUE)), pytest.raises(WorkerKilled):
        deadline_reminders_send()
    revive()
    with freeze_time(at(DUE) + datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)):
        assert reminders_resume() == 3
        assert reminders_resume() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert not Reminder.objects.exclude(status="sent").exists()


def test_the_lease_is_renewed_while_a_long_batch_goes_on(sample, monkeypatch, settings):
    settings.JOB_LEASE_SECONDS = 30
    sample(actors=[UserFactory() for _ in range(3)])
    clock = {"now": at(DUE)}
    monkeypatch.setattr("core.leases.timezone.now", lambda: clock["now"])
    monkeypatch.setattr("core.leases.time.monotonic", lambda: clock["now"].timestamp())
    original = deadlines._Email.send_with
    lease_ends = []

    def slow_send(self, connection):  # each send takes 20 s of the 30 s lease
        clock["now"] += datetime.timedelta(seconds=20)
        original(self, connection)
        lease_ends.append(Reminder.objects.order_by("pk").last().claimed_until)

    monkeypatch.setattr(deadlines._Email, "send_with", slow_send)
    assert deadline_reminders_send(now=at(DUE)) == 3
    # Claimed at 0 s until 30 s, renewed before the second send (20 s: until 50 s) and
    # before the third (40 s: until 70 s): a slow run keeps its rows.
    assert [(end - at(DUE)).seconds for end in lease_ends] == [30, 50, 70]
    assert not Reminder.objects.exclude(status="sent").exists()


def test_a_failed_send_releases_the_row_until_its_retry_and_queues_it(
    sample, monkeypatch, django_capture_on_commit_callbacks
):
    from core import queue

    user = UserFactory()
    sample(actors=[user])
    queued = []
    monkeypatch.setattr(
        queue, "task_enqueue", lambda task, *args, **kw: queued.append((task.name, args, kw))
    )

    def broken(self, connection):
        raise OSError("SMTP down")

    monkeypatch.setattr(deadlines._Email, "send_with", broken)
    with freeze_time(at(DUE)):
        assert deadline_reminders_send() == 0
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts, reminder.claimed_by) == ("pending", 1, "")
    assert reminder.claimed_until == at(DUE) + datetime.timedelta(seconds=60)
    assert queued == [("cos_portal.reminder_send_task", (reminder.pk,), {"countdown": 60})]
    # Until then neither a run nor the resume takes it: the retry does.
    with freeze_time(at(DUE) + datetime.timedelta(seconds=59)):
        assert deadline_reminders_send() == 0
        assert reminders_resume() == 0
    monkeypatch.undo()
    with freeze_time(at(DUE) + datetime.timedelta(seconds=60)):
        assert deadlines.reminder_send(reminder_id=reminder.pk) == "sent"
        assert deadlines.reminder_send(reminder_id=reminder.pk) == "done"
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.claimed_until) == ("sent", 2, None)
    assert len(mail.outbox) == 1


def test_a_retry_skips_a_reminder_another_run_holds(sample):
    from core.leases import Lease

    sample(actors=[UserFactory()])
    with freeze_time(at(DUE)):
        deadlines.reminders_insert(
            [
                Reminder(
                    deadline_key="k1",
                    kind="tests.required",
                    recipient_id=UserFactory().pk,
                    offset=0,
                    due=DUE,
                    act_url="/",
                    created_at=at(DUE),
                )
            ]
        )
        other = Lease(Reminder)
        assert other.claim(Reminder.objects.all()) == 1
        reminder = Reminder.objects.get()
        assert deadlines.reminder_send(reminder_id=reminder.pk) == "done"
    assert mail.outbox == []
    assert Reminder.objects.get().claimed_by == other.run


def test_queries_are_constant_to_find_record_and_claim_plus_one_per_reminder_sent(sample):
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for number, size in enumerate((2, 12)):
        sample(actors=[UserFactory() for _ in range(size)], key=f"k{number}")
        with CaptureQueriesContext(connection) as captured:
            assert deadline_reminders_send(now=at(DUE)) == size
        sent_updates = [
            q for q in captured if q["sql"].startswith("UPDATE") and "'sent'" in q["sql"]
        ]
        counts[size] = (len(captured) - size, len(sent_updates))
    assert counts[2][1] == 2 and counts[12][1] == 12  # one UPDATE per reminder sent
    assert counts[2][0] == counts[12][0]  # the rest: constant


def test_the_resume_runs_every_five_minutes(db):
    from django_celery_beat.models import PeriodicTask

    from cos_portal.celery import app

    task = PeriodicTask.objects.get(task="cos_portal.reminders_resume_task")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (5, "minutes")
    assert "cos_portal.reminders_resume_task" in app.tasks
