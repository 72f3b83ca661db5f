"""Writes of the convocation e-mails (A2): each person on an activity's roster receives,
once, the activity's title, date, place and link, and their own check-in code as a QR
image to show at the entrance.

``convocation_notices_queue`` runs when the roster may have grown (the convocations
synced, an invitee named): it writes one ConvocationNotice per person not yet written,
unique per activity and person, then queues the e-mail task after commit. The task
claims the rows it sends (core/leases.py) and marks each one right after its e-mail, as
the announcements do: a retried task, a second sync or two workers at once never send
twice, and a worker killed in the middle of a batch leaves the rest to the periodic
resume once its lease has expired. Nothing is sent for an activity that is cancelled or
has started, nor to someone who left the roster before their turn.
"""

from __future__ import annotations

import datetime
import itertools

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import emails
from core.emails import email_compose, inline_cid
from core.leases import Lease
from core.queue import task_enqueue
from core.site import absolute_url

from . import selectors
from .checkin_codes import checkin_code_png
from .models import Activity, ConvocationNotice, ConvocationNoticeStatus
from .tasks import convocation_notices_send_task

CONVOCATION_MAIL = "activity_convocation"
QR_NAME = "code-pointage.png"

# The first try and five more, after 1, 2, 4, 8 and 16 minutes (as the announcements).
NOTICE_MAX_ATTEMPTS = 6
NOTICE_BACKOFF_SECONDS = 60


def notice_backoff(attempts: int) -> int:
    """Seconds before the next try after ``attempts`` tries: 1, 2, 4, 8, 16 minutes."""
    return NOTICE_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)


def _moment(now: datetime.datetime | None) -> datetime.datetime:
    # A mail leaves now: an activity that started by the clock is not convened to any
    # more, even when the caller dates its change earlier (a correction, the demo).
    return max(now, timezone.now()) if now else timezone.now()


def _still_convening(activity: Activity, *, now: datetime.datetime | None) -> bool:
    return not activity.is_cancelled and activity.starts_at > _moment(now)


@transaction.atomic
def convocation_notices_queue(*, activity: Activity, now: datetime.datetime | None = None) -> int:
    """A2: one convocation e-mail for each person on the activity's roster who has none
    yet, queued after commit; returns how many were added. Nothing for an activity that
    is cancelled or has started."""
    if not _still_convening(activity, now=now):
        return 0
    roster = selectors.roster_user_ids(activity=activity)
    written = set(
        ConvocationNotice.objects.filter(activity=activity).values_list("user_id", flat=True)
    )
    new = sorted(roster - written)
    if not new:
        return 0
    queued_at = now or timezone.now()
    ConvocationNotice.objects.bulk_create(
        [ConvocationNotice(activity=activity, user_id=pk, queued_at=queued_at) for pk in new],
        batch_size=1000,
        ignore_conflicts=True,  # a concurrent sync wrote some: theirs stand
    )
    _notices_enqueue(activity.pk)
    return len(new)


def _notices_enqueue(activity_id: int, *, countdown: int | None = None) -> None:
    task_enqueue(convocation_notices_send_task, activity_id, countdown=countdown)


def convocation_notices_send(
    *, activity_id: int, now: datetime.datetime | None = None
) -> tuple[int, int]:
    """Send the activity's convocation e-mails not sent yet; returns (sent now, failed
    now). The run claims the rows nobody holds in one query and sends only those."""
    lease = Lease(ConvocationNotice)
    lease.claim(
        ConvocationNotice.objects.filter(activity_id=activity_id).exclude(
            status=ConvocationNoticeStatus.SENT
        )
    )
    return _notices_deliver(lease, now=now)


def convocation_notices_resume(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Every five minutes: send the e-mails whose run died (its lease expired) or whose
    next try was lost, while tries are left; returns (sent now, failed now)."""
    lease = Lease(ConvocationNotice)
    if not lease.claim(
        ConvocationNotice.objects.exclude(status=ConvocationNoticeStatus.SENT).filter(
            attempts__lt=NOTICE_MAX_ATTEMPTS
        )
    ):
        return 0, 0
    return _notices_deliver(lease, now=now)


def _notices_deliver(lease: Lease, *, now: datetime.datetime | None) -> tuple[int, int]:
    sent = failed = 0
    retries: set[tuple[int, int]] = set()
    notices = lease.held().select_related("activity", "user").order_by("activity_id", "pk")
    for activity_id, group in itertools.groupby(list(notices), key=lambda n: n.activity_id):
        group = list(group)
        activity = group[0].activity
        if not _still_convening(activity, now=now):
            # Cancelled or started meanwhile: nobody is convened by mail any more.
            lease.held().filter(activity_id=activity_id).delete()
            continue
        roster = selectors.roster_user_ids(activity=activity)
        url = absolute_url(activity.get_absolute_url())
        for notice in group:
            if notice.user_id not in roster:
                # Left the roster (the organisation withdrawn, the person no longer its
                # representative) before their turn: no seat, no mail.
                lease.held().filter(pk=notice.pk).delete()
                continue
            lease.renew_if_due()
            ok, countdown = lease.deliver(
                notice.pk,
                _notice_email(notice, url=url).send,
                attempts=notice.attempts + 1,
                max_attempts=NOTICE_MAX_ATTEMPTS,
                backoff=notice_backoff,
                sent_status=ConvocationNoticeStatus.SENT,
                failed_status=ConvocationNoticeStatus.FAILED,
                sent_at=now,
            )
            sent, failed = sent + ok, failed + (not ok)
            if countdown is not None:
                retries.add((activity_id, countdown))
    for activity_id, countdown in sorted(retries):
        _notices_enqueue(activity_id, countdown=countdown)
    return sent, failed


def _notice_email(notice: ConvocationNotice, *, url: str):
    activity, user = notice.activity, notice.user
    cid = inline_cid(QR_NAME)
    return emails.email_build(  # looked up on the module: the funnel, patchable as one
        email_compose(
            kind=CONVOCATION_MAIL,
            to=[user.email],
            subject=lambda: (
                _("Convocation : %(title)s, le %(date)s")
                % {
                    "title": activity.title,
                    "date": timezone.localtime(activity.starts_at).strftime("%d/%m/%Y"),
                }
            ),
            template="activities/email/convocation",
            context={
                "activity": activity,
                "person": user,
                "url": url,
                "qr_cid": cid,
                "qr_name": QR_NAME,
            },
            language=user.language,
            inline=[(cid, checkin_code_png(activity.pk, user.pk), "image/png")],
        )
    )
