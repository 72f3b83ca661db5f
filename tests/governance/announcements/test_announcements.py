"""Announcements (the COPIL's newsletter): recipients at send time (S2), send log, e-mails,
a worker killed in the middle of the deliveries."""

import datetime
import smtplib
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils.http import urlencode
from freezegun import freeze_time

from core.models import AuditEntry, OutboxJob
from governance.announcements import services
from governance.announcements.selectors import announcement_recipients
from governance.announcements.tasks import announcement_deliveries_send_task
from governance.commissions import services as commission_services
from governance.exceptions import AnnouncementError, NotAllowed
from governance.models import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementStatus,
    Commission,
    DeliveryReason,
    DeliveryStatus,
    StandingRole,
)
from members.constants import Status
from members.models import StatusChange
from tests.governance.commissions.factories import copil_user, member_rep, resign
from tests.members.factories import RepresentativeFactory, member_organisation

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def copil():
    return copil_user()


def draft(copil, **kwargs):
    kwargs.setdefault("subject", "Plénière du 12 mars")
    kwargs.setdefault("body", "Bonjour,\nLa plénière se tiendra à Metz.")
    return services.announcement_create(actor=copil, **kwargs)


def addresses(deliveries):
    return sorted(d.email for d in deliveries)


# --- Recipients (S2) ---------------------------------------------------------------------------


@pytest.mark.rule("S2")
def test_s2_members_and_partners_representatives_receive_it(copil):
    member = member_rep()
    partner = member_rep(member_organisation(status=Status.PARTNER))
    member_rep(member_organisation(status=Status.INVITEE))  # invitee: not on the list
    member_rep(member_organisation(status=Status.APPLICANT))
    RepresentativeFactory(  # a representation that ended
        organisation=member.organisation, end_date=datetime.date(2023, 1, 1)
    )

    recipients = announcement_recipients(to_members_partners=True, commission=None)

    assert [(r.email, r.reason) for r in recipients] == sorted(
        [
            (member.user.email, DeliveryReason.MEMBER),
            (partner.user.email, DeliveryReason.PARTNER),
        ]
    )


@pytest.mark.rule("S2")
def test_s2_an_organisation_that_resigns_today_stops_receiving_them_today(
    copil, django_capture_on_commit_callbacks
):
    with freeze_time(datetime.datetime(2026, 3, 10, 9, 0, tzinfo=PARIS)):
        staying = member_rep()
        leaving = member_rep()
        announcement = draft(copil)
    # L2: the resignation takes effect at 8:00 on the day of the send.
    resign(leaving.organisation, at=datetime.datetime(2026, 3, 11, 8, 0, tzinfo=PARIS))

    with freeze_time(datetime.datetime(2026, 3, 11, 7, 59, tzinfo=PARIS)):
        before = announcement_recipients(to_members_partners=True, commission=None)
    assert sorted(r.email for r in before) == sorted([staying.user.email, leaving.user.email])

    with (
        freeze_time(datetime.datetime(2026, 3, 11, 10, 0, tzinfo=PARIS)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.announcement_send(announcement=announcement, actor=copil) == 1

    assert addresses(announcement.deliveries.all()) == [staying.user.email]
    assert [m.to for m in mail.outbox] == [[staying.user.email]]


@pytest.mark.rule("S2")
def test_s2_a_fixed_term_partnership_ends_the_day_after_its_last_day(copil):
    with freeze_time(datetime.datetime(2026, 3, 1, 9, 0, tzinfo=PARIS)):
        partner = member_rep(member_organisation(status=Status.PARTNER))
    StatusChange.objects.filter(organisation=partner.organisation).update(
        ends_on=datetime.date(2026, 3, 10)
    )
    on_last_day = datetime.datetime(2026, 3, 10, 18, 0, tzinfo=PARIS)
    next_day = datetime.datetime(2026, 3, 11, 9, 0, tzinfo=PARIS)

    assert [
        r.email
        for r in announcement_recipients(to_members_partners=True, commission=None, at=on_last_day)
    ] == [partner.user.email]
    # The nightly job has not recorded the end yet: the partner is out all the same.
    assert announcement_recipients(to_members_partners=True, commission=None, at=next_day) == []


def test_one_email_per_address_even_for_several_organisations(copil):
    person = member_rep()
    RepresentativeFactory(user=person.user, organisation=member_organisation())

    recipients = announcement_recipients(to_members_partners=True, commission=None)

    assert [r.email for r in recipients] == [person.user.email]


@pytest.mark.rule("S2")
def test_s2_a_commission_audience_keeps_only_current_members(copil):
    commission = Commission.objects.get(standing_role=StandingRole.ROADMAP)
    volunteer, former = member_rep(), member_rep()
    outsider = member_rep()  # member, not in the commission
    for representative in (volunteer, former):
        commission_services.commission_volunteer(
            commission=commission, representative=representative, actor=representative.user
        )
        commission_services.membership_decide(
            membership=commission.memberships.get(representative=representative),
            accept=True,
            actor=copil,
        )
    resign(former.organisation)

    only_commission = announcement_recipients(to_members_partners=False, commission=commission)
    both = announcement_recipients(to_members_partners=True, commission=commission)

    assert [(r.email, r.reason) for r in only_commission] == [
        (volunteer.user.email, DeliveryReason.COMMISSION)
    ]
    assert sorted(r.email for r in both) == sorted([volunteer.user.email, outsider.user.email])


# --- Drafting and sending ---------------------------------------------------------------------


def test_only_the_copil_writes_announcements():
    member = member_rep()
    with pytest.raises(NotAllowed):
        draft(member.user)
    assert not Announcement.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"subject": " "}, "obligatoires"),
        ({"to_members_partners": False}, "au moins un public"),
        ({"subject_en": "Plenary"}, "version anglaise"),
    ],
)
def test_an_incomplete_announcement_is_refused(copil, fields, message):
    with pytest.raises(AnnouncementError, match=message):
        draft(copil, **fields)
    assert not Announcement.objects.exists()


def test_sending_logs_each_recipient_and_emails_text_and_html(
    copil, django_capture_on_commit_callbacks
):
    first, second = member_rep(), member_rep(member_organisation(status=Status.PARTNER))
    announcement = draft(copil)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.announcement_send(announcement=announcement, actor=copil) == 2

    announcement.refresh_from_db()
    assert announcement.status == AnnouncementStatus.SENT
    assert announcement.sent_by == copil
    deliveries = list(announcement.deliveries.order_by("email"))
    assert addresses(deliveries) == sorted([first.user.email, second.user.email])
    assert {d.status for d in deliveries} == {DeliveryStatus.SENT}
    assert all(d.sent_at and d.attempts == 1 for d in deliveries)
    assert sorted(m.to[0] for m in mail.outbox) == addresses(deliveries)
    message = mail.outbox[0]
    assert message.subject == "[COS-GE] Plénière du 12 mars"
    assert "La plénière se tiendra à Metz." in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<p>Bonjour,<br>La plénière se tiendra à Metz.</p>" in html
    assert AuditEntry.objects.filter(
        action="governance.announcement.sent", object_id=str(announcement.pk)
    ).exists()


def test_an_announcement_is_sent_once(copil, django_capture_on_commit_callbacks):
    member_rep()
    announcement = draft(copil)
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_send(announcement=announcement, actor=copil)

    with pytest.raises(AnnouncementError, match="déjà été envoyée"):
        services.announcement_send(announcement=announcement, actor=copil)
    assert AnnouncementDelivery.objects.count() == 1
    assert len(mail.outbox) == 1


def test_without_recipients_nothing_is_sent(copil):
    announcement = draft(copil)
    with pytest.raises(AnnouncementError, match="Aucun destinataire"):
        services.announcement_send(announcement=announcement, actor=copil)
    announcement.refresh_from_db()
    assert announcement.status == AnnouncementStatus.DRAFT


def test_rerunning_the_task_never_sends_twice(copil, django_capture_on_commit_callbacks):
    member_rep(), member_rep()
    announcement = draft(copil)
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_send(announcement=announcement, actor=copil)
    assert len(mail.outbox) == 2

    assert announcement_deliveries_send_task.delay(announcement.pk).get() == 0
    assert announcement_deliveries_send_task.delay(announcement.pk).get() == 0
    assert len(mail.outbox) == 2


def test_the_email_is_in_the_recipients_language(copil, django_capture_on_commit_callbacks):
    french = member_rep()
    english = member_rep(user__language="en")
    announcement = draft(copil, subject_en="Plenary on 12 March", body_en="The plenary is in Metz.")

    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_send(announcement=announcement, actor=copil)

    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address[english.user.email].subject == "[COS-GE] Plenary on 12 March"
    assert "The plenary is in Metz." in by_address[english.user.email].body
    assert "as: Representative of a member" in by_address[english.user.email].body
    assert by_address[french.user.email].subject == "[COS-GE] Plénière du 12 mars"
    assert "en tant que : Représentant d'un membre" in by_address[french.user.email].body


def test_a_failed_email_stays_in_the_log_and_is_sent_on_retry(
    copil, django_capture_on_commit_callbacks
):
    member_rep()
    announcement = draft(copil)
    with (
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=smtplib.SMTPServerDisconnected("gone"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.announcement_send(announcement=announcement, actor=copil)

    delivery = announcement.deliveries.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "SMTPServerDisconnected" in delivery.last_error
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert services.announcement_retry_failed(announcement=announcement, actor=copil) == 1

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_redis_down_the_send_succeeds_and_waits_in_the_outbox(
    copil, celery_broker_down, django_capture_on_commit_callbacks
):
    member_rep()
    announcement = draft(copil)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.announcement_send(announcement=announcement, actor=copil) == 1

    assert announcement.deliveries.get().status == DeliveryStatus.PENDING
    job = OutboxJob.objects.get()
    assert (job.task_name, job.args) == (
        "governance.announcement_deliveries_send_task",
        [announcement.pk],
    )


# --- Pages ----------------------------------------------------------------------------------


def test_the_copil_writes_checks_the_recipients_and_sends(
    client, copil, django_capture_on_commit_callbacks
):
    member = member_rep()
    client.force_login(copil)

    response = client.post(
        reverse("announcements:create"),
        {
            "subject": "Appel à volontaires",
            "body": "Rejoignez la commission.",
            "to_members_partners": "on",
        },
    )
    announcement = Announcement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("announcements:detail", kwargs={"pk": announcement.pk})

    page = client.get(response["Location"])
    assert member.user.email in page.content.decode()
    assert "1 destinataire si vous envoyez maintenant" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("announcements:send", kwargs={"pk": announcement.pk}))
    assert response.status_code == 302
    log = client.get(reverse("announcements:detail", kwargs={"pk": announcement.pk}))
    assert "Journal d'envoi" in log.content.decode()
    assert member.user.email in log.content.decode()
    assert [m.to for m in mail.outbox] == [[member.user.email]]


def test_a_bad_form_keeps_what_was_typed(client, copil):
    client.force_login(copil)
    response = client.post(
        reverse("announcements:create"), {"subject": "", "body": "Texte conservé"}
    )
    assert response.status_code == 400
    assert "Texte conservé" in response.content.decode()
    assert not Announcement.objects.exists()


def test_members_cannot_open_the_announcements(client):
    member = member_rep()
    client.force_login(member.user)
    assert client.get(reverse("announcements:list")).status_code == 403
    assert (
        client.post(reverse("announcements:create"), {"subject": "x", "body": "y"}).status_code
        == 403
    )
    assert not Announcement.objects.exists()


def test_the_send_log_page_has_a_constant_number_of_queries(
    client, copil, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for _ in range(3):
        member_rep()
    small = draft(copil)
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_send(announcement=small, actor=copil)
    for _ in range(12):
        member_rep(member_organisation(status=Status.PARTNER))
    large = draft(copil)
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_send(announcement=large, actor=copil)
    client.force_login(copil)

    counts = []
    for announcement in (small, large):
        with django_assert_max_num_queries(12) as captured:
            assert client.get(announcement.get_absolute_url()).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]  # 3 or 12 more recipients: the same queries
    with django_assert_max_num_queries(12):
        assert client.get(reverse("announcements:list")).status_code == 200
    pending = draft(copil)  # a draft lists who would receive it now: 15 of them
    with django_assert_max_num_queries(12):
        assert client.get(pending.get_absolute_url()).status_code == 200


@pytest.mark.integration
@pytest.mark.rule("S2")
def test_s2_an_announcement_goes_through_the_worker_once(celery_live_worker):
    import time

    copil = copil_user()
    first, second = member_rep(), member_rep()
    resign(member_rep().organisation)
    announcement = draft(copil)

    assert services.announcement_send(announcement=announcement, actor=copil) == 2

    deadline = time.monotonic() + 30
    while (
        time.monotonic() < deadline
        and announcement.deliveries.exclude(status=DeliveryStatus.SENT).exists()
    ):
        time.sleep(0.1)
    assert addresses(announcement.deliveries.filter(status=DeliveryStatus.SENT)) == sorted(
        [first.user.email, second.user.email]
    )
    # Re-running the task through the worker sends nothing new.
    assert announcement_deliveries_send_task.delay(announcement.pk).get(timeout=30) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.user.email, second.user.email])


@pytest.mark.parametrize(
    "name", ["announcements:list", "announcements:create", "deadlines:overview"]
)
def test_the_copil_pages_ask_for_mfa_as_the_admin_does(client, copil, settings, name):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client.force_login(copil)

    response = client.get(reverse(name))

    assert response.status_code == 302
    activate = reverse("mfa_activate_totp")
    assert response["Location"] == f"{activate}?{urlencode({'next': reverse(name)})}"


def test_erasing_a_person_replaces_the_address_in_the_send_log(
    copil, django_capture_on_commit_callbacks
):
    from members.services import person_erase

    person = member_rep()
    announcement = draft(copil)
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_send(announcement=announcement, actor=copil)

    person_erase(user=person.user, actor=person.user)

    person.user.refresh_from_db()
    delivery = announcement.deliveries.get()
    assert delivery.email == person.user.email
    assert delivery.email.startswith(f"personne-{person.user.pk}-")


# --- A worker killed in the middle of the deliveries (core/leases.py) ----------------


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside the batch: nothing after it runs."""


def sent_announcement(copil, recipients: int):
    for _ in range(recipients):
        member_rep()
    announcement = draft(copil)
    with mock.patch.object(services, "_deliveries_enqueue"):  # the task is run by the test
        services.announcement_send(announcement=announcement, actor=copil)
    return announcement


def test_deliveries_a_killed_worker_left_are_sent_once_after_its_lease(copil, settings):
    announcement = sent_announcement(copil, 6)
    started = datetime.datetime(2026, 3, 11, 10, 0, tzinfo=PARIS)
    original = services._delivery_email

    def dies_at_the_third(announcement, delivery, *, url):
        if len(mail.outbox) == 2:
            raise WorkerKilled
        return original(announcement, delivery, url=url)

    with (
        freeze_time(started),
        mock.patch.object(services, "_delivery_email", dies_at_the_third),
        pytest.raises(WorkerKilled),
    ):
        services.announcement_deliveries_send(announcement_id=announcement.pk)
    deliveries = announcement.deliveries.all()
    assert deliveries.filter(status=DeliveryStatus.SENT).count() == 2  # marked one by one
    lease_end = started + datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS)
    assert set(
        deliveries.filter(status=DeliveryStatus.PENDING).values_list("claimed_until", flat=True)
    ) == {lease_end}

    # Delivered again while the lease runs: nothing is sent.
    with freeze_time(lease_end - datetime.timedelta(seconds=1)):
        assert announcement_deliveries_send_task.delay(announcement.pk).get() == 0
        assert services.announcement_deliveries_resume() == (0, 0)
    with freeze_time(lease_end):
        assert services.announcement_deliveries_resume() == (4, 0)
        assert services.announcement_deliveries_resume() == (0, 0)
        assert announcement_deliveries_send_task.delay(announcement.pk).get() == 0
    assert sorted(m.to[0] for m in mail.outbox) == addresses(deliveries)
    assert {(d.status, d.attempts, d.claimed_by, d.claimed_until) for d in deliveries} == {
        (DeliveryStatus.SENT, 1, "", None)
    }


def test_a_failed_delivery_waits_for_its_retry_then_the_resume_stops_at_the_last_try(
    copil, monkeypatch, django_capture_on_commit_callbacks
):
    announcement = sent_announcement(copil, 1)
    queued = []
    monkeypatch.setattr(
        services, "task_enqueue", lambda task, *args, **kw: queued.append((task.name, args, kw))
    )
    started = datetime.datetime(2026, 3, 11, 10, 0, tzinfo=PARIS)
    refused = smtplib.SMTPServerDisconnected("gone")
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=refused
    ):
        with freeze_time(started):
            assert services.announcement_deliveries_send(announcement_id=announcement.pk) == (0, 1)
        delivery = announcement.deliveries.get()
        assert (delivery.status, delivery.attempts, delivery.claimed_by) == ("failed", 1, "")
        assert delivery.claimed_until == started + datetime.timedelta(minutes=1)
        assert queued == [
            ("governance.announcement_deliveries_send_task", (announcement.pk,), {"countdown": 60})
        ]
        with freeze_time(started + datetime.timedelta(seconds=59)):
            assert services.announcement_deliveries_resume() == (0, 0)
        # Each try waits twice as long; the resume takes a lost retry over, up to the cap.
        moment = started
        for attempts in range(2, services.DELIVERY_MAX_ATTEMPTS + 1):
            moment += datetime.timedelta(seconds=services.delivery_backoff(attempts - 1))
            with freeze_time(moment):
                assert services.announcement_deliveries_resume() == (0, 1)
            delivery.refresh_from_db()
            assert delivery.attempts == attempts
        assert delivery.claimed_until is None  # no try left
        assert [kw["countdown"] for _name, _args, kw in queued] == [60, 120, 240, 480, 960]
        with freeze_time(moment + datetime.timedelta(days=1)):
            assert services.announcement_deliveries_resume() == (0, 0)
    # The COPIL's button still sends it, at once.
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.announcement_retry_failed(announcement=announcement, actor=copil) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 7)
    assert len(mail.outbox) == 1


def test_the_resume_of_deliveries_runs_every_five_minutes():
    from django_celery_beat.models import PeriodicTask

    from cos_portal.celery import app

    task = PeriodicTask.objects.get(task="governance.announcement_deliveries_resume_task")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (5, "minutes")
    assert "governance.announcement_deliveries_resume_task" in app.tasks


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_delivery_once(copil):
    import threading

    from django.db import connections

    for _ in range(20):
        member_rep()
    announcement = draft(copil)
    with mock.patch.object(services, "_deliveries_enqueue"):
        services.announcement_send(announcement=announcement, actor=copil)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(services.announcement_deliveries_send(announcement_id=announcement.pk))
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
    assert sum(sent for sent, _failed in results) == 20
    assert len(mail.outbox) == 20
    assert len({m.to[0] for m in mail.outbox}) == 20
    assert announcement.deliveries.filter(status=DeliveryStatus.SENT).count() == 20


@pytest.mark.rule("S2")
def test_the_recipients_and_the_send_log_are_paged_and_keep_their_size(
    client, copil, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """An announcement to every member names thousands of addresses: its page shows 50 of
    them, counts them all and filters the send log by state; its size and its queries do
    not grow with them."""
    for _ in range(52):
        member_rep()
    announcement = draft(copil, to_members_partners=True)
    url = reverse("announcements:detail", kwargs={"pk": announcement.pk})
    client.force_login(copil)
    fewer = client.get(url)
    for _ in range(20):
        member_rep()
    with django_assert_max_num_queries(12):
        many = client.get(url)
    second = client.get(url, {"page": 2})

    assert "72 destinataires si vous envoyez maintenant" in many.content.decode()
    assert many.content.decode().count("<tr><td>") == 50
    assert second.content.decode().count("<tr><td>") == 22
    assert abs(len(many.content) - len(fewer.content)) < 300

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("announcements:send", kwargs={"pk": announcement.pk}))
    failed = announcement.deliveries.order_by("pk")[:3]
    AnnouncementDelivery.objects.filter(pk__in=[d.pk for d in failed]).update(
        status=DeliveryStatus.FAILED, last_error="550 boîte inconnue"
    )
    with django_assert_max_num_queries(12):
        log = client.get(url)
    only_failed = client.get(url, {"etat": DeliveryStatus.FAILED})

    assert log.content.decode().count("<tr>\n    <td>") == 50
    assert "Envoyé : 69" in log.content.decode() and "Échec : 3" in log.content.decode()
    assert only_failed.content.decode().count("<tr>\n    <td>") == 3
    assert all(d.email in only_failed.content.decode() for d in failed)
