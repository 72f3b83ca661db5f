"""Writes of announcements (the COPIL's newsletter): draft, send, deliver.

Rule S2: recipients are computed when the COPIL sends, from the statuses in force at
that moment; each recipient is a logged delivery row, unique per address, that the
e-mail task sends at most once (ARCHITECTURE §5, §6). The task claims the rows it sends
(core/leases.py) and marks each one right after its e-mail: a worker killed in the
middle of the batch leaves the rest to the periodic resume, once its lease has expired.
"""

from __future__ import annotations

import datetime

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from core import emails
from core.audit import audit_log
from core.emails import email_compose, recipient_language
from core.leases import Lease
from core.queue import task_enqueue
from core.roles import is_copil
from core.site import absolute_url
from governance.audit_actions import AnnouncementsAudit
from governance.commissions.models import Commission
from governance.exceptions import AnnouncementError, NotAllowed

from . import ANNOUNCEMENT_MAIL, selectors
from .models import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementStatus,
    DeliveryStatus,
)
from .tasks import announcement_deliveries_send_task


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
        action=AnnouncementsAudit.CREATED,
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
        action=AnnouncementsAudit.SENT,
        actor=actor,
        target=announcement,
        data={"recipients": len(recipients)},
        now=now,
    )
    _deliveries_enqueue(announcement.pk)
    return len(recipients)


def announcement_retry_failed(*, announcement: Announcement, actor) -> int:
    """Queue the failed deliveries again, now (the COPIL's button after a mail server
    outage): their wait for the next automatic try is cut short."""
    _require_copil(actor)
    failed = announcement.deliveries.filter(status=DeliveryStatus.FAILED)
    count = failed.count()
    if count:
        failed.filter(claimed_by="").update(claimed_until=None)
        _deliveries_enqueue(announcement.pk)
    return count


def _deliveries_enqueue(announcement_id: int, *, countdown: int | None = None) -> None:
    task_enqueue(announcement_deliveries_send_task, announcement_id, countdown=countdown)


# The first try and five more, after 1, 2, 4, 8 and 16 minutes; then the delivery stays
# failed in the log until the COPIL's button queues it again.
DELIVERY_MAX_ATTEMPTS = 6
DELIVERY_BACKOFF_SECONDS = 60


def delivery_backoff(attempts: int) -> int:
    """Seconds before the next try after ``attempts`` tries: 1, 2, 4, 8, 16 minutes."""
    return DELIVERY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)


def announcement_deliveries_send(
    *, announcement_id: int, now: datetime.datetime | None = None
) -> tuple[int, int]:
    """Send the announcement's deliveries not sent yet; returns (sent now, failed now).

    The run claims the rows nobody holds (core/leases.py) in one query and sends
    only those, marking each one right after its e-mail: a second run, or a second
    worker at the same time, never sends a delivery twice, and no row lock is held
    during SMTP. A failed one waits for its next try (delivery_backoff), queued here.
    """
    lease = Lease(AnnouncementDelivery)
    lease.claim(
        AnnouncementDelivery.objects.filter(announcement_id=announcement_id).exclude(
            status=DeliveryStatus.SENT
        )
    )
    return _deliveries_deliver(lease, now=now)


def announcement_deliveries_resume(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Every few minutes: send the deliveries whose run died (its lease expired) or whose
    next try was lost, while tries are left; returns (sent now, failed now). Nothing to
    take over: one query."""
    lease = Lease(AnnouncementDelivery)
    if not lease.claim(
        AnnouncementDelivery.objects.exclude(status=DeliveryStatus.SENT).filter(
            attempts__lt=DELIVERY_MAX_ATTEMPTS
        )
    ):
        return 0, 0
    return _deliveries_deliver(lease, now=now)


def _deliveries_deliver(lease: Lease, *, now: datetime.datetime | None) -> tuple[int, int]:
    url = absolute_url()
    sent = failed = 0
    retries: set[tuple[int, int]] = set()
    deliveries = (
        lease.held().select_related("announcement", "user").order_by("announcement_id", "pk")
    )
    for delivery in list(deliveries):
        lease.renew_if_due()
        ok, countdown = lease.deliver(
            delivery.pk,
            _delivery_email(delivery.announcement, delivery, url=url).send,
            attempts=delivery.attempts + 1,
            max_attempts=DELIVERY_MAX_ATTEMPTS,
            backoff=delivery_backoff,
            sent_status=DeliveryStatus.SENT,
            failed_status=DeliveryStatus.FAILED,
            sent_at=now,
        )
        sent, failed = sent + ok, failed + (not ok)
        if countdown is not None:
            retries.add((delivery.announcement_id, countdown))
    # One task per announcement and delay: it sends every delivery whose try has come.
    for announcement_id, countdown in sorted(retries):
        _deliveries_enqueue(announcement_id, countdown=countdown)
    return sent, failed


def _delivery_email(
    announcement: Announcement, delivery: AnnouncementDelivery, *, url: str
) -> EmailMultiAlternatives:
    # Written in the recipient's language; the English version when the COPIL wrote one.
    english = recipient_language(delivery.language) == "en" and announcement.subject_en
    subject = announcement.subject_en if english else announcement.subject
    return emails.email_build(  # looked up on the module: the funnel, patchable as one
        email_compose(
            kind=ANNOUNCEMENT_MAIL,
            to=[delivery.email],
            subject=subject,
            template="governance/announcements/email/announcement",
            context={
                "subject": subject,
                "body": announcement.body_en if english else announcement.body,
                "reason": lazy(delivery.get_reason_display, str)(),  # in the funnel's language
                "commission": announcement.commission,
                "url": url,
            },
            language=delivery.language,
            recipient=delivery.user,  # their own link to stop the announcements
        )
    )
