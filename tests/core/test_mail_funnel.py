"""The one mail funnel (core/emails.py): every mail the portal sends is written by
``email_compose`` and built by ``email_build``.

Three proofs: what the funnel writes (language, subject, bodies, mark); each kind of mail
sent through its real entry point with the funnel patched (it sees every one); and no
module of the portal builds or sends a mail by another way. tests/conftest.py patches the
funnel for every test of the suite and refuses, after each one, a mail it did not build:
every kind of mail the suite sends passes through it.
"""

import ast
import logging
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from core import emails
from core.emails import email_compose, email_send
from core.errors import ErrorMailHandler
from tests.accounts.factories import verified_user

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "charters", "members", "activities", "governance", "cos_portal")


def test_a_mail_is_written_in_the_recipient_s_language_with_the_prefix_once():
    with translation.override("fr"):
        message = email_compose(
            kind="signature_receipt",
            to=["a@exemple.fr", "", "a@exemple.fr", "b@exemple.fr"],
            subject=lambda: (
                translation.gettext("Votre signature de la charte %(label)s") % {"label": "V1"}
            ),
            template="charters/email/signature_receipt",
            context={"signature": None, "url": "https://portail/x"},
            language="en",
        )

    assert message["to"] == ["a@exemple.fr", "b@exemple.fr"]
    assert message["subject"] == "[COS-GE] Your signature of the charter V1"
    assert "https://portail/x" in message["body"]
    assert "https://portail/x" in message["html"]
    already = email_compose(
        kind="minutes_request", to=["a@exemple.fr"], subject="[COS-GE] Objet", body="Texte"
    )
    assert already["subject"] == "[COS-GE] Objet"
    assert already["html"] == ""
    assert email_compose(kind="minutes_request", to=[""], subject="Objet", body="Texte") is None


def test_a_language_the_portal_does_not_offer_falls_back_to_french():
    message = email_compose(
        kind="signature_receipt",
        to=["a@exemple.fr"],
        subject=lambda: (
            translation.gettext("Votre signature de la charte %(label)s") % {"label": "V1"}
        ),
        body="Texte",
        language="de",
    )

    assert message["subject"] == "[COS-GE] Votre signature de la charte V1"


def test_a_sent_mail_carries_the_auto_submitted_mark():
    email_send(
        email_compose(kind="minutes_request", to=["a@exemple.fr"], subject="Objet", body="Texte")
    )

    [sent] = mail.outbox
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    assert sent.extra_headers["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    assert "List-Unsubscribe" not in sent.extra_headers


def test_a_mail_of_an_undeclared_kind_is_refused():
    with pytest.raises(ValueError, match="undeclared kind"):
        email_compose(kind="newsletter", to=["a@exemple.fr"], subject="Objet", body="Texte")


@pytest.fixture
def funnel(monkeypatch):
    """The messages the funnel builds, by subject."""
    built = []
    original = emails.email_build

    def recording(message, **kwargs):
        built.append(message["subject"])
        return original(message, **kwargs)

    monkeypatch.setattr(emails, "email_build", recording)
    return built


@pytest.mark.django_db
def test_allauth_s_mails_go_through_the_funnel(client, funnel):
    verified_user(email="oubli@exemple.fr")

    client.post(reverse("account_reset_password"), {"email": "oubli@exemple.fr"})

    assert funnel == ["[COS-GE] E-mail de réinitialisation de mot de passe"]
    assert [m.subject for m in mail.outbox] == funnel


def test_error_reports_go_through_the_funnel(funnel, settings):
    settings.ADMINS = [("COPIL", "copil@exemple.fr")]
    handler = next(
        h for h in logging.getLogger("django").handlers if isinstance(h, ErrorMailHandler)
    )

    handler.send_mail("Boom", "details", fail_silently=True)

    assert funnel == ["[COS-GE] Boom"]
    assert mail.outbox[0].to == ["copil@exemple.fr"]


def _mail_calls(path: Path) -> list[str]:
    """Calls that build or send a mail outside the funnel, in one module."""
    forbidden = {"EmailMessage", "EmailMultiAlternatives", "send_mail", "send_mass_mail"}
    forbidden |= {"mail_admins", "mail_managers"}
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            # self.send_mail(...): the adapters' and handlers' own methods, which use the funnel
            own_method = isinstance(node.func, ast.Attribute) and getattr(
                node.func.value, "id", ""
            ) in {"self", "super"}
            if name in forbidden and not own_method:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    return found


def test_no_module_builds_or_sends_a_mail_around_the_funnel():
    found = [
        line
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if path != ROOT / "core" / "emails.py" and "migrations" not in path.parts
        for line in _mail_calls(path)
    ]

    assert found == []
