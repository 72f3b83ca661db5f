"""The check-in page with a long roster (A2): the page's script lists the people a hundred
at a time and finds anyone as one types; without JavaScript, the search lists the
matching people with their buttons."""

import re

import pytest
from playwright.sync_api import expect

from activities.constants import Attendance
from activities.models import Participation
from members.constants import Role
from members.models import Representative
from tests.activities.factories import ActivityFactory, user_in
from tests.activities.test_checkin import build_roster
from tests.browser.conftest import DESKTOP
from tests.browser.test_checkin_phone import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def context_options():
    """The ``page`` of this module runs without JavaScript (``phone_page`` with it)."""
    return {**DESKTOP, "java_script_enabled": False}


@pytest.mark.rule("A2")
def test_a_long_roster_is_listed_a_hundred_at_a_time_and_searched_as_one_types(
    phone_page, live_server, screenshot
):
    activity = ActivityFactory()
    users = build_roster(activity, 240)  # "P N0000" to "P N0239", in that order
    organiser = user_in(Role.ORGANISERS)
    log_in(phone_page, live_server, organiser)
    page = phone_page

    page.goto(f"/activites/{activity.pk}/pointage/")
    rows = page.locator("#roster .roster-row")
    expect(rows).to_have_count(100)
    expect(page.locator(f"#personne-{users[230].pk}")).to_have_count(0)

    page.get_by_label("Rechercher une personne ou une entité").fill("n0230")
    expect(rows).to_have_count(1)
    late = page.locator(f"#personne-{users[230].pk}")
    late.get_by_role("button", name="Présent").tap()
    expect(late.get_by_role("button", name="Présent")).to_have_attribute("aria-pressed", "true")
    expect(page.locator('[data-count="present"] span')).to_have_text("1")

    page.get_by_label("Rechercher une personne ou une entité").fill("")
    expect(rows).to_have_count(100)
    # The button shows the next hundred. It is pressed where it stands: scrolled into view,
    # the list would grow by itself (its end coming into view) and the button could be gone
    # before the pointer reached it.
    page.get_by_role("button", name="Afficher les personnes suivantes").dispatch_event("click")
    expect(rows).not_to_have_count(100)
    assert rows.count() in (200, 240)

    # Someone who left their organisation since the page was loaded: the tap is refused
    # in the row, nothing is recorded.
    Representative.objects.filter(user=users[5]).delete()
    gone = page.locator(f"#personne-{users[5].pk}")
    gone.get_by_role("button", name="Absent").tap()
    expect(gone.get_by_role("alert")).to_contain_text(
        "ajoutez-la comme participant sans convocation"
    )
    expect(gone.get_by_role("button", name="Absent")).to_have_attribute("aria-pressed", "false")

    assert dict(Participation.objects.values_list("user_id", "attendance")) == {
        users[230].pk: Attendance.PRESENT
    }
    # The tap went through the check-in app's queue: refused by the sync, said in the row
    # and in the list of refusals, and gone from the queue (not retried).
    expect(page.locator("#checkin-pending")).to_have_text("0 action en attente d'envoi.")
    expect(page.locator("#checkin-refused li")).to_have_text(
        [re.compile(r"^P N0005 : .*ajoutez-la comme participant sans convocation")]
    )
    assert page.console_errors == []
    screenshot(page, "activities-checkin-long-roster")


@pytest.mark.rule("A2")
def test_without_javascript_the_search_lists_the_people_to_mark(page, live_server, screenshot):
    activity = ActivityFactory()
    users = build_roster(activity, 40)
    organiser = user_in(Role.ORGANISERS)
    log_in(page, live_server, organiser)

    page.goto(f"/activites/{activity.pk}/pointage/")
    expect(page.locator("main")).to_contain_text(
        "Recherchez une personne par son nom ou son entité pour la pointer."
    )
    expect(page.locator("#roster .roster-row")).to_have_count(0)

    page.get_by_label("Rechercher une personne ou une entité").fill("N0007")
    page.get_by_role("button", name="Rechercher").click()
    row = page.locator(f"#personne-{users[7].pk}")
    expect(page.locator("#roster .roster-row")).to_have_count(1)
    row.get_by_role("button", name="Excusé").click()

    expect(page).to_have_url(
        f"{live_server.url}/activites/{activity.pk}/pointage/?q=N0007#personne-{users[7].pk}"
    )
    expect(row.get_by_role("button", name="Excusé")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_label("Rechercher une personne ou une entité")).to_have_value("N0007")
    assert Participation.objects.get().attendance == Attendance.EXCUSED
    screenshot(page, "activities-checkin-without-javascript")
