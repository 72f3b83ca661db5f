"""Partners designate representatives (P3), who are invited to activities case by case (P4)."""

import datetime

import pytest
from django.utils import timezone

from activities import services as activity_services
from activities.constants import ActivityKind, ConvenedScope
from activities.models import Convocation
from members import selectors, services
from members.constants import Status

from .factories import RepresentativeFactory, member_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(copil):
    organisation = member_organisation(status=Status.NONE, postcode="75001")
    services.partner_grant(organisation=organisation, actor=copil)
    organisation.signatory = RepresentativeFactory(
        organisation=organisation, is_authorised_signatory=True
    ).user
    return organisation


@pytest.mark.rule("P3")
def test_a_partner_designates_one_or_more_representatives(partner):
    for email in ("anne@partenaire.fr", "marc@partenaire.fr"):
        services.representative_add(
            organisation=partner, actor=partner.signatory, email=email, job_title="Ingénieur"
        )

    emails = set(
        selectors.active_representatives()
        .filter(organisation=partner)
        .values_list("user__email", flat=True)
    )
    assert emails == {partner.signatory.email, "anne@partenaire.fr", "marc@partenaire.fr"}


def _workshop(**kwargs):
    start = timezone.now() + datetime.timedelta(days=20)
    return activity_services.activity_create(
        kind=ActivityKind.WORKSHOP,
        title="Atelier jumeau numérique",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="2 rue de l'Usine",
        postcode="57000",
        city="Metz",
        **kwargs,
    )


@pytest.mark.rule("P4")
def test_partners_are_not_convened_with_all_members_but_case_by_case(partner):
    member = member_organisation()

    plenary_like = _workshop(convened_scope=ConvenedScope.ALL_MEMBERS)
    named = _workshop(convened_scope=ConvenedScope.NAMED, invited_organisations=[partner])

    assert set(
        Convocation.objects.filter(activity=plenary_like).values_list("organisation", flat=True)
    ) == {member.pk}
    assert set(
        Convocation.objects.filter(activity=named).values_list("organisation", flat=True)
    ) == {partner.pk}
