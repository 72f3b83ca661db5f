"""The one e-mail funnel: every mail the portal sends is written by ``email_compose`` and
handed to the mail server by ``email_send``.

- Written in the recipient's language (``language``; French when unknown or not offered),
  the subject on one line with the portal's prefix once, the text and HTML bodies rendered
  from ``<template>.txt`` and ``<template>.html`` (the HTML one is optional); a ``body``
  given replaces the text template. A subject or body given as a function is evaluated
  in that language.
- Sent marked ``Auto-Submitted: auto-generated`` (RFC 3834: no out-of-office reply comes
  back to an address nobody reads).
- Queued with ``email_notify``: after the caller's transaction commits, through the
  outbox while Redis is down (core/queue.py). Jobs that hold a lease on their rows
  (announcements, reminders) send what ``email_build`` gives them themselves.

A message travels as a JSON dict (the task's only argument, and the outbox's when the
broker is down): subject, text body, optional HTML body, recipients, reply-to and
attachments (base64).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation

from . import queue
from .tasks import email_send_task

Text = str | Callable[[], str]

# Tells auto-responders not to answer (RFC 3834); the funnel's mark on every mail.
AUTO_SUBMITTED = {"Auto-Submitted": "auto-generated"}


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
    to: Iterable[str],
    subject: Text,
    template: str = "",
    context: dict | None = None,
    body: Text = "",
    language: str | None = None,
    attachments: Iterable[tuple[str, bytes, str]] = (),
    reply_to: Iterable[str] = (),
) -> dict | None:
    """One e-mail, written in ``language``, as the JSON message ``email_send`` sends;
    None without any recipient."""
    recipients = list(dict.fromkeys(str(address) for address in to if address))
    if not recipients:
        return None
    prefix = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
    with translation.override(recipient_language(language)):
        line = " ".join(_evaluated(subject).split())
        text = _evaluated(body) if body else render_to_string(f"{template}.txt", context or {})
        html = _optional_render(f"{template}.html", context or {}) if template else ""
    return email_message(
        subject=line if line.startswith(prefix) else f"{prefix}{line}",
        body=text,
        html=html,
        to=recipients,
        attachments=attachments,
        reply_to=reply_to,
    )


def email_message(
    *,
    subject: str,
    body: str,
    to: list[str],
    html: str = "",
    attachments: Iterable[tuple[str, bytes, str]] = (),
    reply_to: Iterable[str] = (),
) -> dict:
    return {
        "subject": str(subject),
        "body": str(body),
        "html": str(html),
        "to": [str(address) for address in to],
        "reply_to": [str(address) for address in reply_to or ()],
        "attachments": [
            [name, base64.b64encode(content).decode("ascii"), mimetype]
            for name, content, mimetype in attachments
        ],
    }


def email_notify(**composed) -> None:
    """Compose one e-mail (``email_compose``'s arguments) and queue it after commit, via
    the outbox if Redis is down. Nothing is queued without a recipient."""
    message = email_compose(**composed)
    if message is not None:
        queue.task_enqueue(email_send_task, message)


def email_enqueue(**message) -> None:
    """Queue one e-mail already written (``email_message``'s arguments) after commit."""
    queue.task_enqueue(email_send_task, email_message(**message))


def email_build(message: dict, *, connection=None) -> EmailMultiAlternatives:
    """The mail server's message for one composed e-mail (``connection``: a batch's own)."""
    email = EmailMultiAlternatives(
        message["subject"],
        message["body"],
        None,
        message["to"],
        connection=connection,
        reply_to=message.get("reply_to") or None,
        headers=AUTO_SUBMITTED,
    )
    if message.get("html"):
        email.attach_alternative(message["html"], "text/html")
    for name, content, mimetype in message.get("attachments", []):
        email.attach(name, base64.b64decode(content), mimetype)
    return email


def email_send(message: dict) -> int:
    """Hand one composed e-mail to the mail server; the number of messages sent (0 or 1)."""
    return email_build(message).send()
