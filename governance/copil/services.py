"""Writes of COPIL meetings (art. 6.3: C2, C3, C4): quorum, attendance, decisions and
the members' requests to read the minutes. Who sits at the COPIL on a day is read from
the mandates (``governance.elections``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from charters.selectors import charter_parameters
from core.audit import audit_log
from core.emails import email_notify
from core.roles import is_copil
from core.site import absolute_url
from governance.audit_actions import CopilAudit
from governance.elections.selectors import mandates_active_on
from governance.exceptions import ElectionsError
from governance.selectors import member_representations
from members.models import StatusChange

from .models import (
    CopilDecision,
    CopilMeeting,
    CopilMeetingAttendance,
    MinutesRequest,
    MinutesRequestStatus,
)

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
    """C2: valid with at least half of the members present or represented (3 of 5).

    C3: an absent member counts as represented only through a member present at that
    moment, and a present member carries at most ``copil_max_proxies`` of them. The
    recording service keeps the rows so; counting the same way here means no row
    written by another path can make a quorum out of a chain of proxies.
    """
    params = charter_parameters(on=meeting.held_on)
    rows = list(meeting.attendances.values_list("member_id", "present", "proxy_to_id"))
    present_ids = {member for member, is_present, _holder in rows if is_present}
    carried: dict[int, int] = {}
    for _member, is_present, holder in rows:
        if not is_present and holder in present_ids:
            carried[holder] = min(carried.get(holder, 0) + 1, params.copil_max_proxies)
    return Quorum(
        present=len(present_ids),
        represented=sum(carried.values()),
        required=params.copil_quorum,
    )


def copil_proxies_held(*, meeting: CopilMeeting, member) -> list[CopilMeetingAttendance]:
    """The absent members whose proxy ``member`` holds at ``meeting`` (C3)."""
    return list(meeting.attendances.filter(proxy_to=member).select_related("member"))


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
    """Record a COPIL member present or absent, the absent one with an optional proxy.

    Charter art. 6.3 (C3): a proxy goes only to a member present at that moment, who
    holds at most ``copil_max_proxies``. Recording the holder absent (they left, or were
    recorded present by mistake) ends the proxies they hold: the givers stay absent and
    unrepresented. A proxy therefore never passes through a second hand (B holds A's,
    then leaves giving their own to D: A is no longer represented), and the quorum (C2)
    counts only people in the room and the proxies they carry.
    """
    _require_copil(actor)
    CopilMeeting.objects.select_for_update().get(pk=meeting.pk)
    holders = set(mandates_active_on(on=meeting.held_on).values_list("holder_id", flat=True))
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
                ngettext(
                    "%(name)s détient déjà un pouvoir : chaque membre n'en détient qu'un "
                    "(article 6.3).",
                    "%(name)s détient déjà %(count)s pouvoirs : chaque membre en détient "
                    "%(count)s au plus (article 6.3).",
                    max_proxies,
                )
                % {"name": proxy_to, "count": max_proxies}
            )
    ended: list[int] = []
    if not present:
        # C3: holding a proxy ends when the holder leaves or is recorded absent.
        held_rows = meeting.attendances.filter(proxy_to=member)
        ended = list(held_rows.values_list("member_id", flat=True))
        held_rows.update(proxy_to=None)
    attendance, _created = CopilMeetingAttendance.objects.update_or_create(
        meeting=meeting, member=member, defaults={"present": present, "proxy_to": proxy_to}
    )
    audit_log(
        action=CopilAudit.MEETING_ATTENDANCE,
        actor=actor,
        target=meeting,
        data={
            "member": member.pk,
            "present": present,
            "proxy_to": getattr(proxy_to, "pk", None),
            "proxies_ended": ended,
        },
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
        action=CopilAudit.DECISION_RECORDED,
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
    representation = member_representations(user=requester).first()
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
    audit_log(action=CopilAudit.MINUTES_REQUEST_CREATED, actor=requester, target=request, now=now)
    email_notify(
        kind="minutes_request",
        to=[settings.COPIL_EMAIL],
        subject=lambda: _("[COS-GE] Demande de compte rendu du COPIL"),
        body=lambda: (
            _("%(name)s (%(org)s) demande le compte rendu de « %(meeting)s » : %(reason)s")
            % {
                "name": requester,
                "org": request.organisation,
                "meeting": meeting,
                "reason": request.reason,
            }
        ),
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
        action=CopilAudit.MINUTES_REQUEST_GRANTED if grant else CopilAudit.MINUTES_REQUEST_REFUSED,
        actor=actor,
        target=request,
        data={"reason": request.refusal_reason},
        now=now,
    )
    requester = request.requester
    url = absolute_url(reverse("elections:copil_minutes", kwargs={"pk": request.meeting_id}))

    def answer() -> str:  # written in the requester's language by the mail funnel
        if grant:
            text = _(
                "Le COPIL a accepté votre demande : le compte rendu de « %(meeting)s » est "
                "consultable sur le portail : %(url)s"
            )
        else:
            text = _(
                "Le COPIL a refusé votre demande de compte rendu de « %(meeting)s » : %(reason)s"
            )
        return text % {"meeting": request.meeting, "reason": request.refusal_reason, "url": url}

    email_notify(
        kind="minutes_answer",
        to=[requester.email],
        subject=lambda: _("[COS-GE] Votre demande de compte rendu du COPIL"),
        body=answer,
        language=requester.language,
    )
    return request
