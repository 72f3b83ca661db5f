"""Calendar rules (V9, V10) and the planning of an election: creation, announcement
and the announcement e-mails (V2, V11, V12)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from activities.constants import ActivityKind
from activities.models import Activity
from charters.constants import CharterParameters
from charters.selectors import charter_parameters
from core.audit import audit_log
from core.emails import email_compose, email_send
from core.queue import task_enqueue
from core.site import absolute_url
from governance.audit_actions import ElectionsAudit
from governance.elections import selectors as election_selectors
from governance.elections.models import Election, ElectionStatus
from governance.elections.tasks import election_announcement_send_task
from governance.exceptions import ElectionsError
from governance.selectors import Prerequisite, member_organisations
from members.selectors import active_representatives

from ._common import _fmt, _lock, _require_commission, _require_status
from .seats import seats_to_renew

# --- Calendar rules (V9, V10) -------------------------------------------------------------
# The notice (V9) and the blackout windows (V10) are parameters of the charter version in
# force (``CharterParameters.election_notice_weeks``, ``election_blackout_windows``).


def _month_day(value: str) -> tuple[int, int]:
    month, day = value.split("-")
    return int(month), int(day)


def _window_day(value: str) -> str:
    # Any leap year, so that "02-29" reads as a day; only the day and month are shown.
    return formats.date_format(datetime.date(2000, *_month_day(value)), "j F")


def in_blackout(day: datetime.date, *, params: CharterParameters | None = None) -> bool:
    """Charter art. 6.2 (V10): no election in the charter's windows, both ends included
    (V1 R001: 20 July-5 September and 20 December-5 January)."""
    params = params or charter_parameters(on=day)
    md = (day.month, day.day)
    for first, last in params.election_blackout_windows:
        start, end = _month_day(first), _month_day(last)
        if start <= end:
            if start <= md <= end:
                return True
        elif md >= start or md <= end:  # the window spans the new year
            return True
    return False


def blackout_windows_text(*, params: CharterParameters, between: bool = True) -> str:
    """The windows in words: "entre le 20 juillet et le 5 septembre, ni entre le 20
    décembre et le 5 janvier" (``between``), or "du 20 juillet au 5 septembre ni du 20
    décembre au 5 janvier" (help texts)."""
    if between:
        phrase, joiner = _("entre le %(first)s et le %(last)s"), _(", ni ")
    else:
        phrase, joiner = _("du %(first)s au %(last)s"), _(" ni ")
    return joiner.join(
        phrase % {"first": _window_day(first), "last": _window_day(last)}
        for first, last in params.election_blackout_windows
    )


def election_calendar_help(*, on: datetime.date | None = None) -> str:
    """V9, V10 in one sentence, from the charter in force on ``on`` (today by default)."""
    params = charter_parameters(on=on or timezone.localdate())
    if not params.election_blackout_windows:
        return _(
            "La date de l'élection doit être annoncée au moins %(weeks)s semaines à l'avance "
            "(article 6.2)."
        ) % {"weeks": params.election_notice_weeks}
    return _(
        "Pas d'élection %(windows)s ; la date doit être annoncée au moins %(weeks)s semaines "
        "à l'avance (article 6.2)."
    ) % {
        "windows": blackout_windows_text(params=params, between=False),
        "weeks": params.election_notice_weeks,
    }


def first_allowed_date(
    *, announced_on: datetime.date, params: CharterParameters | None = None
) -> datetime.date:
    """The first election date allowed when announced on ``announced_on`` (V9, V10)."""
    params = params or charter_parameters(on=announced_on)
    day = announced_on + datetime.timedelta(weeks=params.election_notice_weeks)
    for _day in range(367):  # a year and a day: past every window of a calendar year
        if not in_blackout(day, params=params):
            return day
        day += datetime.timedelta(days=1)
    raise ElectionsError(
        _("La charte en vigueur ne laisse aucun jour de l'année pour une élection.")
    )


def election_date_check(
    *,
    election_date: datetime.date,
    announced_on: datetime.date,
    params: CharterParameters | None = None,
) -> None:
    """Refuse a date in a blackout window (V10) or announced too late (V9)."""
    params = params or charter_parameters(on=announced_on)
    first = first_allowed_date(announced_on=announced_on, params=params)
    if in_blackout(election_date, params=params):
        raise ElectionsError(
            _("Pas d'élection %(windows)s (article 6.2). Première date possible : %(first)s.")
            % {"windows": blackout_windows_text(params=params), "first": _fmt(first)}
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


def election_create_prerequisites(
    *, now: datetime.datetime | None = None, may_create_activity: bool = False
) -> list[Prerequisite]:
    """What ``election_create`` checks, stated before its form with today's state: the
    election commission (V12), the notice and the blackout windows (V9, V10), an ordinary
    plenary on an allowed date, the ordinary plenary before it where candidacies close
    (V11), seats to renew at that date (V3). ``may_create_activity``: link to the
    activity form where a plenary is missing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    params = charter_parameters(on=today)
    first = first_allowed_date(announced_on=today, params=params)
    new_plenary = ""
    if may_create_activity:
        new_plenary = reverse("activities:create") + f"?type={ActivityKind.ORDINARY_PLENARY}"
    create_label = _("Créer l'activité plénière ordinaire")

    people = election_selectors.election_commission_people(on=today)
    commission = election_selectors.elections_commission()
    rows = [
        Prerequisite(
            label=_("Une commission électorale en place (article 8)"),
            ok=bool(people),
            state=(
                _("Commission électorale : %(names)s.")
                % {"names": ", ".join(str(person) for person in people)}
                if people
                else _(
                    "Aucun membre de la commission électorale : le COPIL accepte les "
                    "volontaires de la commission permanente « Élections du COPIL »."
                )
            ),
            link_url=commission.get_absolute_url() if commission and not people else "",
            link_label=_("Voir la commission") if commission and not people else "",
        ),
        Prerequisite(
            label=_("Préavis et périodes sans élection (article 6.2)"),
            ok=True,
            state=election_calendar_help(on=today)
            + " "
            + _("Annoncée aujourd'hui, l'élection peut avoir lieu à partir du %(first)s.")
            % {"first": _fmt(first)},
        ),
    ]
    taken = Election.objects.values("plenary_id")
    plenaries = list(
        Activity.objects.filter(
            kind=ActivityKind.ORDINARY_PLENARY, starts_at__gt=now, cancelled_at__isnull=True
        )
        .exclude(pk__in=taken)
        .order_by("starts_at")
    )
    allowed = [
        plenary
        for plenary in plenaries
        if timezone.localdate(plenary.starts_at) >= first
        and not in_blackout(timezone.localdate(plenary.starts_at), params=params)
    ]
    if not allowed:
        rows.append(
            Prerequisite(
                label=_("Une réunion plénière ordinaire pour l'élection"),
                ok=False,
                state=_(
                    "Aucune plénière ordinaire à partir du %(first)s hors des périodes sans "
                    "élection : créez d'abord l'activité plénière."
                )
                % {"first": _fmt(first)},
                link_url=new_plenary,
                link_label=create_label if new_plenary else "",
            )
        )
        return rows
    # The first allowed plenary whose previous ordinary plenary is still to come (V11).
    previous_of = {plenary.pk: previous_ordinary_plenary(plenary=plenary) for plenary in allowed}
    plenary = next(
        (p for p in allowed if previous_of[p.pk] and previous_of[p.pk].starts_at > now),
        allowed[0],
    )
    election_date = timezone.localdate(plenary.starts_at)
    rows.append(
        Prerequisite(
            label=_("Une réunion plénière ordinaire pour l'élection"),
            ok=True,
            state=_("Prochaine plénière possible : %(date)s, « %(title)s ».")
            % {"date": _fmt(election_date), "title": plenary.title},
        )
    )
    previous = previous_of[plenary.pk]
    rows.append(
        Prerequisite(
            label=_("La plénière ordinaire précédente, où se clôturent les candidatures"),
            ok=previous is not None and previous.starts_at > now,
            state=(
                _("Clôture des candidatures : %(date)s, « %(title)s ».")
                % {"date": _fmt(timezone.localdate(previous.starts_at)), "title": previous.title}
                if previous is not None and previous.starts_at > now
                else _(
                    "Aucune plénière ordinaire à venir avant le %(date)s : créez-en une, où "
                    "les candidatures se clôtureront."
                )
                % {"date": _fmt(election_date)}
            ),
            link_url="" if previous is not None and previous.starts_at > now else new_plenary,
            link_label=""
            if previous is not None and previous.starts_at > now or not new_plenary
            else create_label,
        )
    )
    up = [row for row in seats_to_renew(on=election_date) if row.is_up]
    rows.append(
        Prerequisite(
            label=_("Des sièges à renouveler (article 6.2)"),
            ok=bool(up),
            state=(
                _("Sièges à renouveler au %(date)s : %(count)s.")
                % {"date": _fmt(election_date), "count": len(up)}
                if up
                else _("Aucun siège n'est à renouveler au %(date)s.")
                % {"date": _fmt(election_date)}
            ),
        )
    )
    return rows


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
        action=ElectionsAudit.ELECTION_CREATED,
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
    """V9: the date is announced to all members at least ``election_notice_weeks`` weeks
    ahead (a charter parameter), by e-mail."""
    now = now or timezone.now()
    _require_commission(actor)
    election = _lock(election)
    _require_status(election, ElectionStatus.DRAFT)
    election_date_check(election_date=election.election_date, announced_on=timezone.localdate(now))
    election.status = ElectionStatus.ANNOUNCED
    election.announced_at = now
    election.save(update_fields=["status", "announced_at", "updated_at"])
    audit_log(action=ElectionsAudit.ELECTION_ANNOUNCED, actor=actor, target=election, now=now)
    task_enqueue(election_announcement_send_task, election.pk)
    return election


# --- A plenary that changes date or kind (V9, V10, V11) -------------------------------------
# activities calls these through the hook governance registers in its AppConfig.ready()
# (governance/hooks.py): activities never imports governance.

OPEN_ELECTION_STATUSES = (ElectionStatus.DRAFT, ElectionStatus.ANNOUNCED)


def _candidacies_close_at(
    *,
    plenary_starts_at: datetime.datetime,
    moved: Activity,
    starts_at: datetime.datetime,
    kind: str,
) -> datetime.datetime | None:
    """V11: the start of the last ordinary plenary before ``plenary_starts_at``, with the
    activity ``moved`` at ``starts_at`` and of ``kind``."""
    closes = (
        Activity.objects.filter(kind=ActivityKind.ORDINARY_PLENARY, starts_at__lt=plenary_starts_at)
        .exclude(pk=moved.pk)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    if (
        kind == ActivityKind.ORDINARY_PLENARY
        and starts_at < plenary_starts_at
        and (closes is None or starts_at > closes)
    ):
        return starts_at
    return closes


def election_plenary_change_check(
    *,
    activity: Activity,
    starts_at: datetime.datetime,
    kind: str,
    now: datetime.datetime | None = None,
) -> None:
    """Refuse a new date or kind of an ordinary plenary that would break an election.

    The election's own plenary stays an ordinary plenary (V9); once the vote is open its
    day no longer changes; a new day is checked as a new announcement made today (V9
    notice, V10 blackout windows) and must still have seats to renew (V3). For every
    election in preparation or announced, candidacies must still close at an ordinary
    plenary to come before it (V11). ``activity`` is the plenary as stored.
    """
    now = now or timezone.now()
    election = Election.objects.filter(plenary_id=activity.pk).first()
    if election is not None:
        if kind != ActivityKind.ORDINARY_PLENARY:
            error = ElectionsError(
                _(
                    "Une élection est prévue à cette réunion : elle reste une réunion "
                    "plénière ordinaire (article 6.2)."
                )
            )
            error.field = "kind"
            raise error
        day = timezone.localdate(starts_at)
        if day != election.election_date:
            if election.status not in OPEN_ELECTION_STATUSES:
                raise ElectionsError(
                    _(
                        "Le vote de cette élection est ouvert ou clos : la date de sa réunion "
                        "plénière ne change plus."
                    )
                )
            election_date_check(election_date=day, announced_on=timezone.localdate(now))
            if not any(row.is_up for row in seats_to_renew(on=day)):
                raise ElectionsError(
                    _("Aucun siège n'est à renouveler à cette date (article 6.2).")
                )
    if ActivityKind.ORDINARY_PLENARY not in (activity.kind, kind):
        return
    open_elections = Election.objects.filter(status__in=OPEN_ELECTION_STATUSES).select_related(
        "plenary"
    )
    for other in open_elections:
        plenary_starts_at = (
            starts_at if other.plenary_id == activity.pk else other.plenary.starts_at
        )
        closes = _candidacies_close_at(
            plenary_starts_at=plenary_starts_at, moved=activity, starts_at=starts_at, kind=kind
        )
        if closes != other.candidacy_deadline and (closes is None or closes <= now):
            error = ElectionsError(
                _(
                    "Les candidatures de l'élection « %(title)s » se clôturent à la réunion "
                    "plénière ordinaire qui précède la sienne (article 6.2) : après ce "
                    "changement, il n'y en aurait plus aucune à venir."
                )
                % {"title": other.title}
            )
            if timezone.localdate(starts_at) == timezone.localdate(activity.starts_at):
                error.field = "kind"
            raise error


@transaction.atomic
def election_plenary_changed(
    *,
    activity: Activity,
    previous_starts_at: datetime.datetime,
    previous_kind: str,
    actor,
    now: datetime.datetime | None = None,
) -> None:
    """Re-plan the elections a saved change of an ordinary plenary concerns.

    An election's date is always its plenary's day (V9); its candidacies close at the
    ordinary plenary before it (V11); its seats to fill are those up on its date (V3).
    An announced election whose date or candidacy deadline changed is announced again,
    today, to every member (the check above required the charter's notice from today).
    """
    now = now or timezone.now()
    if ActivityKind.ORDINARY_PLENARY not in (activity.kind, previous_kind):
        return
    for election in (
        Election.objects.select_for_update()
        .filter(status__in=OPEN_ELECTION_STATUSES)
        .select_related("plenary")
    ):
        day = timezone.localdate(election.plenary.starts_at)
        previous = previous_ordinary_plenary(plenary=election.plenary)
        closes = previous.starts_at if previous else election.candidacy_deadline
        if day == election.election_date and closes == election.candidacy_deadline:
            continue
        data = {"from": election.election_date.isoformat(), "to": day.isoformat()}
        fields = ["updated_at"]
        if day != election.election_date:
            election.election_date = day
            election.seats_to_fill = max(1, sum(1 for row in seats_to_renew(on=day) if row.is_up))
            fields += ["election_date", "seats_to_fill"]
        if closes != election.candidacy_deadline:
            election.candidacy_deadline = closes
            fields.append("candidacy_deadline")
            data["candidacy_deadline"] = closes.isoformat()
        announce_again = election.status == ElectionStatus.ANNOUNCED
        if announce_again:
            election.announced_at, election.announcement_sent_at = now, None
            fields += ["announced_at", "announcement_sent_at"]
        election.save(update_fields=fields)
        data["announced_again"] = announce_again
        audit_log(
            action=ElectionsAudit.ELECTION_RESCHEDULED,
            actor=actor,
            target=election,
            data=data,
            now=now,
        )
        if announce_again:
            moved_from = data["from"] if data["from"] != data["to"] else None
            task_enqueue(election_announcement_send_task, election.pk, previous_date=moved_from)


def election_announcement_send(
    *,
    election_id: int,
    previous_date: str | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """E-mail the announcement to every representative of a member; once per announcement
    (a moved election is announced again, saying the day it no longer takes place)."""
    now = now or timezone.now()
    moved_from = datetime.date.fromisoformat(previous_date) if previous_date else None
    url = absolute_url(reverse("elections:detail", kwargs={"pk": election_id}))
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election_id)
        if election.announcement_sent_at is not None or election.announced_at is None:
            return 0
        election.announcement_sent_at = now
        election.save(update_fields=["announcement_sent_at"])
    members = member_organisations(at=now).values("pk")
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
        email_send(
            email_compose(
                kind="election_announcement",
                to=[user.email],
                subject=lambda: (
                    _("[COS-GE] Élection du COPIL le %(date)s")
                    % {"date": _fmt(election.election_date)}
                ),
                template="governance/elections/email/announcement",
                context={"election": election, "url": url, "user": user, "moved_from": moved_from},
                language=user.language,
            )
        )
    return len(sent)
