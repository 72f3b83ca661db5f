"""The main navigation's "Élections" link: for those who may see elections, and only them."""

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from governance.commissions.models import Commission, CommissionMembership
from governance.models import MembershipStatus, StandingRole
from tests.governance.elections.factories import commission_member, member_rep
from tests.members.factories import RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db
LINK = 'href="{}"'.format(reverse("elections:list"))


def home(client, user=None):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_a_member_representative_finds_the_elections_link(client):
    assert LINK in home(client, member_rep(signatory=False).user)


def test_the_election_commission_finds_the_elections_link(client):
    assert LINK in home(client, commission_member())


def test_no_elections_link_for_visitors_or_people_outside_the_membership(client):
    assert LINK not in home(client)
    assert LINK not in home(client, UserFactory())
    # A representative of an organisation that is not a member (no status): no link.
    assert LINK not in home(client, RepresentativeFactory().user)


def test_the_link_costs_two_queries_for_a_member(client, django_assert_num_queries):
    # The person's groups (read once per request, shared with every other role check of
    # the page), then their representations.
    rep = member_rep()
    request = RequestFactory().get("/")
    request.user = rep.user
    template = Template("{% load elections_nav %}{% elections_link_visible as v %}{{ v }}")
    with django_assert_num_queries(2):
        assert template.render(Context({"request": request})) == "True"
        # Asked again in the same request: remembered.
        assert template.render(Context({"request": request})) == "True"


@pytest.mark.rule("K3")
def test_a_partner_sitting_in_the_elections_commission_finds_the_link_until_leaving_it(client):
    rep = RepresentativeFactory()  # no status: not a member, the commission's seat alone
    membership = CommissionMembership.objects.create(
        commission=Commission.objects.get(standing_role=StandingRole.ELECTIONS),
        representative=rep,
        status=MembershipStatus.ACCEPTED,
        volunteered_at=timezone.now() - datetime.timedelta(days=30),
    )
    assert LINK in home(client, rep.user)
    membership.status = MembershipStatus.LEFT
    membership.save()
    assert LINK not in home(client)


def test_no_link_once_the_representation_of_the_member_has_ended(client):
    rep = member_rep(signatory=False)
    assert LINK in home(client, rep.user)
    rep.end_date = timezone.localdate() - datetime.timedelta(days=1)
    rep.save()
    assert LINK not in home(client)


def test_a_page_that_knows_the_person_represents_a_member_costs_no_query(
    django_assert_num_queries,
):
    # The member space's dashboard has read the representations: it says so in its context.
    request = RequestFactory().get("/")
    request.user = UserFactory()
    template = Template("{% load elections_nav %}{% elections_link_visible as v %}{{ v }}")
    with django_assert_num_queries(0):
        assert template.render(Context({"request": request, "represents_member": True})) == "True"


def test_the_dashboard_shows_the_link_to_a_member_and_not_to_a_partner(client):
    rep = member_rep(signatory=False)
    client.force_login(rep.user)
    assert LINK in client.get(reverse("space:dashboard")).content.decode()
    client.force_login(RepresentativeFactory().user)  # no status: not a member
    assert LINK not in client.get(reverse("space:dashboard")).content.decode()
