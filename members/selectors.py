"""Reads of the members registry, with the joins the pages need."""

import datetime

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from .constants import BENEFIT_STATUSES, Status
from .models import Establishment, Organisation, Representative, StatusChange


def status_subquery(*, at: datetime.datetime | None = None) -> Subquery:
    """The status of the outer organisation at ``at``: its latest change by then (S1)."""
    moment = at or timezone.now()
    latest = StatusChange.objects.filter(
        organisation=OuterRef("pk"), effective_at__lte=moment
    ).order_by("-effective_at", "-id")
    return Subquery(latest.values("status")[:1])


def organisation_list_with_status(*, at: datetime.datetime | None = None) -> QuerySet:
    """Organisations annotated with ``current_status`` (None before any record)."""
    return Organisation.objects.annotate(current_status=status_subquery(at=at))


def organisation_status(*, organisation: Organisation, at: datetime.datetime | None = None) -> str:
    change = (
        StatusChange.objects.filter(
            organisation=organisation, effective_at__lte=at or timezone.now()
        )
        .order_by("-effective_at", "-id")
        .first()
    )
    return change.status if change else Status.NONE


def active_representatives(*, on: datetime.date | None = None) -> QuerySet:
    day = on or timezone.localdate()
    return Representative.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day
    )


def directory_list(*, at: datetime.datetime | None = None) -> QuerySet:
    """Current members and partners only (S2), with what a directory row shows."""
    return (
        organisation_list_with_status(at=at)
        .filter(current_status__in=BENEFIT_STATUSES)
        .prefetch_related(
            "offer_categories",
            Prefetch(
                "establishments",
                queryset=Establishment.objects.filter(is_active=True).order_by("postcode"),
                to_attr="active_establishments",
            ),
        )
        .order_by("legal_name")
    )


def directory_get(*, slug: str, at: datetime.datetime | None = None) -> Organisation:
    """One listed organisation with its consenting representatives; DoesNotExist otherwise."""
    day = timezone.localdate(at) if at else timezone.localdate()
    return (
        directory_list(at=at)
        .prefetch_related(
            Prefetch(
                "representatives",
                queryset=active_representatives(on=day)
                .filter(public_consent=True)
                .select_related("user")
                .order_by("user__last_name", "user__first_name"),
                to_attr="public_representatives",
            )
        )
        .get(slug=slug)
    )


def community_counts(*, at: datetime.datetime | None = None) -> dict[str, int]:
    rows = (
        organisation_list_with_status(at=at)
        .order_by()
        .values("current_status")
        .annotate(total=Count("id"))
    )
    counts = {status: 0 for status in Status.values}
    for row in rows:
        counts[row["current_status"] or Status.NONE] += row["total"]
    return counts


def has_grand_est_establishment(*, organisation: Organisation, departments) -> bool:
    return organisation.establishments.filter(is_active=True, department__in=departments).exists()


def directory_logo_get(*, slug: str, at: datetime.datetime | None = None) -> Organisation:
    """A listed organisation (S2) for serving its logo; DoesNotExist otherwise."""
    return (
        organisation_list_with_status(at=at)
        .filter(current_status__in=BENEFIT_STATUSES)
        .only("pk", "slug", "logo")
        .get(slug=slug)
    )


def representation_list(*, user, at: datetime.datetime | None = None) -> QuerySet:
    """The person's active representations, each annotated with ``organisation_status``."""
    moment = at or timezone.now()
    latest = StatusChange.objects.filter(
        organisation=OuterRef("organisation_id"), effective_at__lte=moment
    ).order_by("-effective_at", "-id")
    return (
        active_representatives(on=timezone.localdate(moment))
        .filter(user=user)
        .select_related("organisation")
        .annotate(organisation_status=Subquery(latest.values("status")[:1]))
        .order_by("organisation__legal_name")
    )


def is_active_representative(*, user, organisation: Organisation, on=None) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return active_representatives(on=on).filter(user=user, organisation=organisation).exists()


def organisation_registry_list(*, at: datetime.datetime | None = None) -> QuerySet:
    """Every organisation with ``current_status`` and its ``active_establishments`` (COPIL)."""
    return organisation_list_with_status(at=at).prefetch_related(
        Prefetch(
            "establishments",
            queryset=Establishment.objects.filter(is_active=True).order_by("postcode", "pk"),
            to_attr="active_establishments",
        )
    )


def person_representations(*, user) -> QuerySet:
    """Every representation of the person, past and present (personal data export)."""
    return (
        Representative.objects.filter(user=user)
        .select_related("organisation")
        .order_by("start_date", "pk")
    )
