"""Redis stopped: every page and form keeps working, nothing is lost, and what must follow
(e-mails, announcements) is sent once, exactly, when Redis is back.

Each test runs its own redis-server (cache and broker, as in production), stops it, uses
the portal through its real views, then starts Redis again with a real Celery worker
process and a real SMTP server, and counts what arrived.
"""

import time

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from charters.models import Signature
from core.models import OutboxJob
from core.queue import outbox_flush
from governance.announcements.services import announcement_create
from governance.models import Announcement, AnnouncementDelivery
from members.constants import ApplicationState, Role, Status, StatusReason
from members.models import Application
from members.services import organisation_status_change
from tests.accounts.factories import PASSWORD, verified_user
from tests.charters.factories import CharterVersionFactory, signatory
from tests.charters.test_views import post_signature
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation
from tests.members.test_applications import post_data

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# A request may wait for one refused connection, never for the retries that took 19 s.
QUICK = 5.0


@pytest.fixture
def portal(settings, redis_server, celery_publishing_to):
    """The portal as deployed: Redis as cache (falling over to the database) and broker."""
    settings.REDIS_URL = redis_server.url(0)
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FailoverCache",
            "LOCATION": f"failover-{redis_server.port}",
            "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "database", "RETRY_SECONDS": 0.2},
        },
        "redis": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_server.url(1),
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        },
        "database": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cos_cache",
        },
    }
    caches["database"].clear()
    celery_publishing_to(redis_server.url(0))
    yield redis_server
    caches["database"].clear()


@pytest.fixture
def version():
    return CharterVersionFactory(label="V1 R001")


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def redis_back_and_deliver(portal, celery_worker_process, smtp_server, *, expected: int):
    """Redis starts again, a worker starts, the outbox is flushed (as beat does every
    minute) twice: each expected e-mail arrives once and the outbox is empty."""
    portal.start()
    celery_worker_process(broker_url=portal.url(0), env={"EMAIL_URL": smtp_server.url})
    assert outbox_flush() >= 1
    assert outbox_flush() == 0  # nothing is published twice
    smtp_server.wait_for(expected, timeout=30)
    time.sleep(1)  # anything sent twice would arrive now
    assert not OutboxJob.objects.exists()
    return sorted(tuple(sorted(m["To"].split(", "))) for m in smtp_server.messages)


def test_public_pages_answer_with_redis_down_and_stay_fresh_when_it_returns(
    client, portal, version
):
    organisation = member_organisation(legal_name="Usinage Mosellan")
    directory = reverse("members:directory")
    assert "Usinage Mosellan" in client.get(directory).content.decode()  # cached in Redis

    portal.stop()
    for url in (
        reverse("home"),
        directory,
        reverse("members:organisation", kwargs={"slug": organisation.slug}),
        reverse("commissions:referents"),
        reverse("charters:current"),
        reverse("directory_json"),
        reverse("directory_csv"),
    ):
        response, seconds = timed(lambda url=url: client.get(url))
        assert (url, response.status_code) == (url, 200)
        assert seconds < QUICK, url
    # The organisation resigns while Redis is down: the directory follows at once.
    organisation_status_change(
        organisation=organisation, status=Status.NONE, reason=StatusReason.RESIGNED
    )
    assert "Usinage Mosellan" not in client.get(directory).content.decode()

    portal.start()
    time.sleep(0.3)  # the cache tries Redis again
    # Redis still holds the page cached before the outage: it must not come back.
    assert "Usinage Mosellan" not in client.get(directory).content.decode()


def test_signing_in_works_with_redis_down_and_failed_logins_are_still_limited(client, portal):
    user = verified_user(email="gerant@usinage.fr")
    portal.stop()

    response, seconds = timed(
        lambda: client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    )
    assert response.status_code == 302
    assert seconds < QUICK
    assert client.get(reverse("space:dashboard")).status_code == 200

    other = Client()
    statuses = [
        other.post(reverse("account_login"), {"login": user.email, "password": "faux"}).status_code
        for _ in range(6)
    ]
    # allauth's login_failed limit (5 per 5 minutes) now counts in the database.
    assert statuses == [200, 200, 200, 200, 200, 429]


@pytest.mark.rule("M4")
def test_signing_the_charter_with_redis_down_sends_the_receipt_once_redis_is_back(
    client, portal, version, celery_worker_process, smtp_server
):
    rep = signatory()
    client.force_login(rep.user)
    portal.stop()

    response, seconds = timed(lambda: post_signature(client, rep, version))

    signature = Signature.objects.get()
    assert response.status_code == 302
    assert seconds < QUICK
    assert OutboxJob.objects.filter(task_name="cos_portal.email_send_task").count() == 1

    received = redis_back_and_deliver(portal, celery_worker_process, smtp_server, expected=1)

    assert received == [(rep.user.email,)]
    assert signature.verification_code in smtp_server.messages[0].get_body(
        ("plain",)
    ).get_content().replace("=\n", "")


@pytest.mark.rule("M3", "M4")
def test_applying_with_redis_down_keeps_everything_and_sends_both_mails_once(
    client, portal, version, celery_worker_process, smtp_server
):
    applicant = UserFactory(email="gerante@usinage.fr")
    client.force_login(applicant)
    portal.stop()

    response, seconds = timed(lambda: client.post(reverse("application:form"), post_data()))

    assert response.status_code == 302
    assert seconds < QUICK
    application = Application.objects.get()
    assert application.state == ApplicationState.SUBMITTED
    assert application.signature.signer == applicant
    assert OutboxJob.objects.count() == 2

    received = redis_back_and_deliver(portal, celery_worker_process, smtp_server, expected=2)

    assert received == [("copil@cos-ge.fr",), ("gerante@usinage.fr",)]


@pytest.mark.rule("S2")
def test_an_announcement_sent_with_redis_down_reaches_each_member_once_redis_is_back(
    client, portal, celery_worker_process, smtp_server
):
    representatives = [RepresentativeFactory(organisation=member_organisation()) for _ in range(12)]
    copil = UserFactory(is_staff=True)
    copil.groups.add(Group.objects.get(name=Role.COPIL))
    announcement = announcement_create(actor=copil, subject="Plénière", body="Le 12 mars.")
    client.force_login(copil)
    portal.stop()

    response, seconds = timed(
        lambda: client.post(reverse("announcements:send", kwargs={"pk": announcement.pk}))
    )

    assert response.status_code == 302
    assert seconds < QUICK
    announcement.refresh_from_db()
    assert announcement.sent_at is not None
    assert AnnouncementDelivery.objects.filter(announcement=announcement).count() == 12
    assert OutboxJob.objects.count() == 1  # the sending job waits for the broker

    received = redis_back_and_deliver(portal, celery_worker_process, smtp_server, expected=12)

    assert received == sorted((rep.user.email,) for rep in representatives)
    assert set(AnnouncementDelivery.objects.values_list("status", flat=True)) == {"sent"}
    assert Announcement.objects.get().pk == announcement.pk
