"""The COPIL's cockpit (/copil/ and the admin index): what waits for a decision, each item
one click from the page where it is taken, in a constant number of queries; the deadlines
summed up per kind with the most urgent rows, in a panel that the page loads once shown
(copil:cockpit_deadlines) and whose size does not grow with them."""

import dataclasses
import datetime
import html

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from core import deadlines as engine
from core.deadlines import Deadline
from cos_portal.cockpit import COCKPIT_NAMED_ACTORS, COCKPIT_SHOWN_ITEMS, COCKPIT_SHOWN_ROWS
from cos_portal.views_deadlines import OVERVIEW_NAMED_ACTORS
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
from tests.members.test_dashboard_queries import join_elections_commission

pytestmark = pytest.mark.django_db

COCKPIT = reverse("copil:cockpit")
PANEL = reverse("copil:cockpit_deadlines")
# The page: the session, the user with their groups, the five lists and who runs the
# elections (the performance issue's goal: 12 at most).
COCKPIT_QUERY_BUDGET = 12
# Its panel of deadlines: the session, the user, the deadline sources (shared reads once
# per panel: the groups' members, the charter in force with the latest version, the
# elections commission, the elections still to hold, the invitations of the window, the
# open exclusion procedures and the pending minutes requests; the statuses held since
# with the organisations that owe the charter; every organisation's current status and
# every organisation's active representatives), the rows' organisations and who acts.
PANEL_QUERY_BUDGET = 22
TODAY = datetime.date(2026, 6, 15)
OVERVIEW = reverse("deadlines:overview")


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
    # The deadlines: a placeholder that htmx replaces by their panel once the page is
    # shown; without JavaScript, the link to their full list.
    assert f'data-hx-get="{PANEL}" data-hx-trigger="load" data-hx-swap="outerHTML"' in page
    assert "Les échéances se comptent… " in page
    assert "Répondre à la demande de compte rendu" not in page
    # The panel: the deadlines the items create, with the link for those who act.
    panel = text(client.get(PANEL))
    assert panel.startswith('<section class="cockpit-section mb-3" id="cockpit-deadlines-panel"')
    assert '<h2 id="cockpit-deadlines" class="h5">Échéances' in panel
    assert "Répondre à la demande de compte rendu : COPIL 0" in panel
    assert f'<a href="{reverse("elections:minutes_requests")}">Agir</a>' in panel
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


@pytest.mark.rule("V12")
def test_a_copil_member_in_the_standing_elections_commission_gets_the_proxy_link(client, world):
    """K3's accepted members run the elections as the group does: the cockpit knows it
    from the list of the commission its deadlines read, with no query of its own."""
    rep = RepresentativeFactory(user=world, organisation=member_organisation())
    join_elections_commission(rep)
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


@pytest.mark.parametrize("url", [COCKPIT, PANEL])
def test_members_and_strangers_do_not_open_the_cockpit(client, world, url):
    assert client.get(url)["Location"].startswith(reverse("account_login"))
    client.force_login(RepresentativeFactory(organisation=member_organisation()).user)
    assert client.get(url).status_code == 403


def test_the_panel_asked_by_a_page_whose_session_ended_reloads_the_page(client, world):
    """htmx would put the login form in the panel's place: it reloads the page instead,
    which leads to the login form."""
    response = client.get(PANEL, headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"
    assert response.content == b""


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
    # Its panel of deadlines too, headed one level down.
    assert f'data-hx-get="{PANEL}?titre=3"' in page
    assert 'src="/static/vendor/htmx/htmx.min.js" defer' in page


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


def test_the_panel_of_deadlines_runs_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world)
    client.get(PANEL)
    with CaptureQueriesContext(connection) as one:
        assert client.get(PANEL).status_code == 200

    waiting_items(world, 6, start=1)
    with django_assert_max_num_queries(len(one)):
        response = client.get(PANEL)

    assert response.context["deadlines"].total >= 7  # the minutes requests' deadlines, at least
    assert len(one) <= PANEL_QUERY_BUDGET


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


def test_each_list_shows_its_first_decisions_and_counts_the_others(client, world):
    """A wave of applications does not lengthen the cockpit: each list shows its first
    COCKPIT_SHOWN_ITEMS, counts them all, and links to the full list where the COPIL
    decides; a reader who cannot decide reads the count only."""
    waiting_items(world, COCKPIT_SHOWN_ITEMS + 2, start=1)
    client.force_login(world)

    response = client.get(COCKPIT)

    page = text(response)
    sections = {s.key: s for s in response.context["sections"]}
    total = COCKPIT_SHOWN_ITEMS + 3
    assert [(len(s.items), s.total) for s in sections.values()] == [
        (COCKPIT_SHOWN_ITEMS, total)
    ] * 5
    assert sections["applications"].items[0].title == "Candidate 0"  # the oldest first
    assert f"{5 * total} décisions attendent le COPIL" in page
    for key, url in [
        ("applications", reverse("admin:members_application_changelist")),
        ("invitations", reverse("admin:members_invitation_changelist")),
        ("exclusions", reverse("admin:members_exclusionprocedure_changelist")),
        ("minutes", reverse("elections:minutes_requests")),
    ]:
        assert sections[key].more_url == url
        assert f'<a href="{url}">Voir les 3 autres</a>' in page
    assert sections["proxies"].more_url == ""  # the election commission's
    assert "Et 3 autres." in page

    client.force_login(UserFactory(is_staff=True))
    staff = text(client.get(COCKPIT))
    assert "Voir les 3 autres" not in staff
    assert staff.count("Et 3 autres.") == 5


def test_the_cockpit_does_not_grow_with_what_waits(client, world):
    client.force_login(world)
    waiting_items(world, COCKPIT_SHOWN_ITEMS, start=1)
    shown = len(client.get(COCKPIT).content)
    waiting_items(world, 20, start=COCKPIT_SHOWN_ITEMS + 1)
    more = len(client.get(COCKPIT).content)

    assert abs(more - shown) < 600, (shown, more)


def test_a_commission_member_outside_the_copil_does_not_open_the_cockpit(client, world):
    client.force_login(commission_member())

    assert client.get(COCKPIT).status_code == 403


# --- The deadlines: counted per kind, the most urgent as rows ---------------------------


@pytest.fixture
def test_kinds(monkeypatch):
    """The registry holds two test kinds only, fed by ``add_deadlines``: each assertion
    counts known deadlines."""
    monkeypatch.setattr(engine, "_REGISTRY", {})
    found: dict[str, list[Deadline]] = {"test.signature": [], "test.rappel": []}
    for kind, label in (("test.signature", "Signature de test"), ("test.rappel", "Rappel de test")):
        engine.deadline_source(kind, label=label, required=False)(
            lambda *, start, end, kind=kind: found[kind]
        )
    return found


@pytest.fixture
def deadline_world(test_kinds):
    """A COPIL member, who acts on the test deadlines, and organisations to name."""
    with freeze_time("2026-06-15 10:00:00+02:00"):
        copil = copil_user(first_name="Claire", last_name="Copil")
        organisations = [member_organisation(legal_name=f"Entité {n:02d}") for n in range(3)]
        yield {"copil": copil, "organisations": organisations, "found": test_kinds}


def add_deadlines(world, kind: str, *, overdue: int = 0, upcoming: int = 0) -> None:
    """``overdue`` deadlines of ``kind`` due 1 to 30 days ago, ``upcoming`` due today to in
    29 days (each date in turn), each with an organisation and the COPIL member acting."""
    found = world["found"][kind]
    days = [-(1 + n % 30) for n in range(overdue)] + [n % 30 for n in range(upcoming)]
    for offset in days:
        number = len(found)
        found.append(
            Deadline(
                key=f"{kind}:{number:04d}",
                kind=kind,
                label=f"Échéance de test {number:04d}",
                due=TODAY + datetime.timedelta(days=offset),
                act_url="/charte/signer/",
                actors=(world["copil"].pk,),
                informed=(),
                offsets=(7, 0),
                required=False,
                organisation_id=world["organisations"][number % 3].pk,
            )
        )


def cockpit(client, world, url=PANEL):
    client.force_login(world["copil"])
    with freeze_time("2026-06-15 10:00:00+02:00"):
        return client.get(url)


def test_the_cockpit_counts_the_deadlines_per_kind_and_shows_the_most_urgent(
    client, deadline_world
):
    add_deadlines(deadline_world, "test.signature", overdue=14, upcoming=3)
    add_deadlines(deadline_world, "test.rappel", overdue=2, upcoming=12)

    response = cockpit(client, deadline_world)

    assert response.status_code == 200
    deadlines = response.context["deadlines"]
    counts = {k.kind: (k.label, k.overdue, k.upcoming) for k in deadlines.kinds}
    assert counts == {
        "test.signature": ("Signature de test", 14, 3),
        "test.rappel": ("Rappel de test", 2, 12),
    }
    # At most 10 of each: overdue the oldest first, upcoming the soonest first.
    assert len(deadlines.overdue) == len(deadlines.upcoming) == COCKPIT_SHOWN_ROWS
    overdue_days = [row.overdue_days for row in deadlines.overdue]
    assert overdue_days == sorted(overdue_days, reverse=True) and overdue_days[0] == 14
    upcoming_days = [row.days_left for row in deadlines.upcoming]
    assert upcoming_days == sorted(upcoming_days) and upcoming_days[0] == 0
    assert deadlines.others == 31 - 2 * COCKPIT_SHOWN_ROWS
    page = text(response)
    assert page.count('<tr class="table-warning">') == COCKPIT_SHOWN_ROWS
    assert page.count(">Agir</a>") == 2 * COCKPIT_SHOWN_ROWS
    assert "16 en retard" in page  # the badge: every overdue deadline, not the rows shown
    assert "En retard, les plus anciennes d'abord (10 sur 16)." in page
    assert "À venir, les plus proches d'abord (10 sur 15)." in page
    assert f'<a href="{OVERVIEW}">Voir les 11 autres échéances</a>' in page
    # Each kind links to the full list filtered on it (overdue only from its count).
    assert f'<a href="{OVERVIEW}?kind=test.signature">Signature de test</a>' in page
    assert f'<a href="{OVERVIEW}?kind=test.signature&overdue=on">14</a>' in page
    assert "<td>12</td>" in page
    # The rows keep who acts and the organisation.
    assert "Claire Copil" in page and "(Entité 00)" in page
    # The kind's link opens the full list with that kind's deadlines only.
    client.force_login(deadline_world["copil"])
    with freeze_time("2026-06-15 10:00:00+02:00"):
        overview = client.get(OVERVIEW, {"kind": "test.rappel"})
    assert len(overview.context["rows"]) == 14
    assert {row.deadline.kind for row in overview.context["rows"]} == {"test.rappel"}


def test_the_rows_say_who_acts_to_a_reader_who_does_not(client, deadline_world):
    add_deadlines(deadline_world, "test.rappel", overdue=1, upcoming=1)
    staff = UserFactory(is_staff=True)

    response = cockpit(client, {**deadline_world, "copil": staff})

    page = text(response)
    assert ">Agir</a>" not in page
    assert page.count("À faire par les personnes indiquées dans « Qui agit »") == 2
    assert "Claire Copil" in page


def test_a_row_names_a_few_of_those_who_act_and_counts_the_others(client, deadline_world):
    """A deadline of every member (the candidacies) has thousands who act: the row names
    a few and counts the others; the full list names a few more, and counts the others too."""
    add_deadlines(deadline_world, "test.rappel", upcoming=1)
    people = [UserFactory(first_name="Personne", last_name=f"N{n:02d}") for n in range(12)]
    [row] = deadline_world["found"]["test.rappel"]
    deadline_world["found"]["test.rappel"][0] = dataclasses.replace(
        row, actors=(deadline_world["copil"].pk, *(p.pk for p in people))
    )

    response = cockpit(client, deadline_world)

    [row] = response.context["deadlines"].upcoming
    assert len(row.actors) == COCKPIT_NAMED_ACTORS
    assert row.actors_more == 13 - COCKPIT_NAMED_ACTORS
    assert row.can_act  # the reader acts, named or not
    page = text(response)
    assert "et 8 autres personnes" in page
    assert sum(f"Personne N{n:02d}" in page for n in range(12)) == COCKPIT_NAMED_ACTORS - 1
    with freeze_time("2026-06-15 10:00:00+02:00"):
        overview = text(client.get(OVERVIEW))
    named = sum(f"Personne N{n:02d}" in overview for n in range(12))
    assert named == OVERVIEW_NAMED_ACTORS - 1  # the COPIL member, then the first others
    assert f"et {13 - OVERVIEW_NAMED_ACTORS} autres personnes" in overview


def test_few_deadlines_are_all_shown_with_the_link_to_the_full_list(client, deadline_world):
    add_deadlines(deadline_world, "test.signature", overdue=2, upcoming=1)

    response = cockpit(client, deadline_world)

    deadlines = response.context["deadlines"]
    assert (len(deadlines.overdue), len(deadlines.upcoming), deadlines.others) == (2, 1, 0)
    assert [k.kind for k in deadlines.kinds] == ["test.signature"]  # kinds without any: left out
    page = text(response)
    assert f'<a href="{OVERVIEW}">Toutes les échéances</a>' in page
    assert "autres échéances" not in page
    assert "2 en retard" in page


def test_no_deadline(client, deadline_world):
    page = text(cockpit(client, deadline_world))

    assert "0 en retard" in page
    assert "Aucune échéance en retard ni dans les 30 prochains jours." in page
    assert "cockpit-deadline-kinds" not in page


def test_the_admin_index_sums_up_the_deadlines_too(client, deadline_world):
    """The admin's index loads the same panel, its headings one level down."""
    add_deadlines(deadline_world, "test.signature", overdue=12, upcoming=15)

    index = text(cockpit(client, deadline_world, reverse("admin:index")))
    response = cockpit(client, deadline_world, f"{PANEL}?titre=3")

    assert f'data-hx-get="{PANEL}?titre=3"' in index
    assert response.status_code == 200
    deadlines = response.context["deadlines"]
    assert [(k.overdue, k.upcoming) for k in deadlines.kinds] == [(12, 15)]
    panel = text(response)
    assert panel.count("<tr") == 2 + 2 * (1 + COCKPIT_SHOWN_ROWS)  # kinds, overdue, upcoming
    assert '<h3 id="cockpit-deadlines" class="h5">Échéances' in panel
    assert "12 en retard" in panel
    assert f'<a href="{OVERVIEW}">Voir les 7 autres échéances</a>' in panel


def measure(client, world, url, *, overdue: int, upcoming: int) -> tuple[int, int]:
    """The queries and the size of ``url`` once the world holds that many deadlines."""
    world["found"]["test.signature"].clear()
    world["found"]["test.rappel"].clear()
    add_deadlines(world, "test.signature", overdue=overdue // 2, upcoming=upcoming // 2)
    add_deadlines(
        world, "test.rappel", overdue=overdue - overdue // 2, upcoming=upcoming - upcoming // 2
    )
    client.force_login(world["copil"])
    with freeze_time("2026-06-15 10:00:00+02:00"):
        client.get(url)  # the session, the groups: as on any page
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.content)


@pytest.mark.parametrize("url", [PANEL, f"{PANEL}?titre=3"])
def test_the_panel_does_not_grow_with_the_deadlines(client, deadline_world, url):
    few = measure(client, deadline_world, url, overdue=2, upcoming=1)
    some = measure(client, deadline_world, url, overdue=12, upcoming=13)
    many = measure(client, deadline_world, url, overdue=20, upcoming=20)

    # The same queries at 3 deadlines as at 40: the sources', then the names of the rows'
    # organisations and of who acts.
    assert few[0] == some[0] == many[0]
    # 25 and 40 deadlines: the same 10 + 10 rows, only counts differ.
    assert abs(many[1] - some[1]) < 300, (some, many)


@pytest.mark.parametrize("url", [COCKPIT, reverse("admin:index")])
def test_the_page_reads_no_deadline(client, deadline_world, url):
    """The page shows its decisions without counting the deadlines: the same queries
    and the same bytes whatever their number."""
    few = measure(client, deadline_world, url, overdue=2, upcoming=1)
    many = measure(client, deadline_world, url, overdue=20, upcoming=20)

    assert few == many
