"""Redis down: signing the charter and applying still succeed, nothing submitted is lost,
and the follow-up e-mails wait in the outbox until the broker is back."""

import pytest
from django.core import mail
from django.urls import reverse

from charters.models import Signature
from core.models import OutboxJob
from core.queue import outbox_flush
from members.constants import ApplicationState
from members.models import Application
from tests.charters.factories import CharterVersionFactory, signatory
from tests.charters.test_views import post_signature
from tests.members.factories import UserFactory
from tests.members.test_applications import post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def version():
    return CharterVersionFactory(label="V1 R001")


def queued_recipients() -> list[str]:
    return sorted(
        address
        for job in OutboxJob.objects.filter(task_name="cos_portal.email_send_task")
        for address in job.args[0]["to"]
    )


@pytest.mark.rule("M4")
def test_signing_the_charter_succeeds_with_redis_down(
    client, version, celery_broker_down, django_capture_on_commit_callbacks
):
    rep = signatory()
    client.force_login(rep.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_signature(client, rep, version)

    signature = Signature.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "charters:signature", kwargs={"code": signature.verification_code}
    )
    assert queued_recipients() == [rep.user.email]  # the receipt waits for the broker
    assert mail.outbox == []

    celery_broker_down()  # Redis is back
    assert outbox_flush() == 1
    assert [m.to for m in mail.outbox] == [[rep.user.email]]
    assert signature.verification_code in mail.outbox[0].body
    assert not OutboxJob.objects.exists()


@pytest.mark.rule("M3", "M4")
def test_applying_succeeds_with_redis_down(
    client, version, celery_broker_down, django_capture_on_commit_callbacks
):
    applicant = UserFactory(email="gerante@usinage.fr")
    client.force_login(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("application:form"), post_data())

    assert response.status_code == 302
    application = Application.objects.get()
    assert application.state == ApplicationState.SUBMITTED
    assert application.signature.signer == applicant
    assert queued_recipients() == ["copil@cos-ge.fr", "gerante@usinage.fr"]
    assert mail.outbox == []

    celery_broker_down()
    assert outbox_flush() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["copil@cos-ge.fr", "gerante@usinage.fr"]
