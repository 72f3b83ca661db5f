"""Every kind of mail, received by a real SMTP server (aiosmtpd): its headers are the ones
other people's mail tools read (Message-ID, Date in Paris, Auto-Submitted,
List-Unsubscribe on the mutable kinds only) and its HTML part is a full document."""

import re
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

import pytest
from django.test import Client
from django.urls import reverse

from core import emails
from core.deadlines import reminder_preferences
from core.email_kinds import email_kinds
from core.models import ReminderMute
from tests.accounts.factories import verified_user
from tests.faults.processes import SmtpServer

pytestmark = pytest.mark.django_db

DOMAIN = "portail.cos-ge.fr"
OPTIONAL = "governance.commission_end"  # a deadline kind the charter does not require

REMINDER = {"days_left": 3, "days_late": -3, "act_url": "https://x/a", "mutable": True}
# One realistic mail per declared kind: (template or None, context, language).
CASES = {
    "deadline_reminder": ("cos_portal/email/deadline_reminder", REMINDER | {"label": "Signer"}),
    "deadline_reminder_required": (
        "cos_portal/email/deadline_reminder",
        REMINDER | {"label": "Vote"},
    ),
    "error_report": (None, {}),
    "signature_receipt": ("charters/email/signature_receipt", {"url": "https://x/s"}),
    "status_decision": ("members/email/message", {"paragraphs": ["Décision du COPIL."]}),
    "announcement": ("governance/announcements/email/announcement", {"body": "Texte"}),
    "election_announcement": ("governance/elections/email/announcement", {"url": "https://x"}),
    "minutes_request": (None, {}),
    "minutes_answer": (None, {}),
    "referent_message": ("governance/commissions/email/referent_message", {}),
    "referent_resigned": ("governance/commissions/email/referent_resigned", {}),
    "report_submitted": ("governance/commissions/email/report_submitted", {}),
    "revision_result": ("governance/commissions/email/revision_result", {}),
    "revision_seized": ("governance/commissions/email/revision_seized", {}),
    "account": (None, {}),
    "activity_convocation": ("activities/email/convocation", {"url": "https://x/a"}),
}


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


def _received(server, count):
    server.wait_for(count, timeout=10)
    return [message_from_bytes(m.as_bytes(), policy=policy.default) for m in server.messages]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_kind_of_mail_leaves_with_the_headers_other_tools_read(smtp, language):
    user = verified_user(email="personne@exemple.fr")
    kinds = email_kinds()
    assert set(kinds) == set(CASES), "a kind of mail without its case here"
    for key, (template, context) in CASES.items():
        emails.email_send(
            emails.email_compose(
                kind=key,
                to=[user.email],
                subject=f"Objet {key}",
                template=template or "",
                # the status letters write their text themselves, HTML from a template
                body="" if template and key != "status_decision" else "Texte du message.",
                context={"user": user, **context},
                language=language,
                recipient=user,
                topic=OPTIONAL if key == "deadline_reminder" else "",
            )
        )

    received = {
        m["Subject"].removeprefix("[COS-GE] Objet "): m for m in _received(smtp, len(CASES))
    }
    assert set(received) == set(CASES)
    for key, message in received.items():
        assert re.fullmatch(rf"<[^@<>]+@{re.escape(DOMAIN)}>", message["Message-ID"]), key
        offset = parsedate_to_datetime(message["Date"]).utcoffset().total_seconds()
        assert offset in {3600, 7200}, key  # Europe/Paris, winter or summer
        assert message["Auto-Submitted"] == "auto-generated", key
        assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply", key
        assert message.get_body(("plain",)) is not None, key
        if kinds[key].mutable:
            link = message["List-Unsubscribe"]
            assert re.fullmatch(r"<https?://[^>]+/compte/desabonnement/[^>]+/>", link), key
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", key
        else:
            assert message["List-Unsubscribe"] is None, key
            assert message["List-Unsubscribe-Post"] is None, key
        html = message.get_body(("html",))
        if CASES[key][0]:
            content = html.get_content()
            assert content.startswith("<!DOCTYPE html>"), key
            assert f'<html lang="{language}">' in content, key
            assert "<title>[COS-GE] Objet" in content and content.rstrip().endswith("</html>")


def test_mandatory_and_mutable_kinds_are_declared_as_the_charter_wants():
    mutable = {key for key, kind in email_kinds().items() if kind.mutable}

    assert mutable == {"deadline_reminder", "announcement"}


def _link_path(message) -> str:
    return re.search(r"https?://[^/]+(/[^>]+)>", message["List-Unsubscribe"]).group(1)


def test_the_one_click_post_unsubscribes_without_login_nor_csrf_token(smtp):
    user = verified_user(email="rappel@exemple.fr")
    emails.email_send(
        emails.email_compose(
            kind="announcement",
            to=[user.email],
            subject="Annonce",
            body="Texte",
            recipient=user,
        )
    )
    [message] = _received(smtp, 1)
    client = Client(enforce_csrf_checks=True)
    path = _link_path(message)

    page = client.get(path)
    assert page.status_code == 200 and "Me désabonner" in page.content.decode()
    assert not emails.EmailOptOut.objects.filter(user=user).exists()  # GET never acts

    answer = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert answer.status_code == 200
    assert user.pk in {row["user_id"] for row in emails.email_opted_out("announcement")}


def test_an_optional_reminder_is_muted_by_its_link():
    user = verified_user(email="muet@exemple.fr")
    token = emails.unsubscribe_token(user=user, kind="deadline_reminder", topic=OPTIONAL)

    answer = Client(enforce_csrf_checks=True).post(
        reverse("email_unsubscribe", kwargs={"token": token}),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert answer.status_code == 200
    assert ReminderMute.objects.filter(user=user, kind=OPTIONAL).exists()
    # as on /compte/rappels/: the engine leaves this person out of the next reminders
    assert {p["kind"]: p["receives"] for p in reminder_preferences(user=user)}[OPTIONAL] is False


def test_a_tampered_link_is_a_clear_400(client):
    user = verified_user(email="x@exemple.fr")
    token = emails.unsubscribe_token(user=user, kind="announcement") + "x"

    answer = client.post(reverse("email_unsubscribe", kwargs={"token": token}))

    assert answer.status_code == 400
    assert "Ce lien de désabonnement" in answer.content.decode()


def test_a_mandatory_kind_cannot_be_stopped_by_a_forged_link(client):
    user = verified_user(email="y@exemple.fr")
    token = emails.unsubscribe_token(user=user, kind="status_decision")

    assert client.post(reverse("email_unsubscribe", kwargs={"token": token})).status_code == 400
