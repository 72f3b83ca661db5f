"""Reads the subjects share: who represents a member, and which organisations are members
at a moment (S1, S2)."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from members.constants import Status
from members.models import Organisation, Representative
from members.selectors import active_representatives, organisation_list_with_status


def member_organisations(*, at: datetime.datetime | None = None) -> QuerySet:
    """The organisations that are members at ``at`` (now by default)."""
    return organisation_list_with_status(at=at).filter(current_status=Status.MEMBER)


def organisation_is_member(*, organisation: Organisation, at=None) -> bool:
    return member_organisations(at=at).filter(pk=organisation.pk).exists()


def member_representations(*, user, at: datetime.datetime | None = None) -> QuerySet:
    """The person's active representations of organisations that are members at ``at``."""
    if not getattr(user, "is_authenticated", False):
        return Representative.objects.none()
    moment = at or timezone.now()
    return (
        active_representatives(on=timezone.localdate(moment))
        .filter(user=user, organisation__in=member_organisations(at=moment).values("pk"))
        .select_related("organisation", "user")
        .order_by("organisation__legal_name")
    )


def member_signatory_representations(*, user, at: datetime.datetime | None = None) -> QuerySet:
    """Representations in which the person is an authorised signatory of a member (V6,
    X2, X4)."""
    return member_representations(user=user, at=at).filter(is_authorised_signatory=True)


def member_representatives(*, at: datetime.datetime | None = None) -> QuerySet:
    """Every active representative of a member (facilitators, referents are chosen among them)."""
    moment = at or timezone.now()
    return (
        active_representatives(on=timezone.localdate(moment))
        .filter(organisation__in=member_organisations(at=moment).values("pk"))
        .select_related("organisation", "user")
        .order_by("user__last_name", "user__first_name", "organisation__legal_name")
    )


@dataclass(frozen=True)
class Prerequisite:
    """One condition a guided flow states before its form (an election, a new charter
    version): what it is, whether it holds now, the current state in words, and where to
    act when it does not (empty when the person may not act)."""

    label: str
    ok: bool
    state: str
    link_url: str = ""
    link_label: str = ""
