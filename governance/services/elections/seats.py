"""COPIL seats to renew (G1, V1, V3), mandates and the COPIL group."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charters.constants import CharterParameters
from charters.selectors import charter_parameters
from cos_portal.audit import audit_log
from governance import selectors_elections as selectors
from governance.exceptions import ElectionsError
from governance.models import CopilSeat, Election, Mandate, MandateEndReason
from members.constants import Status
from members.models import Organisation

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
