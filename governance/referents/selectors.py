"""Reads of referents (art. 9): the list, the zone referents shown publicly by
department (R4), missions and the contact log (R3)."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from charters.selectors import charter_parameters
from core.roles import is_copil
from governance.selectors import member_organisations
from members.selectors import active_representatives

from .models import Referent, ReferentBody, ReferentContact

# --- Referents ------------------------------------------------------------------------------------


def referent_list(*, active_only: bool = True) -> QuerySet:
    qs = Referent.objects.select_related(
        "representative__user", "representative__organisation"
    ).prefetch_related(Prefetch("bodies", queryset=ReferentBody.objects.order_by("kind", "name")))
    if active_only:
        qs = qs.filter(end_date__isnull=True)
    return qs.order_by("representative__user__last_name", "id")


def zone_referents(*, at: datetime.datetime | None = None) -> QuerySet:
    """Active zone referents (R4), for the public page: still representatives of a
    current member (S2: losing the status removes them the same day)."""
    moment = at or timezone.now()
    members = member_organisations(at=moment)
    return referent_list().filter(
        is_zone_referent=True,
        representative__in=active_representatives(on=timezone.localdate(moment)).values("pk"),
        representative__organisation__in=members.values("pk"),
    )


@dataclass
class DepartmentReferents:
    code: str
    referents: list


def zone_referents_by_department(*, on: datetime.date | None = None) -> list[DepartmentReferents]:
    """Charter art. 9 (R4): the zone referents listed under each Grand Est department."""
    departments = charter_parameters(on=on).grand_est_departments
    # What the public page shows, nothing more: no bodies, no e-mail nor text columns.
    referents = list(
        zone_referents()
        .prefetch_related(None)
        .only(
            "zone_departments",
            "representative__public_consent",
            "representative__user__first_name",
            "representative__user__last_name",
            "representative__organisation__legal_name",
        )
    )
    return [
        DepartmentReferents(
            code=code, referents=[r for r in referents if code in (r.zone_departments or [])]
        )
        for code in departments
    ]


def zone_referent_get(*, pk: int) -> Referent:
    return zone_referents().get(pk=pk)


def referent_missions_of(*, user) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return Referent.objects.none()
    return referent_list().filter(representative__user=user)


def referent_contacts(*, referent: Referent | None = None) -> QuerySet:
    qs = ReferentContact.objects.select_related(
        "referent__representative__user", "referent__representative__organisation"
    )
    if referent is not None:
        qs = qs.filter(referent=referent)
    return qs.order_by("-date", "-id")


def can_read_referent_contacts(*, user, referent: Referent) -> bool:
    """Charter art. 9 (R3): the contact log keeps the COPIL informed; the referent sees theirs."""
    return is_copil(user) or (
        getattr(user, "is_authenticated", False) and referent.representative.user_id == user.pk
    )
