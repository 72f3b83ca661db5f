"""Calendar rules (V9, V10) and the planning of an election: creation, announcement
and the announcement e-mails (V2, V11, V12)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from activities.constants import ActivityKind
from activities.models import Activity
from charters.constants import CharterParameters
from charters.selectors import charter_parameters
from cos_portal.audit import audit_log
from cos_portal.queue import task_enqueue
from governance import selectors_elections as selectors
from governance.exceptions import ElectionsError
from governance.models import Election, ElectionStatus

from ._common import _fmt, _lock, _require_commission, _require_status
from .seats import seats_to_renew

# Charter art. 6.2 (V10): (start month, start day) to (end month, end day), both included.
BLACKOUT_WINDOWS = (((7, 20), (9, 5)), ((12, 20), (1, 5)))


# --- Calendar rules (V9, V10) -------------------------------------------------------------


def in_blackout(day: datetime.date) -> bool:
    """Charter art. 6.2 (V10): 20 July-5 September and 20 December-5 January, included."""
    md = (day.month, day.day)
    for start, end in BLACKOUT_WINDOWS:
        if start <= end:
            if start <= md <= end:
                return True
        elif md >= start or md <= end:  # the window spans the new year
            return True
    return False


def first_allowed_date(
    *, announced_on: datetime.date, params: CharterParameters | None = None
) -> datetime.date:
    """The first election date allowed when announced on ``announced_on`` (V9, V10)."""
    params = params or charter_parameters(on=announced_on)
    day = announced_on + datetime.timedelta(weeks=params.election_notice_weeks)
    while in_blackout(day):
        day += datetime.timedelta(days=1)
    return day


def election_date_check(
    *,
    election_date: datetime.date,
    announced_on: datetime.date,
    params: CharterParameters | None = None,
) -> None:
    """Refuse a date in a blackout window (V10) or announced too late (V9)."""
    params = params or charter_parameters(on=announced_on)
    first = first_allowed_date(announced_on=announced_on, params=params)
    if in_blackout(election_date):
        raise ElectionsError(
            _(
                "Pas d'élection entre le 20 juillet et le 5 septembre, ni entre le 20 décembre "
                "et le 5 janvier (article 6.2). Première date possible : %(first)s."
            )
            % {"first": _fmt(first)}
        )
    notice = datetime.timedelta(weeks=params.election_notice_weeks)
    if election_date - announced_on < notice:
        raise ElectionsError(
            _(
                "La date de l'élection doit être annoncée au moins %(weeks)s semaines à "
                "l'avance (article 6.2). Première date possible : %(first)s."
            )
            % {"weeks": params.election_notice_weeks, "first": _fmt(first)}
        )


# --- Planning (V2, V9, V10, V11, V12) -----------------------------------------------------


def previous_ordinary_plenary(*, plenary: Activity) -> Activity | None:
    return (
        Activity.objects.filter(kind=ActivityKind.ORDINARY_PLENARY, starts_at__lt=plenary.starts_at)
        .order_by("-starts_at")
        .first()
    )


@transaction.atomic
def election_create(
    *, plenary: Activity, title: str, actor, now: datetime.datetime | None = None
) -> Election:
    """Charter art. 6.2: an election at an ordinary plenary (V9), outside the blackout
    windows (V10), candidacies closing at the previous ordinary plenary (V11)."""
    now = now or timezone.now()
    _require_commission(actor)
    if plenary.kind != ActivityKind.ORDINARY_PLENARY:
        raise ElectionsError(_("Une élection a lieu lors d'une réunion plénière ordinaire."))
    if Election.objects.filter(plenary=plenary).exists():
        raise ElectionsError(_("Une élection est déjà prévue à cette réunion plénière."))
    election_date = timezone.localdate(plenary.starts_at)
    election_date_check(election_date=election_date, announced_on=timezone.localdate(now))
    previous = previous_ordinary_plenary(plenary=plenary)
    if previous is None or previous.starts_at <= now:
        raise ElectionsError(
            _(
                "Les candidatures se clôturent à la réunion plénière ordinaire précédant "
                "l'élection (article 6.2) : programmez-la d'abord, à une date à venir."
            )
        )
    up = [row for row in seats_to_renew(on=election_date) if row.is_up]
    if not up:
        raise ElectionsError(_("Aucun siège n'est à renouveler à cette date (article 6.2)."))
    election = Election.objects.create(
        title=title.strip() or _("Élection du COPIL"),
        plenary=plenary,
        election_date=election_date,
        candidacy_deadline=previous.starts_at,
        seats_to_fill=len(up),
        created_by=actor,
    )
    audit_log(
        action="governance.election.created",
        actor=actor,
        target=election,
        data={"date": election_date.isoformat(), "seats": [r.seat.number for r in up]},
        now=now,
    )
    return election


@transaction.atomic
def election_announce(
    *, election: Election, actor, now: datetime.datetime | None = None
) -> Election:
    """V9: the date is announced to all members at least 6 weeks ahead, by e-mail."""
    now = now or timezone.now()
    _require_commission(actor)
    election = _lock(election)
    _require_status(election, ElectionStatus.DRAFT)
    election_date_check(election_date=election.election_date, announced_on=timezone.localdate(now))
    election.status = ElectionStatus.ANNOUNCED
    election.announced_at = now
    election.save(update_fields=["status", "announced_at", "updated_at"])
    audit_log(action="governance.election.announced", actor=actor, target=election, now=now)
    from governance.tasks import election_announcement_send_task

    task_enqueue(election_announcement_send_task, election.pk)
    return election


def election_announcement_send(*, election_id: int, now: datetime.datetime | None = None) -> int:
    """E-mail the announcement to every representative of a member; once only."""
    now = now or timezone.now()
    url = settings.SITE_URL.rstrip("/") + reverse("elections:detail", kwargs={"pk": election_id})
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election_id)
        if election.announcement_sent_at is not None or election.announced_at is None:
            return 0
        election.announcement_sent_at = now
        election.save(update_fields=["announcement_sent_at"])
    from members.selectors import active_representatives

    members = selectors.member_organisations(at=now).values("pk")
    recipients = (
        active_representatives(on=timezone.localdate(now))
        .filter(organisation__in=members)
        .select_related("user")
        .order_by("user__email")
    )
    sent = set()
    for representative in recipients:
        user = representative.user
        if user.email in sent or not user.is_active:
            continue
        sent.add(user.email)
        with translation.override(user.language or "fr"):
            context = {"election": election, "url": url, "user": user}
            message = EmailMultiAlternatives(
                subject=_("[COS-GE] Élection du COPIL le %(date)s")
                % {"date": _fmt(election.election_date)},
                body=render_to_string("governance/elections/email/announcement.txt", context),
                to=[user.email],
            )
            message.attach_alternative(
                render_to_string("governance/elections/email/announcement.html", context),
                "text/html",
            )
            message.send()
    return len(sent)
