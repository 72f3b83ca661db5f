"""Builders for the election tests: members with a seniority, plenaries, an election."""

import datetime
import zoneinfo

from django.contrib.auth.models import Group

from activities.constants import ActivityKind
from governance.elections import services
from governance.models import CopilSeat, Mandate
from members.constants import Role
from tests.activities.factories import ActivityFactory
from tests.members.factories import (
    EstablishmentFactory,
    OrganisationFactory,
    RepresentativeFactory,
    StatusChangeFactory,
    UserFactory,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
PASSWORD = "motdepasse-de-test"


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
    return Mandate.objects.create(
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
