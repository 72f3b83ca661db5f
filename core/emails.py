"""The one e-mail funnel: every mail the portal sends is written by ``email_compose`` and
handed to the mail server by ``email_send``.

- Of one kind the apps declared (core/email_kinds.py): mutable (its recipient may stop
  it: optional reminders, announcements) or mandatory.
- Written in the recipient's language (``language``; French when unknown or not offered),
  the subject on one line with the portal's prefix once, the text and HTML bodies rendered
  from ``<template>.txt`` and ``<template>.html`` (the HTML one is optional, a full
  document extending ``emails/base.html``); a ``body`` given replaces the text template.
  A subject or body given as a function is evaluated in that language.
- Sent with a Message-ID on the portal's domain (EMAIL_MESSAGE_ID_DOMAIN), dated in
  Europe/Paris, and marked ``Auto-Submitted: auto-generated`` (RFC 3834): every mail of
  the portal is written by the portal, including the account mails allauth sends when
  someone asks (a reset link is not a reply to a message), so no out-of-office reply
  comes back to an address nobody reads. A mail of a mutable kind carries the
  recipient's own one-click unsubscribe link (RFC 2369, RFC 8058).
- Queued with ``email_notify``: after the caller's transaction commits, through the
  outbox while Redis is down (core/queue.py). Jobs that hold a lease on their rows
  (announcements, reminders) send what ``email_build`` gives them themselves.

A message travels as a JSON dict (the task's only argument, and the outbox's when the
broker is down): kind, subject, text body, optional HTML body, recipients, reply-to,
attachments (base64), inline images (base64) and the headers that name its recipient
(List-Unsubscribe).

An inline image (``inline``: (content id, bytes, mimetype)) is shown inside the HTML body,
which names it ``<img src="cid:...">`` (RFC 2392): the bodies and the images travel in
one multipart/related part, so mail clients keep them together; each image also carries
its file name, so a client that shows the text body lists it as a picture to open.
``inline_cid`` gives a content id on the portal's domain.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.mime.image import MIMEImage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import checks, signing
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.core.mail.message import SafeMIMEMultipart
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import queue
from .email_kinds import EmailKind, email_kind, email_kinds
from .models import EmailOptOut
from .site import absolute_url
from .tasks import email_send_task

Text = str | Callable[[], str]

# Tells auto-responders not to answer (RFC 3834); the funnel's mark on every mail.
AUTO_SUBMITTED = {"Auto-Submitted": "auto-generated"}
# The same wish in Exchange's words: no out-of-office or automatic reply.
AUTO_RESPONSE_SUPPRESS = {"X-Auto-Response-Suppress": "OOF, AutoReply"}
PARIS = ZoneInfo("Europe/Paris")
UNSUBSCRIBE_SALT = "core.emails.unsubscribe"


def _opt_out(*, user, topic: str, kind: str) -> None:
    EmailOptOut.objects.get_or_create(user=user, kind=kind)


def email_opted_out(kind: str):
    """The ids of the people who stopped the mutable ``kind`` (a values queryset)."""
    return EmailOptOut.objects.filter(kind=kind).values("user_id")


def message_id_domain_check(app_configs=None, **kwargs) -> list:
    """check --deploy: the Message-IDs name the portal's public domain, not a local one."""
    domain = settings.EMAIL_MESSAGE_ID_DOMAIN
    try:
        ipaddress.ip_address(domain)
        local = True
    except ValueError:
        local = "." not in domain or domain == "localhost" or domain.endswith(".localhost")
    if not local:
        return []
    return [
        checks.Error(
            f"EMAIL_MESSAGE_ID_DOMAIN is {domain!r}: set SITE_URL (or EMAIL_MESSAGE_ID_DOMAIN) "
            "to the portal's public domain.",
            id="core.E101",
        )
    ]


# --- One-click unsubscribe ----------------------------------------------------------------


class UnsubscribeError(Exception):
    """A link that is not (or no longer) one of the portal's unsubscribe links."""


@dataclass(frozen=True)
class Unsubscription:
    user: object
    kind: EmailKind
    topic: str

    @property
    def what(self) -> str:
        label = str(self.kind.label)
        if self.topic and self.kind.describe:
            return f"{label} : {self.kind.describe(self.topic)}"
        return label

    def apply(self) -> None:
        stop = self.kind.unsubscribe or _opt_out
        stop(user=self.user, topic=self.topic, kind=self.kind.key)


def unsubscribe_token(*, user, kind: str, topic: str = "") -> str:
    """Signed: it names the person and the kind (and topic) it stops, nothing else."""
    return signing.dumps({"u": user.pk, "k": kind, "t": topic}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(*, user, kind: str, topic: str = "") -> str:
    """The person's own link that stops ``kind``."""
    token = unsubscribe_token(user=user, kind=kind, topic=topic)
    return absolute_url(reverse("email_unsubscribe", kwargs={"token": token}))


def unsubscription(token: str) -> Unsubscription:
    """What an unsubscribe link stops, for whom; UnsubscribeError if it is not valid."""
    invalid = UnsubscribeError(
        _("Ce lien de désabonnement n'est pas valide : recopiez-le en entier depuis l'e-mail.")
    )
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        kind = email_kinds().get(data["k"])
        user = get_user_model().objects.filter(pk=data["u"]).first()
        topic = str(data.get("t", ""))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise invalid from None
    if kind is None or not kind.mutable or user is None:
        raise invalid
    return Unsubscription(user=user, kind=kind, topic=topic)


# --- Writing ------------------------------------------------------------------------------


def recipient_language(language: str | None) -> str:
    """``language`` if the portal offers it, else French (the source language)."""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _evaluated(value: Text) -> str:
    return str(value() if callable(value) else value)


def _optional_render(template: str, context: dict) -> str:
    try:
        get_template(template)
    except TemplateDoesNotExist:
        return ""
    return render_to_string(template, context)


def email_compose(
    *,
    kind: str,
    to: Iterable[str],
    subject: Text,
    template: str = "",
    context: dict | None = None,
    body: Text = "",
    language: str | None = None,
    attachments: Iterable[tuple[str, bytes, str]] = (),
    inline: Iterable[tuple[str, bytes, str]] = (),
    reply_to: Iterable[str] = (),
    recipient=None,
    topic: str = "",
) -> dict | None:
    """One e-mail of ``kind``, written in ``language``, as the JSON message ``email_send``
    sends; None without any recipient. A mutable kind names its ``recipient`` (the user
    the link stops it for, ``topic`` narrowing it), for the unsubscribe link."""
    recipients = list(dict.fromkeys(str(address) for address in to if address))
    if not recipients:
        return None
    headers, link = {}, ""
    # The link names its person: a mutable kind goes to one (none known: nothing to stop).
    if email_kind(kind).mutable and recipient is not None:
        if len(recipients) != 1:
            raise ValueError(f"a mail of the mutable kind {kind!r} goes to one person")
        link = unsubscribe_url(user=recipient, kind=kind, topic=topic)
        headers = {
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    prefix = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
    with translation.override(recipient_language(language)):
        line = " ".join(_evaluated(subject).split())
        line = line if line.startswith(prefix) else f"{prefix}{line}"
        context = {
            **(context or {}),
            "email_subject": line,
            "unsubscribe_url": link,
        }
        text = _evaluated(body) if body else render_to_string(f"{template}.txt", context)
        html = _optional_render(f"{template}.html", context) if template else ""
    return email_message(
        kind=kind,
        subject=line,
        body=text,
        html=html,
        to=recipients,
        attachments=attachments,
        inline=inline,
        reply_to=reply_to,
        headers=headers,
    )


def email_message(
    *,
    kind: str,
    subject: str,
    body: str,
    to: list[str],
    html: str = "",
    attachments: Iterable[tuple[str, bytes, str]] = (),
    inline: Iterable[tuple[str, bytes, str]] = (),
    reply_to: Iterable[str] = (),
    headers: dict[str, str] | None = None,
) -> dict:
    """One e-mail already written, of a declared ``kind`` (a mandatory one: the headers of
    a mutable kind are ``email_compose``'s). ``inline``: the images the HTML body shows,
    as (content id, bytes, mimetype)."""
    email_kind(kind)
    inline = [
        [cid, base64.b64encode(content).decode("ascii"), mimetype]
        for cid, content, mimetype in inline
    ]
    if inline and not html:
        raise ValueError("inline images are shown by an HTML body")
    message = {
        "kind": kind,
        "subject": str(subject),
        "body": str(body),
        "html": str(html),
        "to": [str(address) for address in to],
        "reply_to": [str(address) for address in reply_to or ()],
        "attachments": [
            [name, base64.b64encode(content).decode("ascii"), mimetype]
            for name, content, mimetype in attachments
        ],
        "headers": dict(headers or {}),
    }
    if inline:
        message["inline"] = inline
    return message


def email_notify(**composed) -> None:
    """Compose one e-mail (``email_compose``'s arguments) and queue it after commit, via
    the outbox if Redis is down. Nothing is queued without a recipient."""
    message = email_compose(**composed)
    if message is not None:
        queue.task_enqueue(email_send_task, message)


def email_enqueue(**message) -> None:
    """Queue one e-mail already written (``email_message``'s arguments) after commit."""
    queue.task_enqueue(email_send_task, email_message(**message))


def email_headers(message: dict) -> dict[str, str]:
    """The headers of one message as it leaves: its own id on the portal's domain, the
    date in Paris, the automatic mark, and its recipient's unsubscribe link if any."""
    return {
        "Message-ID": make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN),
        "Date": format_datetime(timezone.now().astimezone(PARIS)),
        **AUTO_SUBMITTED,
        **AUTO_RESPONSE_SUPPRESS,
        **message.get("headers", {}),
    }


def inline_cid(name: str) -> str:
    """A content id for an inline image named ``name`` (its file name, e.g. "code.png"),
    on the portal's domain: the HTML body shows it with ``<img src="cid:...">``."""
    return f"{name}@{settings.EMAIL_MESSAGE_ID_DOMAIN or 'cos-ge'}"


class PortalEmail(EmailMultiAlternatives):
    """A message whose HTML body shows images of its own (``inline``: (content id, bytes,
    mimetype)): the text and HTML alternatives and the images in one multipart/related
    part (RFC 2387), the attachments, if any, around it."""

    def __init__(self, *args, inline: Iterable[tuple[str, bytes, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.inline = list(inline)

    def _create_alternatives(self, msg):
        msg = super()._create_alternatives(msg)
        if not self.inline:
            return msg
        related = SafeMIMEMultipart(
            _subtype="related",
            encoding=self.encoding or settings.DEFAULT_CHARSET,
            type="multipart/alternative",
        )
        related.attach(msg)
        for cid, content, mimetype in self.inline:
            image = MIMEImage(content, _subtype=mimetype.split("/", 1)[1])
            image.add_header("Content-ID", f"<{cid}>")
            # The file name shows it in a client that reads the text body only.
            image.add_header("Content-Disposition", "inline", filename=cid.split("@", 1)[0])
            related.attach(image)
        return related


def email_build(message: dict, *, connection=None) -> EmailMultiAlternatives:
    """The mail server's message for one composed e-mail (``connection``: a batch's own)."""
    email = PortalEmail(
        message["subject"],
        message["body"],
        None,
        message["to"],
        connection=connection,
        reply_to=message.get("reply_to") or None,
        headers=email_headers(message),
        inline=[
            (cid, base64.b64decode(content), mimetype)
            for cid, content, mimetype in message.get("inline", [])
        ],
    )
    if message.get("html"):
        email.attach_alternative(message["html"], "text/html")
    for name, content, mimetype in message.get("attachments", []):
        email.attach(name, base64.b64decode(content), mimetype)
    return email


def email_send(message: dict) -> int:
    """Hand one composed e-mail to the mail server; the number of messages sent (0 or 1)."""
    return email_build(message).send()
