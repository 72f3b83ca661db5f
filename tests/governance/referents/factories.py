"""Factories of the referent models (art. 9: R1-R4) and the appointment of a zone referent."""

import secrets

import factory
from django.utils import timezone

from governance.models import (
    BodyKind,
    HierarchyAgreement,
    Referent,
    ReferentBody,
    ReferentContact,
    ReferentMessage,
)
from tests.governance.commissions.factories import copil_user
from tests.members.factories import RepresentativeFactory, member_organisation


class ReferentFactory(factory.django.DjangoModelFactory):
    """A referent appointed today: a representative of a current member, no body yet."""

    class Meta:
        model = Referent

    representative = factory.SubFactory(
        RepresentativeFactory, organisation=factory.LazyFunction(member_organisation)
    )
    hierarchy_agreement = HierarchyAgreement.NOT_NEEDED
    available_min_years = True
    start_date = factory.LazyFunction(timezone.localdate)


class ReferentBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferentBody

    referent = factory.SubFactory(ReferentFactory)
    kind = BodyKind.REGION
    name = "Région Grand Est"


class ReferentContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferentContact

    referent = factory.SubFactory(ReferentFactory)
    date = factory.LazyFunction(timezone.localdate)
    body_kind = BodyKind.CCI
    body_name = "CCI Grand Est"
    subject = factory.Sequence(lambda n: f"Rencontre {n}")


class ReferentMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferentMessage

    referent = factory.SubFactory(ReferentFactory, is_zone_referent=True, zone_departments=["57"])
    submission_token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    sender_name = factory.Faker("name", locale="fr_FR")
    sender_email = factory.Sequence(lambda n: f"contact{n}@exemple.fr")
    message = "Bonjour, pouvons-nous échanger ?"
    received_at = factory.LazyFunction(timezone.now)


def zone_referent_appoint(representative, departments):
    """Appoint ``representative`` zone referent of ``departments`` (R4), as the COPIL."""
    from governance.referents import services

    return services.referent_appoint(
        representative=representative,
        bodies=[(BodyKind.CCI, "CCI Grand Est")],
        hierarchy_agreement=HierarchyAgreement.NOT_NEEDED,
        available_min_years=True,
        is_zone_referent=True,
        zone_departments=list(departments),
        actor=copil_user(),
    )
