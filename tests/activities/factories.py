import datetime

import factory
from django.utils import timezone

from activities.constants import ActivityKind, Attendance, ConvenedScope, ConvocationSource
from activities.models import Activity, Convocation, Participation
from tests.members.factories import UserFactory


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity without convocations; use ``convene`` or the service to add them."""

    class Meta:
        model = Activity
        skip_postgeneration_save = True

    kind = ActivityKind.WORKSHOP
    title = factory.Sequence(lambda n: f"Atelier {n}")
    description = "Atelier sur la maintenance prédictive."
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    place = "2 rue de l'Usine"
    postcode = "57000"
    city = "Metz"
    is_public = True
    convened_scope = ConvenedScope.NAMED
    convocations_synced_at = factory.LazyAttribute(lambda o: o.starts_at)


def convene(activity, *organisations, source=ConvocationSource.NAMED):
    Convocation.objects.bulk_create(
        [Convocation(activity=activity, organisation=o, source=source) for o in organisations]
    )


def attend(activity, representative, attendance=Attendance.PRESENT, **extra):
    return Participation.objects.create(
        activity=activity,
        user=representative.user,
        organisation=representative.organisation,
        attendance=attendance,
        **extra,
    )


def user_in(group_name: str, **kwargs):
    from django.contrib.auth.models import Group

    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=group_name)[0])
    return user


__all__ = ["ActivityFactory", "UserFactory", "attend", "convene", "user_in"]
