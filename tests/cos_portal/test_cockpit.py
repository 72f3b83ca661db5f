"""The COPIL's cockpit (/copil/ and the admin index): what waits for a decision, each item
one click from the page where it is taken, in a constant number of queries."""

import datetime
import html

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import ElectionStatus
from members import services
from members.constants import ExclusionGround, InvitationState, Role
from members.models import Invitation
from tests.charters.factories import CharterVersionFactory
from tests.governance.commissions.factories import copil_user
from tests.governance.copil.factories import CopilMeetingFactory, MinutesRequestFactory
from tests.governance.elections.factories import ProxyFactory, commission_member
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation
from tests.members.test_applications import submit

pytestmark = pytest.mark.django_db

COCKPIT = reverse("copil:cockpit")
# The session, the user, the groups, the five lists, the deadline sources (each read once
# per page: the COPIL, the charter in force, the commission). The performance issue's
# goal is 12: the COPIL reads every source, one query or more each.
COCKPIT_QUERY_BUDGET = 38


@pytest.fixture
def copil():
    return copil_user(first_name="Claire", last_name="Copil")


def waiting_items(copil, number: int, start: int = 0):
    """``number`` items of each kind waiting for a decision."""
    for index in range(start, start + number):
        submit(UserFactory(), legal_name=f"Candidate {index}")
        rep = RepresentativeFactory(organisation=member_organisation(legal_name=f"Membre {index}"))
        services.exclusion_open(
            organisation=rep.organisation,
            actor=copil,
            ground=ExclusionGround.IMAGE_HARM,
            facts="Propos publics.",
        )
        Invitation.objects.create(
            proposed_by=rep.user,
            guest_name=f"Invité {index}",
            guest_email=f"invite{index}@exemple.fr",
            guest_organisation_name="Atelier",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + datetime.timedelta(days=60),
            state=InvitationState.PROPOSED,
        )
        MinutesRequestFactory(meeting=CopilMeetingFactory(title=f"COPIL {index}"))
        ProxyFactory(election__status=ElectionStatus.ANNOUNCED)


@pytest.fixture
def world(copil):
    CharterVersionFactory(label="V1 R001")
    waiting_items(copil, 1)
    return copil


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_cockpit_lists_what_waits_with_the_page_to_act(client, world):
    client.force_login(world)

    response = client.get(COCKPIT)

    assert response.status_code == 200
    page = text(response)
    sections = {s.key: s for s in response.context["sections"]}
    assert [len(s.items) for s in sections.values()] == [1, 1, 1, 1, 1]
    application = sections["applications"].items[0]
    assert application.title == "Candidate 0"
    assert application.url.startswith("/admin/members/application/")
    assert f'href="{application.url}"' in page
    assert sections["exclusions"].items[0].url.startswith("/admin/members/exclusionprocedure/")
    assert "Réponse du membre attendue au plus tard le" in page
    assert sections["invitations"].items[0].url.startswith("/admin/members/invitation/")
    assert sections["minutes"].items[0].url == reverse("elections:minutes_requests")
    # Proxies are the election commission's (V12): the COPIL reads who decides, no link.
    proxies = sections["proxies"]
    assert proxies.items[0].url == ""
    assert "Action de la commission électorale" in page
    assert "5 décisions attendent le COPIL" in page
    # The deadlines the items create, with the link for those who act.
    assert "Répondre à la demande de compte rendu : COPIL 0" in page
    assert f'<a href="{reverse("elections:minutes_requests")}">Agir</a>' in page
    # The other tools of the COPIL.
    for name in ("deadlines:overview", "announcements:list", "activities:ratio_dashboard"):
        assert f'href="{reverse(name)}"' in page


def test_a_copil_member_of_the_election_commission_gets_the_proxy_link(client, world):
    world.groups.add(Group.objects.get_or_create(name=Role.ELECTION_COMMISSION)[0])
    client.force_login(world)

    sections = {s.key: s for s in client.get(COCKPIT).context["sections"]}

    [proxy] = sections["proxies"].items
    assert proxy.url.startswith("/elections/")
    assert sections["proxies"].hint == ""


def test_staff_outside_the_copil_read_the_cockpit_without_links_to_decide(client, world):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)

    response = client.get(COCKPIT)

    assert response.status_code == 200
    assert all(not item.url for s in response.context["sections"] for item in s.items)
    assert "Seuls les membres du COPIL décident des candidatures." in text(response)


def test_members_and_strangers_do_not_open_the_cockpit(client, world):
    assert client.get(COCKPIT)["Location"].startswith(reverse("account_login"))
    client.force_login(RepresentativeFactory(organisation=member_organisation()).user)
    assert client.get(COCKPIT).status_code == 403


def test_the_cockpit_is_linked_from_the_navigation_of_the_copil(client, world):
    client.force_login(world)

    page = client.get(reverse("space:dashboard")).content.decode()

    assert f'href="{COCKPIT}">Pilotage du COPIL</a>' in page


def test_the_admin_index_shows_the_same_panel(client, world):
    client.force_login(world)

    response = client.get(reverse("admin:index"))

    page = text(response)
    assert response.status_code == 200
    assert "Ce qui attend une décision du COPIL" in page
    assert "Candidate 0" in page and "Candidatures à décider" in page
    assert f'href="{COCKPIT}"' in page


def test_the_cockpit_runs_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world)
    client.get(COCKPIT)  # the session, the groups: as on any page
    with CaptureQueriesContext(connection) as one:
        assert client.get(COCKPIT).status_code == 200

    waiting_items(world, 6, start=1)
    with django_assert_max_num_queries(len(one)):
        response = client.get(COCKPIT)

    assert [len(s.items) for s in response.context["sections"]] == [7, 7, 7, 7, 7]
    assert len(one) <= COCKPIT_QUERY_BUDGET


def test_the_admin_index_runs_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world)
    client.get(reverse("admin:index"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("admin:index"))

    waiting_items(world, 6, start=1)
    with django_assert_max_num_queries(len(one)):
        assert client.get(reverse("admin:index")).status_code == 200


def test_a_commission_member_outside_the_copil_does_not_open_the_cockpit(client, world):
    client.force_login(commission_member())

    assert client.get(COCKPIT).status_code == 403
