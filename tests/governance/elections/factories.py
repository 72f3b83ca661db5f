"""Factories of the election models (art. 6) and the builders of the election tests.

The builders give members a seniority, plenaries and a whole election at a frozen date
(``election_world``); the factories give one row each with sensible defaults.
"""

import datetime
import secrets
import zoneinfo

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from activities.constants import ActivityKind
from governance.elections import services
from governance.models import (
    Ballot,
    BallotBox,
    BallotChoice,
    Candidacy,
    CopilSeat,
    Election,
    Mandate,
    Proxy,
    SealedBallot,
    VoteRecord,
)
from members.constants import Role
from tests.activities.factories import ActivityFactory
from tests.members.factories import (
    EstablishmentFactory,
    OrganisationFactory,
    RepresentativeFactory,
    StatusChangeFactory,
    UserFactory,
    member_organisation,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
PASSWORD = "motdepasse-de-test"


def representative_of(organisation, **kwargs):
    """A person representing ``organisation``: the user of a new Representative."""
    return RepresentativeFactory(organisation=organisation, **kwargs).user


# --- Factories ---------------------------------------------------------------------------


class CopilSeatFactory(factory.django.DjangoModelFactory):
    """A COPIL seat; an existing seat of that number is reused (``seats_ensure`` makes them)."""

    class Meta:
        model = CopilSeat
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n + 1)


class MandateFactory(factory.django.DjangoModelFactory):
    """An open mandate held by a representative of a current member."""

    class Meta:
        model = Mandate

    seat = factory.SubFactory(CopilSeatFactory)
    organisation = factory.LazyFunction(member_organisation)
    holder = factory.LazyAttribute(lambda o: representative_of(o.organisation))
    start_date = datetime.date(2026, 1, 1)


class ElectionFactory(factory.django.DjangoModelFactory):
    """A draft election at an ordinary plenary in three months; candidacies close in a month."""

    class Meta:
        model = Election

    title = factory.Sequence(lambda n: f"Élection du COPIL {n}")
    plenary = factory.SubFactory(
        ActivityFactory,
        kind=ActivityKind.ORDINARY_PLENARY,
        title=factory.Sequence(lambda n: f"Plénière {n}"),
        starts_at=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=90)),
    )
    election_date = factory.LazyAttribute(lambda o: timezone.localdate(o.plenary.starts_at))
    candidacy_deadline = factory.LazyAttribute(
        lambda o: o.plenary.starts_at - datetime.timedelta(days=60)
    )
    seats_to_fill = 2


class CandidacyFactory(factory.django.DjangoModelFactory):
    """A candidacy of a representative of a current member."""

    class Meta:
        model = Candidacy

    election = factory.SubFactory(ElectionFactory)
    organisation = factory.LazyFunction(member_organisation)
    candidate = factory.LazyAttribute(lambda o: representative_of(o.organisation))
    statement = "Programme."


class ProxyFactory(factory.django.DjangoModelFactory):
    """A proxy signed by a signatory of one current member to another one, to validate."""

    class Meta:
        model = Proxy

    election = factory.SubFactory(ElectionFactory)
    giver = factory.LazyFunction(member_organisation)
    holder = factory.LazyFunction(member_organisation)
    signed_by = factory.LazyAttribute(
        lambda o: representative_of(o.giver, is_authorised_signatory=True)
    )
    signed_at = factory.LazyFunction(timezone.now)
    signer_name = factory.LazyAttribute(lambda o: str(o.signed_by))


class VoteRecordFactory(factory.django.DjangoModelFactory):
    """A line of the register: a current member voted online."""

    class Meta:
        model = VoteRecord

    election = factory.SubFactory(ElectionFactory)
    organisation = factory.LazyFunction(member_organisation)
    cast_by = factory.LazyAttribute(lambda o: representative_of(o.organisation))


class BallotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ballot

    election = factory.SubFactory(ElectionFactory)


class BallotChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BallotChoice

    ballot = factory.SubFactory(BallotFactory)
    candidacy = factory.SubFactory(
        CandidacyFactory, election=factory.SelfAttribute("..ballot.election")
    )


class BallotBoxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BallotBox

    election = factory.SubFactory(ElectionFactory)
    salt = factory.LazyFunction(lambda: secrets.token_bytes(32))


class SealedBallotFactory(factory.django.DjangoModelFactory):
    """An envelope of random bytes: the box's key does not open it."""

    class Meta:
        model = SealedBallot

    election = factory.SubFactory(ElectionFactory)
    ciphertext = factory.LazyFunction(lambda: secrets.token_bytes(64))


# --- Builders ----------------------------------------------------------------------------


def at(year, month, day, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def member_rep(*, since=datetime.date(2024, 1, 1), signatory=True, rep_since=None, **kwargs):
    """A representative of a member organisation, member since ``since``."""
    organisation = OrganisationFactory()
    EstablishmentFactory(organisation=organisation)
    StatusChangeFactory(
        organisation=organisation,
        effective_at=datetime.datetime.combine(since, datetime.time(9), tzinfo=PARIS),
    )
    return RepresentativeFactory(
        organisation=organisation,
        start_date=rep_since or since,
        is_authorised_signatory=signatory,
        **kwargs,
    )


def commission_member(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=Role.ELECTION_COMMISSION)[0])
    return user


def plenary(when: datetime.datetime, **kwargs):
    return ActivityFactory(
        kind=ActivityKind.ORDINARY_PLENARY,
        title=kwargs.pop("title", f"Plénière du {when:%d/%m/%Y}"),
        starts_at=when,
        ends_at=when + datetime.timedelta(hours=3),
        **kwargs,
    )


def seat_holder(number: int, *, start: datetime.date, rep=None):
    """A mandate on seat ``number`` started on ``start``."""
    services.seats_ensure()
    rep = rep or member_rep(since=datetime.date(2020, 1, 1))
    return MandateFactory(
        seat=CopilSeat.objects.get(number=number),
        holder=rep.user,
        organisation=rep.organisation,
        start_date=start,
    )


def election_world(*, seats_up=2):
    """Frozen at 2027-03-01: candidacies close at the 20 March plenary, vote on 20 May.

    Seats 1..seats_up are up (mandates from May 2025), the others were filled in 2026.
    """
    commission = commission_member()
    previous = plenary(at(2027, 3, 20, 14))
    election_plenary = plenary(at(2027, 5, 20, 14))
    for number in range(1, 6):
        start = datetime.date(2025, 5, 20) if number <= seats_up else datetime.date(2026, 6, 1)
        seat_holder(number, start=start)
    election = services.election_create(
        plenary=election_plenary, title="Élection du COPIL 2027", actor=commission
    )
    return commission, previous, election
