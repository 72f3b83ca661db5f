"""A2: each person on an activity's roster receives their convocation once, with their
personal check-in code as a QR image inside the mail, and finds the same code on the
activity's page. The mails are read by a real SMTP server (aiosmtpd), the QR codes by
zbar (``make zbar``), as the organiser's camera reads them at the door."""

import datetime
import shutil
import smtplib
import subprocess  # nosec B404: runs zbarimg, a fixed command on a file the test wrote
from email import message_from_bytes, policy
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities import convocation_notices, services
from activities.checkin_codes import checkin_code
from activities.constants import ConvenedScope
from activities.convocation_notices import convocation_notices_resume
from activities.models import ConvocationNotice, ConvocationNoticeStatus, Participation
from activities.tasks import convocation_notices_send_task
from core.leases import Lease
from members import services as member_services
from members.constants import Role
from tests.faults.processes import SmtpServer
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

from .factories import ActivityFactory, convene, user_in

pytestmark = [pytest.mark.django_db, pytest.mark.rule("A2")]

DOMAIN = "portail.cos-ge.fr"


@pytest.fixture
def smtp(settings):
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_MESSAGE_ID_DOMAIN = DOMAIN
    try:
        yield server
    finally:
        server.stop()


def zbar(png: bytes, tmp_path) -> str:
    """What a QR reader reads in the image (zbarimg, ``make zbar``)."""
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbarimg is missing: run `make zbar`"
    path = tmp_path / f"qr-{len(list(tmp_path.iterdir()))}.png"
    path.write_bytes(png)
    result = subprocess.run(  # noqa: S603  # nosec B603: fixed command, file written above
        [zbarimg, "--raw", "-q", str(path)], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def future_activity(*, in_days: float = 10, invited_organisations=(), invited_people=(), **kw):
    starts_at = timezone.now() + datetime.timedelta(days=in_days)
    fields = {
        "kind": "workshop",
        "title": "Atelier cobotique",
        "starts_at": starts_at,
        "ends_at": starts_at + datetime.timedelta(hours=2),
        "place": "2 rue de l'Usine",
        "postcode": "57000",
        "city": "Metz",
        "is_public": False,
        "convened_scope": ConvenedScope.NAMED,
        **kw,
    }
    return services.activity_create(
        invited_organisations=invited_organisations, invited_people=invited_people, **fields
    )


def received(server, count: int):
    server.wait_for(count, timeout=10)
    return [message_from_bytes(m.as_bytes(), policy=policy.default) for m in server.messages]


def inline_image(message):
    """The image the HTML body shows, with its Content-ID (without the angle brackets)."""
    [image] = [part for part in message.walk() if part.get_content_type() == "image/png"]
    return image["Content-ID"].strip("<>"), image


@pytest.fixture
def roster():
    """Two representatives of a convened member, a person invited by name, and a
    representative of a member that is not convened."""
    convened = member_organisation(legal_name="Usinage Lorrain")
    first = RepresentativeFactory(organisation=convened, user__email="anne@usinage.fr")
    second = RepresentativeFactory(organisation=convened, user__email="bruno@usinage.fr")
    expert = UserFactory(email="expert@exemple.fr", language="en")
    other = RepresentativeFactory(
        organisation=member_organisation(legal_name="Autre SA"), user__email="autre@autre.fr"
    )
    return {"organisation": convened, "first": first, "second": second, "expert": expert,
            "other": other}  # fmt: skip


def test_each_person_convened_receives_one_mail_with_their_own_qr_code(
    smtp, roster, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        activity = future_activity(
            invited_organisations=[roster["organisation"]], invited_people=[roster["expert"]]
        )

    messages = {m["To"]: m for m in received(smtp, 3)}
    people = {
        "anne@usinage.fr": roster["first"].user,
        "bruno@usinage.fr": roster["second"].user,
        "expert@exemple.fr": roster["expert"],
    }
    assert set(messages) == set(people)  # nobody without a seat: not autre@autre.fr
    url = f"/activites/{activity.pk}/"
    for address, message in messages.items():
        person = people[address]
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        cid, image = inline_image(message)
        # The bodies and the image in one multipart/related part; the image named.
        assert message.get_content_type() == "multipart/related"
        assert f'src="cid:{cid}"' in html
        assert cid.endswith(f"@{DOMAIN}")
        assert image.get_content_disposition() == "inline"
        assert image.get_filename() == "code-pointage.png"
        # The organiser's camera reads the person's own code of this activity.
        assert zbar(image.get_content(), tmp_path) == checkin_code(activity.pk, person.pk)
        assert url in text and url in html
        assert "2 rue de l'Usine, 57000 Metz" in text
        assert message["List-Unsubscribe"] is None  # a convocation is not stopped
        assert message["Auto-Submitted"] == "auto-generated"
    french = messages["anne@usinage.fr"]
    day = timezone.localtime(activity.starts_at).strftime("%d/%m/%Y")
    assert french["Subject"] == f"[COS-GE] Convocation : Atelier cobotique, le {day}"
    assert "Vous êtes convoqué(e) à l'activité « Atelier cobotique »" in (
        french.get_body(("plain",)).get_content()
    )
    english = messages["expert@exemple.fr"]  # in the recipient's language
    assert english["Subject"] == f"[COS-GE] Convocation: Atelier cobotique, on {day}"
    assert (
        ConvocationNotice.objects.filter(
            activity=activity, status=ConvocationNoticeStatus.SENT, sent_at__isnull=False
        ).count()
        == 3
    )


def test_a_second_sync_and_a_retried_task_send_nothing_again(
    roster, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        activity = future_activity(invited_organisations=[roster["organisation"]])
    assert sorted(m.to[0] for m in mail.outbox) == ["anne@usinage.fr", "bruno@usinage.fr"]

    with django_capture_on_commit_callbacks(execute=True):
        services.activity_convocations_sync(activity=activity)
        services.activity_convocations_sync(activity=activity)
    assert convocation_notices_send_task.apply(args=[activity.pk]).get() == 0
    assert convocation_notices_resume() == (0, 0)

    assert len(mail.outbox) == 2
    assert ConvocationNotice.objects.filter(activity=activity).count() == 2


def test_a_person_joining_the_roster_later_receives_theirs_alone(
    roster, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        activity = future_activity(invited_organisations=[roster["organisation"]])
    mail.outbox.clear()
    newcomer = RepresentativeFactory(organisation=roster["organisation"], user__email="c@u.fr")

    with django_capture_on_commit_callbacks(execute=True):
        services.activity_convocations_sync(activity=activity)

    assert [m.to for m in mail.outbox] == [[newcomer.user.email]]


def test_a_person_invited_by_name_through_an_invitation_receives_theirs(
    django_capture_on_commit_callbacks,
):
    person = UserFactory(email="invitee@exemple.fr")
    activity = future_activity()
    host = RepresentativeFactory(organisation=member_organisation(legal_name="Hôte SA"))
    invitation = member_services.invitation_propose(
        proposed_by=host.user,
        proposing_organisation=host.organisation,
        guest_organisation_name="",
        guest_name="Paul Invité",
        guest_email="invitee@exemple.fr",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
        activities=[activity],
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_convene(invitation=invitation)

    assert [m.to for m in mail.outbox] == [[person.email]]
    assert ConvocationNotice.objects.get(activity=activity).user == person


def test_no_mail_for_an_activity_started_or_cancelled(roster, django_capture_on_commit_callbacks):
    past = timezone.now() - datetime.timedelta(days=40)
    with django_capture_on_commit_callbacks(execute=True):
        # Recorded afterwards, dated before it started (as the demo does): no mail now.
        future_activity(in_days=-3, invited_organisations=[roster["organisation"]], now=past)
        cancelled = future_activity(in_days=5, title="Annulée")
        services.activity_cancel(activity=cancelled, actor=None)
        cancelled.invited_organisations.add(roster["organisation"])
        services.activity_convocations_sync(activity=cancelled)

    assert mail.outbox == []
    assert not ConvocationNotice.objects.exists()


def test_cancelled_or_left_before_the_send_nobody_is_mailed(
    roster, django_capture_on_commit_callbacks
):
    activity = future_activity(invited_organisations=[roster["organisation"]])  # not sent yet
    other = future_activity(title="Autre", invited_organisations=[roster["organisation"]])
    roster["second"].end_date = timezone.localdate() - datetime.timedelta(days=1)
    roster["second"].save()
    services.activity_cancel(activity=other, actor=None)

    assert convocation_notices_send_task.apply(args=[other.pk]).get() == 0
    assert convocation_notices_send_task.apply(args=[activity.pk]).get() == 1

    assert [m.to for m in mail.outbox] == [["anne@usinage.fr"]]
    assert list(ConvocationNotice.objects.values_list("user__email", flat=True)) == [
        "anne@usinage.fr"
    ]


def test_a_worker_killed_mid_batch_leaves_the_rest_to_the_resume_once(roster, settings):
    activity = future_activity(invited_organisations=[roster["organisation"]])
    dead = Lease(ConvocationNotice)  # a run that claimed the rows, then died
    assert dead.claim(ConvocationNotice.objects.filter(activity=activity)) == 2

    assert convocation_notices_send_task.apply(args=[activity.pk]).get() == 0  # still held
    assert convocation_notices_resume() == (0, 0)
    ConvocationNotice.objects.update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    assert convocation_notices_resume() == (2, 0)
    assert convocation_notices_resume() == (0, 0)

    assert sorted(m.to[0] for m in mail.outbox) == ["anne@usinage.fr", "bruno@usinage.fr"]


def test_a_failed_mail_waits_for_its_retry_then_is_sent_once(roster):
    activity = future_activity(invited_organisations=[roster["organisation"]])
    build = convocation_notices.emails.email_build
    refused = mock.Mock(send=mock.Mock(side_effect=smtplib.SMTPServerDisconnected("gone")))

    with mock.patch.object(convocation_notices.emails, "email_build", return_value=refused):
        assert convocation_notices.convocation_notices_send(activity_id=activity.pk) == (0, 2)
    failed = ConvocationNotice.objects.filter(status=ConvocationNoticeStatus.FAILED)
    assert failed.count() == 2 and set(failed.values_list("attempts", flat=True)) == {1}
    assert convocation_notices_resume() == (0, 0)  # waiting for its next try

    ConvocationNotice.objects.update(claimed_until=timezone.now())
    with mock.patch.object(convocation_notices.emails, "email_build", side_effect=build):
        assert convocation_notices_resume() == (2, 0)
    assert len(mail.outbox) == 2
    assert not ConvocationNotice.objects.exclude(status=ConvocationNoticeStatus.SENT).exists()


def test_the_resume_of_convocations_runs_every_five_minutes():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="activities.convocation_notices_resume_task")
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 5, "minutes")


# --- The code on the activity's page ----------------------------------------------------


def test_the_page_serves_the_persons_own_code_not_cached(client, roster, tmp_path):
    activity = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=2))
    convene(activity, roster["organisation"])
    client.force_login(roster["first"].user)

    response = client.get(reverse("activities:my_checkin_code", args=[activity.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert zbar(response.content, tmp_path) == checkin_code(activity.pk, roster["first"].user.pk)


def test_a_named_invitee_and_a_walk_in_have_their_code_too(client, roster, tmp_path):
    activity = ActivityFactory()
    activity.invited_people.add(roster["expert"])
    walk_in = UserFactory()
    Participation.objects.create(activity=activity, user=walk_in, is_walk_in=True)
    url = reverse("activities:my_checkin_code", args=[activity.pk])

    for person in (roster["expert"], walk_in):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert zbar(response.content, tmp_path) == checkin_code(activity.pk, person.pk)


def test_no_code_for_someone_off_the_roster_nor_for_a_cancelled_activity(client, roster):
    activity = ActivityFactory()
    convene(activity, roster["organisation"])
    url = reverse("activities:my_checkin_code", args=[activity.pk])

    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert client.get(url)["Location"].startswith(reverse("account_login"))
    client.force_login(roster["other"].user)
    assert client.get(url).status_code == 404
    client.force_login(user_in(Role.COPIL))  # an organiser's role is no seat
    assert client.get(url).status_code == 404
    client.force_login(roster["first"].user)
    assert client.get(url).status_code == 200
    activity.cancelled_at = timezone.now()
    activity.save()
    assert client.get(url).status_code == 404


def test_the_page_shows_the_card_to_the_roster_only_in_constant_queries(client, roster):
    activity = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=2))
    convene(activity, roster["organisation"])
    page = reverse("activities:detail", args=[activity.pk])
    image = reverse("activities:my_checkin_code", args=[activity.pk])

    client.force_login(roster["first"].user)
    with CaptureQueriesContext(connection) as few:
        html = client.get(page).content.decode()
    assert "Votre code de pointage" in html and f'src="{image}"' in html
    assert 'alt="Votre code de pointage (QR code) pour « ' in html
    for n in range(10):
        organisation = member_organisation(legal_name=f"Membre {n}")
        convene(activity, organisation)
        RepresentativeFactory(organisation=organisation)
    with CaptureQueriesContext(connection) as many:
        client.get(page)
    assert len(many.captured_queries) == len(few.captured_queries)

    client.force_login(roster["other"].user)
    activity.is_public = True
    activity.save()
    html = client.get(page).content.decode()
    assert "Votre code de pointage" not in html and image not in html
