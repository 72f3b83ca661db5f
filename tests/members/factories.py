import datetime

import factory
from django.utils import timezone

from members.constants import OrganisationKind, Status, StatusReason
from members.models import Establishment, Organisation, Representative, StatusChange, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password("motdepasse-de-test")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Entreprise {n}")
    slug = factory.Sequence(lambda n: f"entreprise-{n}")
    kind = OrganisationKind.COMPANY
    description = "Intégrateur de solutions industrie du futur."


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    organisation = factory.SubFactory(OrganisationFactory)
    address = "1 rue de l'Industrie"
    postcode = "57000"
    city = "Metz"


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    job_title = "Directeur"
    start_date = datetime.date(2022, 1, 1)


class StatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusChange

    organisation = factory.SubFactory(OrganisationFactory)
    status = Status.MEMBER
    reason = StatusReason.APPROVED
    effective_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=30))


def member_organisation(**kwargs) -> Organisation:
    """A current member with one active establishment in Moselle."""
    status = kwargs.pop("status", Status.MEMBER)
    postcode = kwargs.pop("postcode", "57000")
    organisation = OrganisationFactory(**kwargs)
    EstablishmentFactory(organisation=organisation, postcode=postcode)
    StatusChangeFactory(organisation=organisation, status=status)
    return organisation
