"""Factories of the announcement models (the newsletter, S2)."""

import factory
from django.utils import timezone

from governance.models import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementStatus,
    DeliveryReason,
)
from tests.members.factories import UserFactory


class AnnouncementFactory(factory.django.DjangoModelFactory):
    """A draft announcement to the members and partners."""

    class Meta:
        model = Announcement

    subject = factory.Sequence(lambda n: f"Lettre d'information {n}")
    body = "Les nouvelles de la COS-GE."
    created_by = factory.SubFactory(UserFactory)


class AnnouncementDeliveryFactory(factory.django.DjangoModelFactory):
    """A recipient of a sent announcement, waiting for its e-mail."""

    class Meta:
        model = AnnouncementDelivery

    announcement = factory.SubFactory(
        AnnouncementFactory,
        status=AnnouncementStatus.SENT,
        sent_at=factory.LazyFunction(timezone.now),
    )
    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.user.email)
    reason = DeliveryReason.MEMBER
    queued_at = factory.LazyFunction(timezone.now)
