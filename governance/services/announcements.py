"""Writes of announcements (the COPIL's newsletter): draft, send, deliver.

Rule S2: recipients are computed when the COPIL sends, from the statuses in force at
that moment; each recipient is a logged delivery row, unique per address, that the
e-mail task sends at most once (ARCHITECTURE §5, §6).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from charters.selectors import is_copil
from cos_portal.audit import audit_log
from cos_portal.queue import task_enqueue

from .. import selectors_announcements as selectors
from ..exceptions import AnnouncementError, NotAllowed
from ..models.announcements import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementStatus,
    DeliveryStatus,
)
from ..models.commissions import Commission


def _require_copil(actor) -> None:
    if not is_copil(actor):
        raise NotAllowed(_("Seul le COPIL rédige et envoie les annonces."))


@transaction.atomic
def announcement_create(
    *,
    actor,
    subject: str,
    body: str,
    subject_en: str = "",
    body_en: str = "",
    to_members_partners: bool = True,
    commission: Commission | None = None,
    now: datetime.datetime | None = None,
) -> Announcement:
    _require_copil(actor)
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise AnnouncementError(_("L'objet et le texte de l'annonce sont obligatoires."))
    if not to_members_partners and commission is None:
        raise AnnouncementError(
            _("Choisissez au moins un public : les membres et partenaires, ou une commission.")
        )
    if bool(subject_en.strip()) != bool(body_en.strip()):
        raise AnnouncementError(
            _("La version anglaise demande à la fois un objet et un texte, ou aucun des deux.")
        )
    announcement = Announcement.objects.create(
        subject=subject,
        body=body,
        subject_en=subject_en.strip(),
        body_en=body_en.strip(),
        to_members_partners=to_members_partners,
        commission=commission,
        created_by=actor,
    )
    audit_log(
        action="governance.announcement.created",
        actor=actor,
        target=announcement,
        data={"subject": subject, "commission": commission.pk if commission else None},
        now=now,
    )
    return announcement


@transaction.atomic
def announcement_send(
    *, announcement: Announcement, actor, now: datetime.datetime | None = None
) -> int:
    """Charter art. 3.4 and 4 (S2): log one delivery per current recipient, then queue
    the e-mails after commit. An announcement is sent once; returns the recipients."""
    _require_copil(actor)
    now = now or timezone.now()
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if announcement.status == AnnouncementStatus.SENT:
        raise AnnouncementError(_("Cette annonce a déjà été envoyée."))
    recipients = selectors.announcement_recipients(
        to_members_partners=announcement.to_members_partners,
        commission=announcement.commission,
        at=now,
    )
    if not recipients:
        raise AnnouncementError(_("Aucun destinataire : rien n'a été envoyé."))
    AnnouncementDelivery.objects.bulk_create(
        [
            AnnouncementDelivery(
                announcement=announcement,
                user_id=r.user_id,
                email=r.email,
                organisation_id=r.organisation_id,
                reason=r.reason,
                language=r.language,
                queued_at=now,
            )
            for r in recipients
        ]
    )
    announcement.status = AnnouncementStatus.SENT
    announcement.sent_at = now
    announcement.sent_by = actor
    announcement.save(update_fields=["status", "sent_at", "sent_by", "updated_at"])
    audit_log(
        action="governance.announcement.sent",
        actor=actor,
        target=announcement,
        data={"recipients": len(recipients)},
        now=now,
    )
    _deliveries_enqueue(announcement)
    return len(recipients)


def announcement_retry_failed(*, announcement: Announcement, actor) -> int:
    """Queue the failed deliveries again (the COPIL's button after a mail server outage)."""
    _require_copil(actor)
    failed = announcement.deliveries.filter(status=DeliveryStatus.FAILED).count()
    if failed:
        _deliveries_enqueue(announcement)
    return failed


def _deliveries_enqueue(announcement: Announcement) -> None:
    from ..tasks import announcement_deliveries_send_task

    task_enqueue(announcement_deliveries_send_task, announcement.pk)


def announcement_deliveries_send(
    *, announcement_id: int, now: datetime.datetime | None = None
) -> tuple[int, int]:
    """Send the deliveries not sent yet; returns (sent now, failed now).

    Each row is locked and checked before its e-mail goes: a second run, or a second
    worker at the same time, skips what is sent (or being sent) and sends nothing twice.
    """
    announcement = Announcement.objects.get(pk=announcement_id)
    url = settings.SITE_URL.rstrip("/") + "/"
    sent = failed = 0
    pending = list(
        announcement.deliveries.exclude(status=DeliveryStatus.SENT).values_list("pk", flat=True)
    )
    for pk in pending:
        with transaction.atomic():
            delivery = (
                AnnouncementDelivery.objects.select_for_update(skip_locked=True)
                .filter(pk=pk)
                .exclude(status=DeliveryStatus.SENT)
                .first()
            )
            if delivery is None:
                continue
            delivery.attempts += 1
            try:
                _delivery_email(announcement, delivery, url=url).send()
            except OSError as error:  # SMTP refused or unreachable: kept for a retry
                delivery.status = DeliveryStatus.FAILED
                delivery.last_error = f"{error.__class__.__name__}: {error}"[:1000]
                failed += 1
            else:
                delivery.status = DeliveryStatus.SENT
                delivery.sent_at = now or timezone.now()
                delivery.last_error = ""
                sent += 1
            delivery.save(update_fields=["status", "attempts", "last_error", "sent_at"])
    return sent, failed


def _delivery_email(
    announcement: Announcement, delivery: AnnouncementDelivery, *, url: str
) -> EmailMultiAlternatives:
    # Rendered in the recipient's language; the English version when the COPIL wrote one.
    language = delivery.language if delivery.language in dict(settings.LANGUAGES) else "fr"
    english = language == "en" and announcement.subject_en
    with translation.override(language):
        context = {
            "subject": announcement.subject_en if english else announcement.subject,
            "body": announcement.body_en if english else announcement.body,
            "reason": delivery.get_reason_display(),
            "commission": announcement.commission,
            "url": url,
        }
        message = EmailMultiAlternatives(
            subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{context['subject']}",
            body=render_to_string("governance/announcements/email/announcement.txt", context),
            to=[delivery.email],
        )
        message.attach_alternative(
            render_to_string("governance/announcements/email/announcement.html", context),
            "text/html",
        )
    return message
