"""COPIL seats to renew (G1, V1, V3), mandates, and the COPIL role and admin access that
follow them (G2)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from charters.constants import CharterParameters
from charters.selectors import charter_parameters
from core.audit import audit_log
from governance.audit_actions import ElectionsAudit
from governance.elections import selectors
from governance.elections.models import CopilSeat, Election, Mandate, MandateEndReason
from governance.exceptions import ElectionsError
from members.constants import Status, StatusReason
from members.models import Organisation, StatusChange
from members.selectors import (
    active_representatives,
    organisation_list_with_status,
    organisation_status,
)

from ._common import _fmt

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
    now = now or timezone.now()
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
        action=ElectionsAudit.MANDATE_STARTED,
        actor=actor,
        target=mandate,
        data={"seat": seat.number, "holder": holder.pk, "organisation": organisation.pk},
        now=now,
    )
    copil_roles_sync(now=now)
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
    now = now or timezone.now()
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
        action=ElectionsAudit.MANDATE_ENDED,
        actor=actor,
        target=mandate,
        data={"seat": mandate.seat.number, "end_date": end_date.isoformat(), "reason": reason},
        now=now,
    )
    copil_roles_sync(now=now)
    return mandate


# The ground of a lost membership (S1) and the end of mandate it makes (V3); any other
# loss of membership leaves the person unable to represent a member (G1).
_END_REASON_BY_STATUS_REASON = {
    StatusReason.RESIGNED: MandateEndReason.RESIGNED,
    StatusReason.EXCLUDED: MandateEndReason.EXCLUDED,
}


@transaction.atomic
def mandates_end_on_departure(
    *, organisation: Organisation, status_reason: str, actor, now: datetime.datetime | None = None
) -> list[Mandate]:
    """Charter art. 3.4 and 6 (L2, L5, G1, V3): when an organisation stops being a member,
    the COPIL mandates of the persons representing it end that day, the seats are to
    renew, and the holders lose the COPIL role and the admin (``copil_roles_sync``).

    A mandate that was to end later ends today; one that had not started yet ends on its
    first day, so it never runs."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    reason = _END_REASON_BY_STATUS_REASON.get(status_reason, MandateEndReason.UNABLE)
    ended = []
    mandates = (
        Mandate.objects.select_for_update()
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today), organisation=organisation)
        .select_related("seat")
        .order_by("seat__number")
    )
    for mandate in mandates:
        end_date = max(today, mandate.start_date)
        mandate.end_date = end_date
        mandate.end_reason = reason
        mandate.save(update_fields=["end_date", "end_reason", "updated_at"])
        audit_log(
            action=ElectionsAudit.MANDATE_ENDED,
            actor=actor,
            target=mandate,
            data={
                "seat": mandate.seat.number,
                "end_date": end_date.isoformat(),
                "reason": reason,
                "organisation_status": status_reason,
            },
            now=now,
        )
        ended.append(mandate)
    if ended:
        copil_roles_sync(now=now)
    return ended


@transaction.atomic
def copil_roles_daily(*, now: datetime.datetime | None = None) -> dict[str, list[int]]:
    """The daily job (``copil_roles_sync_task``): mandates whose organisation is no longer
    a member end (L5, V3: a loss recorded before this rule existed, or missed), then the
    COPIL role and the admin follow the mandates running today, those that start or end
    on a date included (G1)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    running = Mandate.objects.filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
    members = organisation_list_with_status(at=now).filter(current_status=Status.MEMBER)
    departed = (
        Organisation.objects.filter(pk__in=running.values("organisation_id"))
        .exclude(pk__in=members.values("pk"))
        .order_by("pk")
    )
    ended = []
    for organisation in departed:
        loss = (
            StatusChange.objects.filter(organisation=organisation, effective_at__lte=now)
            .order_by("-effective_at", "-id")
            .first()
        )
        ended += mandates_end_on_departure(
            organisation=organisation,
            status_reason=loss.reason if loss else "",
            actor=None,
            now=now,
        )
    return {"mandates_ended": [mandate.pk for mandate in ended], **copil_roles_sync(now=now)}


@transaction.atomic
def copil_roles_sync(*, now: datetime.datetime | None = None) -> dict[str, list[int]]:
    """G1, G2: the COPIL role and the admin follow the running mandates, never a hand.

    The COPIL group holds the holders of the mandates running today and nobody else;
    they are staff. A person who leaves the group, or whose mandate has ended, loses the
    staff flag unless they are a superuser or in another role group (organisers, the
    election commission, the team), whose work needs the admin too. Called whenever a
    mandate starts or ends, and every day (``copil_roles_sync_task``) for the terms that
    start or end on a date. Idempotent.

    Until a first mandate is recorded the COPIL in office is the one set by hand when the
    portal was installed: the group is left as it is rather than emptied.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    if not Mandate.objects.exists():
        return {"added": [], "removed": [], "staff_revoked": []}
    group = selectors.copil_group()
    holders = set(selectors.mandates_active_on(on=day).values_list("holder_id", flat=True))
    current = set(group.user_set.values_list("pk", flat=True))
    added, removed = sorted(holders - current), sorted(current - holders)
    User = get_user_model()
    if added:
        group.user_set.add(*added)
    if removed:
        group.user_set.remove(*removed)
    User.objects.filter(pk__in=holders, is_staff=False).update(is_staff=True)
    former = set(Mandate.objects.values_list("holder_id", flat=True)) | set(removed)
    staff_revoked = sorted(
        User.objects.filter(pk__in=former - holders, is_staff=True, is_superuser=False)
        .filter(groups__isnull=True)
        .values_list("pk", flat=True)
    )
    if staff_revoked:
        User.objects.filter(pk__in=staff_revoked).update(is_staff=False)
    if added or removed or staff_revoked:
        audit_log(
            action=ElectionsAudit.COPIL_GROUP_SYNCED,
            data={"added": added, "removed": removed, "staff_revoked": staff_revoked},
            now=now,
        )
    return {"added": added, "removed": removed, "staff_revoked": staff_revoked}
