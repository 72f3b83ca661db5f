"""Reads of announcements: the recipients at a given moment (S2) and the send log."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from core.emails import email_opted_out
from governance.commissions.models import Commission, CommissionMembership, MembershipStatus
from members.constants import BENEFIT_STATUSES, Status
from members.models import StatusChange
from members.selectors import active_representatives, organisation_list_with_status

from . import ANNOUNCEMENT_MAIL
from .models import Announcement, AnnouncementDelivery, DeliveryReason


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    language: str
    organisation_id: int
    organisation_name: str
    reason: str

    @property
    def reason_label(self) -> str:
        return DeliveryReason(self.reason).label


def current_members_and_partners(*, at: datetime.datetime) -> QuerySet:
    """Organisations that are members or partners at ``at`` (S2), annotated with
    ``current_status``. A fixed-term partnership whose last day has passed is left out
    even before the nightly job records its end."""
    today = timezone.localdate(at)
    latest_end = StatusChange.objects.filter(
        organisation=OuterRef("pk"), effective_at__lte=at
    ).order_by("-effective_at", "-id")
    return (
        organisation_list_with_status(at=at)
        .annotate(current_ends_on=Subquery(latest_end.values("ends_on")[:1]))
        .filter(current_status__in=BENEFIT_STATUSES)
        .filter(Q(current_ends_on__isnull=True) | Q(current_ends_on__gte=today))
    )


def announcement_recipients(
    *,
    to_members_partners: bool,
    commission: Commission | None,
    at: datetime.datetime | None = None,
) -> list[Recipient]:
    """Who receives an announcement sent at ``at``, one row per address, in three queries.

    Charter art. 3.4 and 4 (S2): only the active representatives of organisations that
    are members or partners at that moment; a commission's members too, under the same
    condition.
    """
    at = at or timezone.now()
    today = timezone.localdate(at)
    statuses = dict(current_members_and_partners(at=at).values_list("pk", "current_status"))
    representatives = (
        active_representatives(on=today)
        .filter(organisation_id__in=list(statuses), user__is_active=True)
        .exclude(user__in=email_opted_out(ANNOUNCEMENT_MAIL))
    )  # stopped with their link
    rows: list[tuple[object, str]] = []
    if to_members_partners:
        for representative in representatives.select_related("user", "organisation"):
            status = statuses[representative.organisation_id]
            reason = DeliveryReason.MEMBER if status == Status.MEMBER else DeliveryReason.PARTNER
            rows.append((representative, reason))
    if commission is not None:
        memberships = CommissionMembership.objects.filter(
            commission=commission,
            status=MembershipStatus.ACCEPTED,
            representative__in=representatives,
        ).select_related("representative__user", "representative__organisation")
        rows.extend((m.representative, DeliveryReason.COMMISSION) for m in memberships)
    recipients: dict[str, Recipient] = {}
    for representative, reason in rows:
        user = representative.user
        email = (user.email or "").strip()
        if not email or email.lower() in recipients:
            continue  # one e-mail per address, whatever the number of organisations
        recipients[email.lower()] = Recipient(
            user_id=user.pk,
            email=email,
            language=user.language or "fr",
            organisation_id=representative.organisation_id,
            organisation_name=representative.organisation.legal_name,
            reason=reason,
        )
    return sorted(recipients.values(), key=lambda r: r.email.lower())


def announcement_list() -> QuerySet:
    return Announcement.objects.select_related("commission", "created_by", "sent_by").annotate(
        delivery_count=Count("deliveries"),
        sent_count=Count("deliveries", filter=Q(deliveries__status="sent")),
        failed_count=Count("deliveries", filter=Q(deliveries__status="failed")),
        pending_count=Count("deliveries", filter=Q(deliveries__status="pending")),
    )


def announcement_get(*, pk: int) -> Announcement:
    return announcement_list().get(pk=pk)


def announcement_deliveries(*, announcement: Announcement, status: str = "") -> QuerySet:
    """The send log, in the order the deliveries were queued; ``status`` keeps one state."""
    deliveries = AnnouncementDelivery.objects.filter(announcement=announcement)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.select_related("organisation").order_by("pk")
