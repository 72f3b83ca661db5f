"""What the COPIL decisions of the status lifecycle share: who may decide (G2) and how
the organisations concerned are told (e-mails, PDF letters)."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from charters.selectors import is_authorised_signatory
from core.emails import email_message
from core.pdf import render_pdf
from core.queue import task_enqueue
from core.roles import is_copil
from core.tasks import email_send_task

from .. import selectors
from ..exceptions import MembersError, NotAllowed
from ..models import Organisation


def _require_copil(actor) -> None:
    """Charter art. 6 (G2): only COPIL members take these decisions (not superusers)."""
    if not is_copil(actor):
        raise NotAllowed()


def _require_signatory(actor, organisation: Organisation, *, on: datetime.date) -> None:
    if not is_authorised_signatory(user=actor, organisation=organisation, on=on):
        raise MembersError(_("Seul un signataire habilité de l'entité peut faire cette démarche."))


def _require_representative(actor, organisation: Organisation, *, on: datetime.date) -> None:
    if not selectors.is_active_representative(user=actor, organisation=organisation, on=on):
        raise MembersError(_("Seuls les représentants de l'entité peuvent faire cette démarche."))


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _message(
    *,
    to: Iterable[str],
    subject: str,
    paragraphs: Iterable[str],
    attachments: Iterable[tuple[str, bytes, str]] = (),
) -> dict | None:
    """A French e-mail, plain text and HTML, with optional attachments, as the JSON
    message of core.emails; None without recipients."""
    from django.template.loader import render_to_string

    recipients = sorted({address for address in to if address})
    if not recipients:
        return None
    paragraphs = list(paragraphs)
    signature_line = _("Le COPIL de la COS-GE")
    text = "\n\n".join([*paragraphs, signature_line]) + "\n"
    html = render_to_string(
        "members/email/message.html",
        {"subject": subject, "paragraphs": paragraphs, "signature": signature_line},
    )
    return email_message(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=text,
        to=recipients,
        html=html,
        attachments=list(attachments),
    )


def _send_on_commit(build) -> None:
    """Build the e-mail now (in French) and queue it with the caller's transaction: it is
    sent once the transaction commits, never if it rolls back, and if Redis is down it
    waits in the outbox (core/queue.py)."""
    with translation.override("fr"):
        message = _message(**build())
    if message is not None:
        task_enqueue(email_send_task, message)


def _representative_emails(organisation: Organisation, *, on: datetime.date) -> list[str]:
    return sorted(
        selectors.active_representatives(on=on)
        .filter(organisation=organisation)
        .values_list("user__email", flat=True)
    )


def _letter_pdf(template: str, context: dict) -> bytes:
    return render_pdf(template, context, metadata={"title": context.get("title", "")})


def _date(day: datetime.date | datetime.datetime) -> str:
    if isinstance(day, datetime.datetime):
        day = timezone.localdate(day)
    return day.strftime("%d/%m/%Y")
