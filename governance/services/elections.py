"""Services for COPIL seats, elections, proxies and ballots (art. 6).

Threat model of the secret ballot (V6: "nobody, administrators included, can learn
how an organisation voted, from the portal, the database or the logs")
-------------------------------------------------------------------------------
Two tables are written in the same transaction when a vote is cast:

* ``VoteRecord`` (the register, "émargement"): election, organisation, the person
  who cast it, the proxy used, paper or not. It is what a paper ballot box's
  signature list is: public to the commission, needed to refuse a second vote
  (unique constraint + ``select_for_update`` on the election).
* ``Ballot`` + ``BallotChoice`` (the box): election, a random receipt and the
  approved candidacies. No foreign key, timestamp, IP, user agent or sequence:
  both keys are random UUIDs, so neither the key nor ``ORDER BY`` reveals the
  insertion order.

What an attacker could still try, and why it fails:

* Join the tables: there is no column to join on (``tests/governance/
  test_ballots_secrecy.py`` inspects the schema and the stored rows).
* Match insertion orders: the register has an auto-increment key, the box has
  none. The physical order of rows (PostgreSQL ``ctid``, SQLite ``rowid``) would
  still follow insertion, so closing the vote rewrites the box in random order
  (``_ballot_box_shuffle``); after the next VACUUM nothing of the old order is left.
  An administrator watching the live database *during* the vote, statement by
  statement, is outside what this portal can defend against (as is someone
  standing behind the voter): that is the residual risk, stated here.
* Read the logs or the audit trail: no log line is written with the choices; the
  audit entry says "a ballot was cast" for the organisation, without choices and
  without the receipt. SQL statements are not logged (``django.db.backends`` at
  WARNING in settings).
* Match the receipt: it is shown once to the voter and stored only on the ballot;
  the published list of receipts lets each voter check that theirs was counted,
  and says nothing about who holds which.
* Small elections: results are aggregates; no per-ballot export is offered at all.
"""

from __future__ import annotations

import datetime
import logging
import random
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from activities.constants import ActivityKind
from activities.models import Activity
from charters.constants import CharterParameters
from charters.selectors import charter_parameters, is_copil
from cos_portal.audit import audit_log
from cos_portal.emails import email_enqueue
from cos_portal.queue import task_enqueue
from governance import selectors_elections as selectors
from governance.exceptions import ElectionsError, ElectionsWrongPassword
from governance.models import (
    Ballot,
    BallotChoice,
    Candidacy,
    CopilDecision,
    CopilMeeting,
    CopilMeetingAttendance,
    CopilSeat,
    Election,
    ElectionStatus,
    Mandate,
    MandateEndReason,
    MinutesRequest,
    MinutesRequestStatus,
    Proxy,
    ProxyStatus,
    VoteRecord,
)
from members.constants import Status
from members.models import Organisation, StatusChange

logger = logging.getLogger(__name__)


# Charter art. 6.2 (V10): (start month, start day) to (end month, end day), both included.
BLACKOUT_WINDOWS = (((7, 20), (9, 5)), ((12, 20), (1, 5)))

# V11: candidate videos (upload), checked by content.
VIDEO_MAX_BYTES = 200 * 1024 * 1024
VIDEO_EXTENSIONS = {".mp4", ".m4v", ".mov", ".webm"}


def _fmt(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


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


# --- Seats to renew (G1, V1, V3) ----------------------------------------------------------


@dataclass(frozen=True)
class SeatRenewal:
    seat: CopilSeat
    mandate: Mandate | None
    is_up: bool
    reason: str


def seat_renewal_reason(
    *, mandate: Mandate | None, on: datetime.date, params: CharterParameters
) -> str | None:
    """Why the seat of ``mandate`` is up for renewal on ``on``; None if it is not (V3)."""
    if mandate is None:
        return _("Siège vacant.")
    if mandate.end_date is not None and mandate.end_date <= on:
        return _("Siège vacant depuis le %(date)s : %(reason)s.") % {
            "date": _fmt(mandate.end_date),
            "reason": mandate.get_end_reason_display().lower(),
        }
    nominal = relativedelta(years=params.mandate_years)
    tolerance = relativedelta(months=params.mandate_tolerance_months)
    earliest = mandate.start_date + nominal - tolerance  # 21 months
    latest = mandate.start_date + nominal + tolerance  # 27 months
    if on < earliest:
        return None
    if on <= latest:
        return _(
            "Mandat commencé le %(start)s : %(years)s ans à %(months)s mois près à la date "
            "de l'élection."
        ) % {
            "start": _fmt(mandate.start_date),
            "years": params.mandate_years,
            "months": params.mandate_tolerance_months,
        }
    return _("Mandat commencé le %(start)s : dépassé de plus de %(months)s mois, à renouveler.") % {
        "start": _fmt(mandate.start_date),
        "months": params.mandate_tolerance_months,
    }


def seats_ensure(*, params: CharterParameters | None = None) -> list[CopilSeat]:
    """G1: the COPIL has ``copil_seats`` seats, numbered from 1."""
    params = params or charter_parameters()
    existing = set(CopilSeat.objects.values_list("number", flat=True))
    CopilSeat.objects.bulk_create(
        [CopilSeat(number=n) for n in range(1, params.copil_seats + 1) if n not in existing]
    )
    return list(CopilSeat.objects.filter(number__lte=params.copil_seats).order_by("number"))


def seats_to_renew(*, on: datetime.date) -> list[SeatRenewal]:
    """Every seat with whether it is up at ``on`` and why (V3)."""
    params = charter_parameters(on=on)
    seats = seats_ensure(params=params)
    latest = selectors.latest_mandates_by_seat(on=on)
    rows = []
    for seat in seats:
        mandate = latest.get(seat.pk)
        reason = seat_renewal_reason(mandate=mandate, on=on, params=params)
        rows.append(
            SeatRenewal(seat=seat, mandate=mandate, is_up=reason is not None, reason=reason or "")
        )
    return rows


@transaction.atomic
def mandate_start(
    *,
    seat: CopilSeat,
    holder,
    organisation: Organisation,
    start_date: datetime.date,
    actor,
    election: Election | None = None,
    now: datetime.datetime | None = None,
) -> Mandate:
    """G1: a seat is held by a person representing a member organisation."""
    from members.selectors import active_representatives, organisation_status

    if organisation_status(organisation=organisation) != Status.MEMBER:
        raise ElectionsError(_("Le titulaire d'un siège représente une entité membre."))
    if (
        not active_representatives(on=start_date)
        .filter(user=holder, organisation=organisation)
        .exists()
    ):
        raise ElectionsError(
            _("%(name)s ne représente pas %(org)s à cette date.")
            % {"name": holder, "org": organisation}
        )
    if Mandate.objects.select_for_update().filter(seat=seat, end_date__isnull=True).exists():
        raise ElectionsError(_("Ce siège est déjà occupé : mettez d'abord fin au mandat en cours."))
    mandate = Mandate.objects.create(
        seat=seat,
        holder=holder,
        organisation=organisation,
        start_date=start_date,
        election=election,
    )
    audit_log(
        action="governance.mandate.started",
        actor=actor,
        target=mandate,
        data={"seat": seat.number, "holder": holder.pk, "organisation": organisation.pk},
        now=now,
    )
    transaction.on_commit(lambda: copil_group_sync())
    return mandate


@transaction.atomic
def mandate_end(
    *,
    mandate: Mandate,
    end_date: datetime.date,
    reason: str,
    actor,
    now: datetime.datetime | None = None,
) -> Mandate:
    """V3: a mandate ends by resignation, exclusion, inability or at term."""
    mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
    if mandate.end_date is not None:
        raise ElectionsError(_("Ce mandat a déjà pris fin."))
    if reason not in MandateEndReason.values:
        raise ElectionsError(_("Motif de fin de mandat inconnu."))
    if end_date < mandate.start_date:
        raise ElectionsError(_("Un mandat ne peut pas finir avant d'avoir commencé."))
    mandate.end_date = end_date
    mandate.end_reason = reason
    mandate.save(update_fields=["end_date", "end_reason", "updated_at"])
    audit_log(
        action="governance.mandate.ended",
        actor=actor,
        target=mandate,
        data={"seat": mandate.seat.number, "end_date": end_date.isoformat(), "reason": reason},
        now=now,
    )
    transaction.on_commit(lambda: copil_group_sync())
    return mandate


def copil_group_sync(*, on: datetime.date | None = None) -> dict[str, list[int]]:
    """The COPIL group follows the seats: holders of running mandates, nobody else (G1).

    Superusers keep their powers; a removed holder loses the staff flag unless they
    are in another group. Idempotent.
    """
    day = on or timezone.localdate()
    group = selectors.copil_group()
    holders = set(selectors.mandates_active_on(on=day).values_list("holder_id", flat=True))
    current = set(group.user_set.values_list("pk", flat=True))
    added, removed = sorted(holders - current), sorted(current - holders)
    User = get_user_model()
    with transaction.atomic():
        if added:
            group.user_set.add(*added)
            User.objects.filter(pk__in=added).update(is_staff=True)
        if removed:
            group.user_set.remove(*removed)
            User.objects.filter(pk__in=removed, is_superuser=False, groups__isnull=True).update(
                is_staff=False
            )
        if added or removed:
            audit_log(
                action="governance.copil_group.synced",
                data={"added": added, "removed": removed},
            )
    return {"added": added, "removed": removed}


# --- Eligibility (V4, V5) -----------------------------------------------------------------


def member_since(*, organisation: Organisation, on: datetime.date) -> datetime.date | None:
    """The day the organisation's current uninterrupted membership began, if member on ``on``."""
    moment = timezone.make_aware(datetime.datetime.combine(on, datetime.time.max))
    changes = list(
        StatusChange.objects.filter(organisation=organisation, effective_at__lte=moment)
        .order_by("-effective_at", "-id")
        .values_list("status", "effective_at")
    )
    if not changes or changes[0][0] != Status.MEMBER:
        return None
    since = changes[0][1]
    for status, effective_at in changes[1:]:
        if status != Status.MEMBER:
            break
        since = effective_at
    return timezone.localdate(since)


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    organisation: Organisation | None
    reason: str


def candidate_eligibility(*, user, election_date: datetime.date) -> Eligibility:
    """Charter art. 6.2 (V4, V5): a person representing a member organisation for at least
    one year on the election date; outgoing COPIL members are treated like anyone else."""
    from members.selectors import active_representatives

    params = charter_parameters(on=election_date)
    threshold = election_date - relativedelta(years=params.candidate_seniority_years)
    representations = list(
        active_representatives(on=election_date)
        .filter(user=user)
        .select_related("organisation")
        .order_by("start_date")
    )
    if not representations:
        return Eligibility(
            False,
            None,
            _("Vous ne représentez aucune entité à la date de l'élection (%(date)s).")
            % {"date": _fmt(election_date)},
        )
    reasons = []
    for representation in representations:
        organisation = representation.organisation
        since = member_since(organisation=organisation, on=election_date)
        if since is None:
            reasons.append(
                _("%(org)s n'est pas membre de la COS-GE.") % {"org": organisation.legal_name}
            )
            continue
        start = max(since, representation.start_date)
        if start <= threshold:
            return Eligibility(True, organisation, "")
        reasons.append(
            _(
                "Vous représentez %(org)s, membre, depuis le %(start)s : il faut l'être depuis "
                "au moins %(years)s an(s) à la date de l'élection, soit depuis le %(threshold)s "
                "au plus tard."
            )
            % {
                "org": organisation.legal_name,
                "start": _fmt(start),
                "years": params.candidate_seniority_years,
                "threshold": _fmt(threshold),
            }
        )
    return Eligibility(False, None, " ".join(reasons))


# --- Roles --------------------------------------------------------------------------------


def _require_commission(actor) -> None:
    # Charter art. 6.2, 8 (V12): the election commission runs the ballot.
    if not selectors.is_election_commission(actor):
        raise ElectionsError(_("Seule la commission électorale peut faire cela."))


def _lock(election: Election) -> Election:
    return Election.objects.select_for_update().get(pk=election.pk)


def _require_status(election: Election, *statuses: str) -> None:
    if election.status not in statuses:
        raise ElectionsError(
            _("Impossible à ce stade de l'élection (%(status)s).")
            % {"status": election.get_status_display()}
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


# --- Candidacies (V4, V5, V11) ------------------------------------------------------------


def video_check(*, file) -> None:
    """V11: an uploaded video is an MP4/QuickTime or WebM file, checked by its content."""
    name = (getattr(file, "name", "") or "").lower()
    extension = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if file.size > VIDEO_MAX_BYTES:
        raise ElectionsError(
            _("La vidéo dépasse %(mb)s Mo.") % {"mb": VIDEO_MAX_BYTES // (1024 * 1024)}
        )
    file.seek(0)
    head = file.read(12)
    file.seek(0)
    is_iso = len(head) >= 12 and head[4:8] == b"ftyp"
    is_webm = head[:4] == b"\x1a\x45\xdf\xa3"
    if extension not in VIDEO_EXTENSIONS or not (
        (is_iso and extension != ".webm") or (is_webm and extension == ".webm")
    ):
        raise ElectionsError(_("La vidéo doit être un fichier MP4, MOV ou WebM."))


@transaction.atomic
def candidacy_declare(
    *,
    election: Election,
    user,
    statement: str,
    video=None,
    video_url: str = "",
    now: datetime.datetime | None = None,
) -> Candidacy:
    now = now or timezone.now()
    election = _lock(election)
    _require_status(election, ElectionStatus.ANNOUNCED)
    # Charter art. 6.2 (V11): candidacies close at the previous ordinary plenary.
    if now >= election.candidacy_deadline:
        raise ElectionsError(
            _("Les candidatures sont closes depuis le %(date)s (article 6.2).")
            % {"date": _fmt(timezone.localdate(election.candidacy_deadline))}
        )
    if not (statement or "").strip():
        raise ElectionsError(_("Rédigez votre profession de foi."))
    eligibility = candidate_eligibility(user=user, election_date=election.election_date)
    if not eligibility.eligible:
        raise ElectionsError(eligibility.reason)
    # One candidacy row per person and election (unique constraint): a candidate who
    # withdrew may stand again before the deadline, on that same row.
    candidacy = Candidacy.objects.filter(election=election, candidate=user).first()
    if candidacy is not None and candidacy.withdrawn_at is None:
        raise ElectionsError(_("Vous êtes déjà candidat à cette élection."))
    if video is not None:
        video_check(file=video)
    again = candidacy is not None
    if candidacy is None:
        candidacy = Candidacy(election=election, candidate=user)
    candidacy.organisation = eligibility.organisation
    candidacy.statement = statement.strip()
    candidacy.video_url = video_url or ""
    candidacy.withdrawn_at = None
    if video is not None:
        candidacy.video.save(video.name, video, save=False)
    elif again:
        candidacy.video = ""  # a new declaration replaces the withdrawn one entirely
    candidacy.save()
    audit_log(
        action="governance.candidacy.declared",
        actor=user,
        target=candidacy,
        data={"election": election.pk, "again": again},
        now=now,
    )
    return candidacy


@transaction.atomic
def candidacy_withdraw(
    *, candidacy: Candidacy, actor, now: datetime.datetime | None = None
) -> Candidacy:
    """A candidate withdraws until candidacies close (V11); the commission records a
    withdrawal it received otherwise (in writing, at the plenary) until voting opens.

    The candidacy is kept, marked withdrawn: it leaves the list of candidates and the
    ballot, and the audit trail says who withdrew it and when.
    """
    now = now or timezone.now()
    election = _lock(candidacy.election)
    candidacy = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    is_candidate = actor.pk == candidacy.candidate_id
    commission = selectors.is_election_commission(actor)
    if not (is_candidate or commission):
        raise ElectionsError(_("Seul le candidat peut retirer sa candidature."))
    if candidacy.withdrawn_at is not None:
        raise ElectionsError(_("Cette candidature est déjà retirée."))
    _require_status(election, ElectionStatus.ANNOUNCED)
    # Until the candidacy deadline the list may still change; after it, the list shown
    # to the plenary is settled, and only the commission records a late withdrawal.
    if now >= election.candidacy_deadline and not commission:
        raise ElectionsError(
            _(
                "Les candidatures sont closes depuis le %(date)s : adressez votre retrait à "
                "la commission électorale."
            )
            % {"date": _fmt(timezone.localdate(election.candidacy_deadline))}
        )
    candidacy.withdrawn_at = now
    candidacy.save(update_fields=["withdrawn_at", "updated_at"])
    audit_log(
        action="governance.candidacy.withdrawn",
        actor=actor,
        target=candidacy,
        data={"election": election.pk, "by_candidate": is_candidate},
        now=now,
    )
    return candidacy


# --- Proxies (V6) -------------------------------------------------------------------------


def _is_member(organisation: Organisation, now) -> bool:
    from members.selectors import organisation_status

    return organisation_status(organisation=organisation, at=now) == Status.MEMBER


@transaction.atomic
def proxy_give(
    *,
    election: Election,
    giver: Organisation,
    holder: Organisation,
    signer,
    password: str,
    now: datetime.datetime | None = None,
) -> Proxy:
    """V6: a written proxy, signed online by the giver's authorised signatory."""
    now = (now or timezone.now()).replace(microsecond=0)
    if not password or not signer.check_password(password):
        raise ElectionsWrongPassword(
            _("Mot de passe incorrect : la procuration n'a pas été signée.")
        )
    election = _lock(election)
    _require_status(election, ElectionStatus.ANNOUNCED, ElectionStatus.VOTING)
    if (
        not selectors.member_signatory_representations(user=signer)
        .filter(organisation=giver)
        .exists()
    ):
        raise ElectionsError(
            _("Seul un signataire habilité d'une entité membre peut donner sa procuration.")
        )
    if giver.pk == holder.pk:
        raise ElectionsError(_("Une entité ne peut pas se donner procuration à elle-même."))
    if not _is_member(holder, now):
        raise ElectionsError(_("La procuration est donnée à une autre entité membre."))
    if selectors.has_voted(election=election, organisation=giver):
        raise ElectionsError(_("Votre entité a déjà voté."))
    live = Proxy.objects.select_for_update().filter(
        election=election, status__in=selectors.LIVE_PROXY_STATUSES
    )
    if live.filter(giver=giver).exists():
        raise ElectionsError(_("Votre entité a déjà donné une procuration pour cette élection."))
    if live.filter(giver=holder).exists():
        raise ElectionsError(
            _("%(org)s a elle-même donné procuration : elle ne peut pas en recevoir.")
            % {"org": holder.legal_name}
        )
    if live.filter(holder=giver).exists():
        raise ElectionsError(
            _("Votre entité porte déjà une procuration : elle ne peut pas en donner.")
        )
    cap = charter_parameters(on=election.election_date).election_max_proxies
    if cap and live.filter(holder=holder).count() >= cap:
        raise ElectionsError(
            _("%(org)s porte déjà %(cap)s procuration(s), le maximum.")
            % {"org": holder.legal_name, "cap": cap}
        )
    try:
        with transaction.atomic():
            proxy = Proxy.objects.create(
                election=election,
                giver=giver,
                holder=holder,
                signed_by=signer,
                signed_at=now,
                signer_name=signer.get_full_name() or signer.email,
            )
    except IntegrityError:
        raise ElectionsError(
            _("Votre entité a déjà donné une procuration pour cette élection.")
        ) from None
    audit_log(
        action="governance.proxy.signed",
        actor=signer,
        target=proxy,
        data={"election": election.pk, "giver": giver.pk, "holder": holder.pk},
        now=now,
    )
    return proxy


@transaction.atomic
def proxy_decide(
    *,
    proxy: Proxy,
    actor,
    approve: bool,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Proxy:
    """V6, V12: the election commission validates a proxy before it is used."""
    now = now or timezone.now()
    _require_commission(actor)
    election = _lock(proxy.election)
    _require_status(election, ElectionStatus.ANNOUNCED, ElectionStatus.VOTING)
    proxy = Proxy.objects.select_for_update().get(pk=proxy.pk)
    if proxy.status != ProxyStatus.SIGNED:
        raise ElectionsError(_("Cette procuration a déjà été traitée."))
    if not approve and not reason.strip():
        raise ElectionsError(_("Indiquez le motif du refus."))
    proxy.status = ProxyStatus.VALIDATED if approve else ProxyStatus.REFUSED
    proxy.decided_by = actor
    proxy.decided_at = now
    proxy.refusal_reason = "" if approve else reason.strip()
    proxy.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason", "updated_at"])
    audit_log(
        action="governance.proxy.validated" if approve else "governance.proxy.refused",
        actor=actor,
        target=proxy,
        data={"reason": proxy.refusal_reason},
        now=now,
    )
    return proxy


@transaction.atomic
def proxy_revoke(*, proxy: Proxy, actor, now: datetime.datetime | None = None) -> Proxy:
    """V6: the giver may revoke its proxy until voting opens."""
    now = now or timezone.now()
    election = _lock(proxy.election)
    proxy = Proxy.objects.select_for_update().get(pk=proxy.pk)
    if (
        not selectors.member_signatory_representations(user=actor)
        .filter(organisation_id=proxy.giver_id)
        .exists()
    ):
        raise ElectionsError(
            _("Seul un signataire habilité de l'entité mandante peut la révoquer.")
        )
    if election.status != ElectionStatus.ANNOUNCED:
        raise ElectionsError(_("Le vote est ouvert : la procuration ne peut plus être révoquée."))
    if proxy.status not in selectors.LIVE_PROXY_STATUSES:
        raise ElectionsError(_("Cette procuration n'est plus active."))
    proxy.status = ProxyStatus.REVOKED
    proxy.revoked_at = now
    proxy.save(update_fields=["status", "revoked_at", "updated_at"])
    audit_log(action="governance.proxy.revoked", actor=actor, target=proxy, now=now)
    return proxy


# --- Voting (V6, V7) ----------------------------------------------------------------------


@transaction.atomic
def election_voting_open(
    *, election: Election, actor, now: datetime.datetime | None = None
) -> Election:
    now = now or timezone.now()
    _require_commission(actor)
    election = _lock(election)
    _require_status(election, ElectionStatus.ANNOUNCED)
    if timezone.localdate(now) != election.election_date:
        raise ElectionsError(
            _("Le vote s'ouvre le jour de la réunion plénière (%(date)s).")
            % {"date": _fmt(election.election_date)}
        )
    if not selectors.candidacy_list(election=election).exists():
        raise ElectionsError(_("Aucune candidature : le vote ne peut pas s'ouvrir."))
    election.status = ElectionStatus.VOTING
    election.voting_opened_at = now
    election.save(update_fields=["status", "voting_opened_at", "updated_at"])
    audit_log(action="governance.election.voting_opened", actor=actor, target=election, now=now)
    return election


def _ballot_box_shuffle(election: Election) -> None:
    """Rewrite the box in random order so that no physical order follows the votes."""
    ballots = list(Ballot.objects.filter(election=election).values_list("pk", "receipt"))
    choices = list(
        BallotChoice.objects.filter(ballot__election=election).values_list(
            "ballot_id", "candidacy_id"
        )
    )
    by_ballot: dict = {}
    for ballot_id, candidacy_id in choices:
        by_ballot.setdefault(ballot_id, []).append(candidacy_id)
    rng = random.SystemRandom()
    rng.shuffle(ballots)
    BallotChoice.objects.filter(ballot__election=election).delete()
    Ballot.objects.filter(election=election).delete()
    Ballot.objects.bulk_create(
        [Ballot(pk=pk, election=election, receipt=receipt) for pk, receipt in ballots]
    )
    rows = [
        BallotChoice(ballot_id=pk, candidacy_id=c)
        for pk, _r in ballots
        for c in by_ballot.get(pk, [])
    ]
    rng.shuffle(rows)
    BallotChoice.objects.bulk_create(rows)


@transaction.atomic
def election_voting_close(
    *, election: Election, actor, now: datetime.datetime | None = None
) -> Election:
    """Close the ballot; the entitled voters are frozen (V6)."""
    now = now or timezone.now()
    _require_commission(actor)
    election = _lock(election)
    _require_status(election, ElectionStatus.VOTING)
    election.status = ElectionStatus.CLOSED
    election.voting_closed_at = now
    election.save(update_fields=["status", "voting_closed_at", "updated_at"])
    election.electorate.set(
        list(selectors.member_organisations(at=now).values_list("pk", flat=True))
    )
    _ballot_box_shuffle(election)
    audit_log(
        action="governance.election.voting_closed",
        actor=actor,
        target=election,
        data={"electorate": election.electorate.count()},
        now=now,
    )
    return election


def _ballot_checks(
    *,
    election: Election,
    organisation: Organisation,
    voter,
    choices: list[int],
    on_paper: bool,
    now: datetime.datetime,
) -> Proxy | None:
    """Everything a ballot must satisfy before it is written (V6, V7); returns the proxy
    it is cast under, if any. Raises ElectionsError with the reason otherwise."""
    _require_status(election, ElectionStatus.VOTING)
    if not _is_member(organisation, now):
        raise ElectionsError(_("Seules les entités membres votent."))
    proxy = None
    live = (
        Proxy.objects.filter(
            election=election, giver=organisation, status__in=selectors.LIVE_PROXY_STATUSES
        )
        .select_related("holder")
        .first()
    )
    if not on_paper:
        signatory_of = set(
            selectors.member_signatory_representations(user=voter).values_list(
                "organisation_id", flat=True
            )
        )
        if organisation.pk in signatory_of:
            if live is not None:
                # V6: a giver who gave its proxy does not vote itself.
                raise ElectionsError(
                    _("Votre entité a donné procuration à %(org)s : c'est elle qui vote pour vous.")
                    % {"org": live.holder.legal_name}
                )
        elif (
            live is not None
            and live.status == ProxyStatus.VALIDATED
            and live.holder_id in signatory_of
        ):
            proxy = live
        else:
            raise ElectionsError(
                _(
                    "Vous ne pouvez pas voter pour cette entité : il faut en être signataire habilité ou porter sa procuration validée."
                )
            )
    elif live is not None and live.status == ProxyStatus.VALIDATED:
        proxy = live
    if len(set(choices)) != len(choices):
        raise ElectionsError(_("Un candidat ne peut être coché qu'une fois."))
    # Charter art. 6.2 (V7): at most as many candidates as seats to fill.
    if len(choices) > election.seats_to_fill:
        raise ElectionsError(
            _(
                "Vous pouvez approuver au plus %(n)s candidat(s) : votre bulletin n'a pas été enregistré."
            )
            % {"n": election.seats_to_fill}
        )
    valid = set(selectors.candidacy_list(election=election).values_list("pk", flat=True))
    if not set(choices) <= valid:
        raise ElectionsError(_("Ce bulletin désigne une personne qui n'est pas candidate."))
    if selectors.has_voted(election=election, organisation=organisation):
        raise ElectionsError(
            _("%(org)s a déjà voté : un bulletin ne se dépose qu'une fois.")
            % {"org": organisation.legal_name}
        )
    return proxy


def ballot_check(
    *,
    election: Election,
    organisation: Organisation,
    voter,
    candidacy_ids,
    now: datetime.datetime | None = None,
) -> None:
    """The review step of an online vote (V6, V7): the ballot ``ballot_cast`` would accept
    at this moment, checked without writing anything and without the password.

    The voter then confirms the ballot shown back to them with their password: the
    password is re-entered for the one request that casts the ballot (as for a charter
    signature), and the choices travel in that request's form, never in the session.
    """
    _ballot_checks(
        election=election,
        organisation=organisation,
        voter=voter,
        choices=[int(c) for c in candidacy_ids],
        on_paper=False,
        now=now or timezone.now(),
    )


@transaction.atomic
def ballot_cast(
    *,
    election: Election,
    organisation: Organisation,
    voter,
    candidacy_ids,
    password: str | None = None,
    on_paper: bool = False,
    now: datetime.datetime | None = None,
) -> str:
    """Cast one ballot for ``organisation`` (V6, V7) and return its random receipt.

    Online, ``voter`` is an authorised signatory of ``organisation`` or of the holder of
    its validated proxy, and re-enters their password. On paper, ``voter`` is the
    commission member who enters the ballot. Either way: one vote per organisation,
    cast once, never changed; the register row and the anonymous ballot are written
    together or not at all.
    """
    now = now or timezone.now()
    choices = [int(c) for c in candidacy_ids]
    if on_paper:
        _require_commission(voter)
    elif not password or not voter.check_password(password):
        raise ElectionsWrongPassword(
            _("Mot de passe incorrect : votre vote n'a pas été enregistré.")
        )
    election = _lock(election)  # serialises with the closing of the ballot
    proxy = _ballot_checks(
        election=election,
        organisation=organisation,
        voter=voter,
        choices=choices,
        on_paper=on_paper,
        now=now,
    )
    try:
        with transaction.atomic():
            VoteRecord.objects.create(
                election=election,
                organisation=organisation,
                cast_by=voter,
                via_proxy=proxy,
                on_paper=on_paper,
            )
    except IntegrityError:
        raise ElectionsError(
            _("%(org)s a déjà voté : un bulletin ne se dépose qu'une fois.")
            % {"org": organisation.legal_name}
        ) from None
    ballot = Ballot.objects.create(election=election)
    BallotChoice.objects.bulk_create(
        [
            BallotChoice(ballot=ballot, candidacy_id=c)
            for c in random.SystemRandom().sample(choices, len(choices))
        ]
    )
    # Never the choices nor the receipt next to the voter (V6).
    audit_log(
        action="governance.election.ballot_cast",
        actor=voter,
        target=election,
        data={
            "organisation": organisation.pk,
            "via_proxy": proxy is not None,
            "on_paper": on_paper,
        },
        now=now,
    )
    return ballot.receipt


# --- Tally and results (V8) ---------------------------------------------------------------


@dataclass(frozen=True)
class Ranking:
    elected: list[int]
    tied: list[int]
    tied_seats: int

    @property
    def has_tie(self) -> bool:
        return bool(self.tied)


def rank_candidates(votes: dict[int, int], seats: int) -> Ranking:
    """V8: elected in decreasing order of votes until the seats are filled; a tie for
    the last seat leaves the tied candidates and the seats they compete for."""
    ordered = sorted(votes.items(), key=lambda item: -item[1])
    if len(ordered) <= seats:
        return Ranking(elected=[c for c, _v in ordered], tied=[], tied_seats=0)
    last = ordered[seats - 1][1]
    if ordered[seats][1] != last:
        return Ranking(elected=[c for c, _v in ordered[:seats]], tied=[], tied_seats=0)
    above = [c for c, v in ordered if v > last]
    tied = [c for c, v in ordered if v == last]
    return Ranking(elected=above, tied=tied, tied_seats=seats - len(above))


@transaction.atomic
def election_tally(*, election: Election, actor, now: datetime.datetime | None = None) -> Ranking:
    """Count in the database (constant number of queries) and flag a tie (V8)."""
    now = now or timezone.now()
    _require_commission(actor)
    election = _lock(election)
    _require_status(election, ElectionStatus.CLOSED)
    votes = selectors.votes_per_candidacy(election=election)
    live = set(selectors.candidacy_list(election=election).values_list("pk", flat=True))
    votes = {c: v for c, v in votes.items() if c in live}
    ranking = rank_candidates(votes, election.seats_to_fill)
    candidacies = list(Candidacy.objects.filter(pk__in=votes))
    for candidacy in candidacies:
        candidacy.votes = votes[candidacy.pk]
        candidacy.is_elected = candidacy.pk in ranking.elected
    Candidacy.objects.bulk_update(candidacies, ["votes", "is_elected"])
    election.status = ElectionStatus.TALLIED
    election.tie_flagged = ranking.has_tie
    election.save(update_fields=["status", "tie_flagged", "updated_at"])
    counts = selectors.ballot_counts(election=election)
    audit_log(
        action="governance.election.tallied",
        actor=actor,
        target=election,
        data={"ballots": counts["total"], "blank": counts["blank"], "tie": ranking.has_tie},
        now=now,
    )
    return ranking


@transaction.atomic
def election_tie_resolve(
    *,
    election: Election,
    actor,
    winner_ids,
    note: str,
    now: datetime.datetime | None = None,
) -> Election:
    """V8 (interpretation): the commission resolves a tie for the last seat(s), with a note."""
    now = now or timezone.now()
    _require_commission(actor)
    election = _lock(election)
    _require_status(election, ElectionStatus.TALLIED)
    if not election.tie_flagged or election.tie_resolved_at:
        raise ElectionsError(_("Aucune égalité à trancher."))
    if not note.strip():
        raise ElectionsError(_("Décrivez comment l'égalité a été tranchée (tirage au sort...)."))
    votes = {c.pk: c.votes or 0 for c in selectors.candidacy_list(election=election)}
    ranking = rank_candidates(votes, election.seats_to_fill)
    winners = [int(w) for w in winner_ids]
    if len(set(winners)) != ranking.tied_seats or not set(winners) <= set(ranking.tied):
        raise ElectionsError(
            _("Choisissez %(n)s candidat(s) parmi ceux à égalité.") % {"n": ranking.tied_seats}
        )
    Candidacy.objects.filter(pk__in=winners).update(is_elected=True)
    election.tie_resolution = note.strip()
    election.tie_resolved_by = actor
    election.tie_resolved_at = now
    election.save(
        update_fields=["tie_resolution", "tie_resolved_by", "tie_resolved_at", "updated_at"]
    )
    audit_log(
        action="governance.election.tie_resolved",
        actor=actor,
        target=election,
        data={"winners": winners, "note": election.tie_resolution},
        now=now,
    )
    return election


@transaction.atomic
def election_results_publish(
    *, election: Election, actor, now: datetime.datetime | None = None
) -> Election:
    """Publish the results; the elected take the seats that were up (V3, V8)."""
    now = now or timezone.now()
    _require_commission(actor)
    election = _lock(election)
    _require_status(election, ElectionStatus.TALLIED)
    if election.tie_flagged and not election.tie_resolved_at:
        raise ElectionsError(_("Tranchez d'abord l'égalité pour le dernier siège."))
    day = election.election_date
    up = [row for row in seats_to_renew(on=day) if row.is_up]
    elected = list(
        Candidacy.objects.filter(election=election, is_elected=True, withdrawn_at__isnull=True)
        .select_related("candidate", "organisation")
        .order_by("-votes", "candidate__last_name")
    )
    for row, candidacy in zip(up, elected, strict=False):
        if row.mandate is not None and row.mandate.end_date is None:
            mandate_end(
                mandate=row.mandate,
                end_date=day,
                reason=MandateEndReason.TERM,
                actor=actor,
                now=now,
            )
        # An outgoing holder re-elected (V5) holds their new seat from this day on.
        for other in Mandate.objects.filter(holder=candidacy.candidate, end_date__isnull=True):
            mandate_end(
                mandate=other, end_date=day, reason=MandateEndReason.TERM, actor=actor, now=now
            )
        mandate_start(
            seat=row.seat,
            holder=candidacy.candidate,
            organisation=candidacy.organisation,
            start_date=day,
            actor=actor,
            election=election,
            now=now,
        )
    election.status = ElectionStatus.PUBLISHED
    election.published_at = now
    election.save(update_fields=["status", "published_at", "updated_at"])
    audit_log(
        action="governance.election.published",
        actor=actor,
        target=election,
        data={"elected": [c.candidate_id for c in elected]},
        now=now,
    )
    return election


# --- COPIL meetings (C2, C3, C4) ----------------------------------------------------------


def _require_copil(actor) -> None:
    if not is_copil(actor):
        raise ElectionsError(_("Réservé au COPIL."))


@dataclass(frozen=True)
class Quorum:
    present: int
    represented: int
    required: int

    @property
    def counted(self) -> int:
        return self.present + self.represented

    @property
    def met(self) -> bool:
        return self.counted >= self.required


def copil_quorum(*, meeting: CopilMeeting) -> Quorum:
    """C2: valid with at least half of the members present or represented (3 of 5)."""
    params = charter_parameters(on=meeting.held_on)
    rows = list(meeting.attendances.values_list("present", "proxy_to_id"))
    present = sum(1 for p, _t in rows if p)
    represented = sum(1 for p, t in rows if not p and t is not None)
    return Quorum(present=present, represented=represented, required=params.copil_quorum)


@transaction.atomic
def copil_attendance_record(
    *,
    meeting: CopilMeeting,
    member,
    present: bool,
    actor,
    proxy_to=None,
    now: datetime.datetime | None = None,
) -> CopilMeetingAttendance:
    """C3: an absent member may give a proxy to a present one, who holds at most one."""
    _require_copil(actor)
    CopilMeeting.objects.select_for_update().get(pk=meeting.pk)
    holders = set(
        selectors.mandates_active_on(on=meeting.held_on).values_list("holder_id", flat=True)
    )
    if member.pk not in holders:
        raise ElectionsError(
            _("%(name)s ne siégeait pas au COPIL à cette date.") % {"name": member}
        )
    if present and proxy_to is not None:
        raise ElectionsError(_("Un membre présent ne donne pas de pouvoir."))
    if proxy_to is not None:
        if proxy_to.pk == member.pk or proxy_to.pk not in holders:
            raise ElectionsError(_("Le pouvoir est donné à un autre membre du COPIL."))
        if not meeting.attendances.filter(member=proxy_to, present=True).exists():
            raise ElectionsError(_("Le pouvoir est donné à un membre présent."))
        max_proxies = charter_parameters(on=meeting.held_on).copil_max_proxies
        held = meeting.attendances.filter(proxy_to=proxy_to).exclude(member=member).count()
        if held >= max_proxies:
            raise ElectionsError(
                _(
                    "%(name)s détient déjà un pouvoir : chaque membre n'en détient qu'un (article 6.3)."
                )
                % {"name": proxy_to}
            )
    attendance, _created = CopilMeetingAttendance.objects.update_or_create(
        meeting=meeting, member=member, defaults={"present": present, "proxy_to": proxy_to}
    )
    audit_log(
        action="governance.copil_meeting.attendance",
        actor=actor,
        target=meeting,
        data={"member": member.pk, "present": present, "proxy_to": getattr(proxy_to, "pk", None)},
        now=now,
    )
    return attendance


@transaction.atomic
def copil_decision_record(
    *,
    meeting: CopilMeeting,
    subject: str,
    votes_for: int,
    votes_against: int,
    abstentions: int = 0,
    actor,
    status_change: StatusChange | None = None,
    now: datetime.datetime | None = None,
) -> CopilDecision:
    """C2: the decision passes by majority of those present or represented, with quorum."""
    _require_copil(actor)
    quorum = copil_quorum(meeting=meeting)
    if min(votes_for, votes_against, abstentions) < 0:
        raise ElectionsError(_("Un nombre de voix ne peut pas être négatif."))
    if votes_for + votes_against + abstentions > quorum.counted:
        raise ElectionsError(
            _("Plus de voix (%(votes)s) que de membres présents ou représentés (%(n)s).")
            % {"votes": votes_for + votes_against + abstentions, "n": quorum.counted}
        )
    decision = CopilDecision.objects.create(
        meeting=meeting,
        subject=subject.strip(),
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        status_change=status_change,
        quorum_met=quorum.met,
        passed=quorum.met and votes_for * 2 > quorum.counted,
    )
    audit_log(
        action="governance.copil_decision.recorded",
        actor=actor,
        target=decision,
        data={
            "for": votes_for,
            "against": votes_against,
            "abstentions": abstentions,
            "quorum_met": decision.quorum_met,
            "passed": decision.passed,
        },
        now=now,
    )
    return decision


@transaction.atomic
def minutes_request_create(
    *, meeting: CopilMeeting, requester, reason: str, now: datetime.datetime | None = None
) -> MinutesRequest:
    """C4: any member may request the internal minutes, with a reason."""
    representation = selectors.member_representations(user=requester).first()
    if representation is None:
        raise ElectionsError(
            _("Seuls les représentants des entités membres peuvent demander un compte rendu.")
        )
    if not (reason or "").strip():
        raise ElectionsError(_("Indiquez le motif de votre demande."))
    if MinutesRequest.objects.filter(
        meeting=meeting, requester=requester, status=MinutesRequestStatus.PENDING
    ).exists():
        raise ElectionsError(_("Votre demande est déjà en attente de réponse du COPIL."))
    request = MinutesRequest.objects.create(
        meeting=meeting,
        requester=requester,
        organisation=representation.organisation,
        reason=reason.strip(),
    )
    audit_log(action="governance.minutes_request.created", actor=requester, target=request, now=now)
    email_enqueue(
        subject=_("[COS-GE] Demande de compte rendu du COPIL"),
        body=_("%(name)s (%(org)s) demande le compte rendu de « %(meeting)s » : %(reason)s")
        % {
            "name": requester,
            "org": request.organisation,
            "meeting": meeting,
            "reason": request.reason,
        },
        to=[settings.COPIL_EMAIL],
    )
    return request


@transaction.atomic
def minutes_request_decide(
    *,
    request: MinutesRequest,
    actor,
    grant: bool,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> MinutesRequest:
    """C4: the COPIL grants (the member then reads them) or refuses with a reason."""
    now = now or timezone.now()
    _require_copil(actor)
    request = MinutesRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != MinutesRequestStatus.PENDING:
        raise ElectionsError(_("Cette demande a déjà reçu une réponse."))
    if not grant and not reason.strip():
        raise ElectionsError(_("Indiquez le motif du refus."))
    request.status = MinutesRequestStatus.GRANTED if grant else MinutesRequestStatus.REFUSED
    request.decided_by = actor
    request.decided_at = now
    request.refusal_reason = "" if grant else reason.strip()
    request.save(
        update_fields=["status", "decided_by", "decided_at", "refusal_reason", "updated_at"]
    )
    audit_log(
        action="governance.minutes_request." + ("granted" if grant else "refused"),
        actor=actor,
        target=request,
        data={"reason": request.refusal_reason},
        now=now,
    )
    requester = request.requester
    with translation.override(requester.language or "fr"):
        if grant:
            body = _(
                "Le COPIL a accepté votre demande : le compte rendu de « %(meeting)s » est "
                "consultable sur le portail : %(url)s"
            )
        else:
            body = _(
                "Le COPIL a refusé votre demande de compte rendu de « %(meeting)s » : %(reason)s"
            )
        text = body % {
            "meeting": request.meeting,
            "reason": request.refusal_reason,
            "url": settings.SITE_URL.rstrip("/")
            + reverse("elections:copil_minutes", kwargs={"pk": request.meeting_id}),
        }
        subject = _("[COS-GE] Votre demande de compte rendu du COPIL")
    email_enqueue(subject=subject, body=text, to=[requester.email])
    return request
