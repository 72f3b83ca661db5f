"""What the COPIL decisions of the status lifecycle share: who may decide (G2) and how
the organisations concerned are told (e-mails, PDF letters)."""

import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from charters.selectors import is_authorised_signatory
from core.emails import email_notify
from core.pdf import render_pdf
from core.roles import is_copil

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


def _send_on_commit(build) -> None:
    """Write the e-mail now, in French (``build`` returns its recipients, subject, paragraphs
    and attachments), and queue it with the caller's transaction through the mail funnel:
    sent once the transaction commits, never if it rolls back, and if Redis is down it
    waits in the outbox (core/queue.py)."""
    with translation.override("fr"):
        mail = build()
        signature_line = _("Le COPIL de la COS-GE")
    paragraphs = list(mail["paragraphs"])
    email_notify(
        kind="status_decision",
        to=sorted(set(mail["to"])),
        subject=mail["subject"],
        body="\n\n".join([*paragraphs, signature_line]) + "\n",
        template="members/email/message",  # the HTML version
        context={
            "subject": mail["subject"],
            "paragraphs": paragraphs,
            "signature": signature_line,
        },
        language="fr",
        attachments=list(mail.get("attachments", ())),
    )


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
