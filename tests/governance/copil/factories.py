"""Factories of the COPIL meeting models (art. 6.3: C2, C3, C4)."""

import factory
from django.utils import timezone

from governance.models import CopilDecision, CopilMeeting, CopilMeetingAttendance, MinutesRequest
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation


class CopilMeetingFactory(factory.django.DjangoModelFactory):
    """A COPIL meeting held today, with no attendance, decision nor minutes."""

    class Meta:
        model = CopilMeeting

    title = factory.Sequence(lambda n: f"Réunion du COPIL {n}")
    held_on = factory.LazyFunction(timezone.localdate)


class CopilMeetingAttendanceFactory(factory.django.DjangoModelFactory):
    """A member present at a meeting (pass ``present=False, proxy_to=...`` for a proxy)."""

    class Meta:
        model = CopilMeetingAttendance

    meeting = factory.SubFactory(CopilMeetingFactory)
    member = factory.SubFactory(UserFactory)
    present = True


class CopilDecisionFactory(factory.django.DjangoModelFactory):
    """A deliberation row as stored; quorum and outcome are the service's to compute."""

    class Meta:
        model = CopilDecision

    meeting = factory.SubFactory(CopilMeetingFactory)
    subject = factory.Sequence(lambda n: f"Délibération {n}")
    votes_for = 3


class MinutesRequestFactory(factory.django.DjangoModelFactory):
    """A pending request of a representative of a current member to read the minutes."""

    class Meta:
        model = MinutesRequest

    meeting = factory.SubFactory(CopilMeetingFactory)
    organisation = factory.LazyFunction(member_organisation)
    requester = factory.LazyAttribute(
        lambda o: RepresentativeFactory(organisation=o.organisation).user
    )
    reason = "Suivi des décisions."
