"""E-mails sent through Celery: built in the recipient's language, sent by one task.

A message travels as a JSON dict (the task's only argument, and the outbox's when the
broker is down): subject, text body, optional HTML body, recipients and attachments
(base64).
"""

from __future__ import annotations

import base64

from django.core.mail import EmailMultiAlternatives


def email_message(
    *,
    subject: str,
    body: str,
    to: list[str],
    html: str = "",
    attachments: list[tuple[str, bytes, str]] = (),
    reply_to: list[str] = (),
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


def email_enqueue(**message) -> None:
    """Queue one e-mail (see email_message) after commit, via the outbox if Redis is down."""
    from .queue import task_enqueue
    from .tasks import email_send_task

    task_enqueue(email_send_task, email_message(**message))


def email_send(message: dict) -> int:
    email = EmailMultiAlternatives(
        message["subject"],
        message["body"],
        None,
        message["to"],
        reply_to=message.get("reply_to") or None,
    )
    if message.get("html"):
        email.attach_alternative(message["html"], "text/html")
    for name, content, mimetype in message.get("attachments", []):
        email.attach(name, base64.b64decode(content), mimetype)
    return email.send()
