"""Factories of the charter revision models (art. 10: X2-X4)."""

import factory
from django.utils import timezone

from governance.models import (
    CharterRevision,
    RevisionOrigin,
    RevisionStatus,
    RevisionSupport,
    RevisionVote,
    VoteChoice,
)
from tests.members.factories import RepresentativeFactory, member_organisation


class CharterRevisionFactory(factory.django.DjangoModelFactory):
    """A revision the COPIL opened today (X3): seized, no commission yet."""

    class Meta:
        model = CharterRevision

    origin = RevisionOrigin.COPIL
    title = factory.Sequence(lambda n: f"Révision {n}")
    reason = "Actualiser les critères."
    status = RevisionStatus.SEIZED
    opened_at = factory.LazyFunction(timezone.now)


class RevisionSupportFactory(factory.django.DjangoModelFactory):
    """A current member supports a petition, through a signatory (X2)."""

    class Meta:
        model = RevisionSupport

    revision = factory.SubFactory(
        CharterRevisionFactory, origin=RevisionOrigin.PETITION, status=RevisionStatus.PETITION
    )
    organisation = factory.LazyFunction(member_organisation)
    supported_by = factory.LazyAttribute(
        lambda o: (
            RepresentativeFactory(organisation=o.organisation, is_authorised_signatory=True).user
        )
    )
    supported_at = factory.LazyFunction(timezone.now)


class RevisionVoteFactory(factory.django.DjangoModelFactory):
    """A current member's vote for the new version at the extraordinary plenary (X4)."""

    class Meta:
        model = RevisionVote

    revision = factory.SubFactory(CharterRevisionFactory, status=RevisionStatus.VOTING)
    organisation = factory.LazyFunction(member_organisation)
    choice = VoteChoice.FOR
    recorded_at = factory.LazyFunction(timezone.now)
