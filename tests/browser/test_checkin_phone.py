"""The check-in page on a phone, in Chromium (A2): one tap updates one row, no reload, under CSP."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from playwright.sync_api import expect

from activities.constants import Attendance
from activities.models import Participation
from members.constants import Role
from members.models import Representative
from tests.activities.factories import ActivityFactory, convene, user_in
from tests.members.factories import RepresentativeFactory, member_organisation

pytestmark = pytest.mark.browser


def log_in(page, live_server, user):
    """A signed-in session cookie, as after the login form (tested by the accounts journeys)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "core.auth_backends.PortalModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
            }
        ]
    )


def test_organiser_marks_people_present_on_a_phone_without_reloading(
    phone_page, live_server, screenshot
):
    organiser = user_in(Role.ORGANISERS)
    activity = ActivityFactory(
        title="Atelier cobotique", starts_at=timezone.now() - datetime.timedelta(minutes=30)
    )
    member = member_organisation(legal_name="Cobots de Moselle")
    alice = RepresentativeFactory(
        organisation=member, user__first_name="Alice", user__last_name="Marchal"
    )
    bruno = RepresentativeFactory(
        organisation=member, user__first_name="Bruno", user__last_name="Weber"
    )
    convene(activity, member)
    log_in(phone_page, live_server, organiser)
    page = phone_page

    page.goto(f"/activites/{activity.pk}/pointage/")
    page.evaluate("window.notReloaded = true")
    alice_row = page.locator(f"#personne-{alice.user.pk}")
    alice_row.get_by_role("button", name="Présent").tap()

    expect(
        page.locator(f"#personne-{alice.user.pk}").get_by_role("button", name="Présent")
    ).to_have_attribute("aria-pressed", "true")
    expect(page.locator('[data-count="present"] span')).to_have_text("1")
    assert page.evaluate("window.notReloaded") is True

    page.get_by_label("Rechercher une personne ou une entité").fill("weber")
    expect(page.locator(f"#personne-{alice.user.pk}")).to_be_hidden()
    bruno_row = page.locator(f"#personne-{bruno.user.pk}")
    bruno_row.get_by_role("button", name="Excusé").tap()
    expect(
        page.locator(f"#personne-{bruno.user.pk}").get_by_role("button", name="Excusé")
    ).to_have_attribute("aria-pressed", "true")

    # Each tap is queued on the phone and sent at once: the server has them all when
    # nothing waits to be sent.
    expect(page.locator("#checkin-pending")).to_have_text("0 action en attente d'envoi.")
    assert dict(Participation.objects.values_list("user__last_name", "attendance")) == {
        "Marchal": Attendance.PRESENT,
        "Weber": Attendance.EXCUSED,
    }
    assert page.console_errors == []
    screenshot(page, "activities-checkin-phone")


@pytest.mark.rule("A2")
def test_the_page_comes_first_then_its_roster_or_a_french_reason_why_not(phone_page, live_server):
    """The page is the app's shell: the roster comes apart (its counts with it), the
    phone's copy first when it has one; when the server refuses the roster, or the network
    fails with no copy on the phone, the page says so."""
    organiser = user_in(Role.ORGANISERS)
    activity = ActivityFactory()
    member = member_organisation(legal_name="Cobots de Moselle")
    alice = RepresentativeFactory(organisation=member, user__last_name="Marchal")
    RepresentativeFactory(organisation=member, user__last_name="Weber")
    convene(activity, member)
    Participation.objects.create(
        activity=activity, user=alice.user, organisation=member, attendance=Attendance.PRESENT
    )
    log_in(phone_page, live_server, organiser)
    page = phone_page
    roster = f"**/activites/{activity.pk}/pointage/personnes.json"

    page.goto(f"/activites/{activity.pk}/pointage/")
    expect(page.locator("#roster .roster-row")).to_have_count(2)
    expect(page.locator('[data-count="total"] span')).to_have_text("2")
    expect(page.locator('[data-count="present"] span')).to_have_text("1")
    expect(page.locator("#roster-loading")).to_be_hidden()

    # No network: the phone's copy, kept at the first load, lists the roster.
    page.route(roster, lambda route: route.abort())
    page.reload()
    expect(page.locator("#roster .roster-row")).to_have_count(2)
    expect(page.locator('[data-count="present"] span')).to_have_text("1")

    # The copy shows at once, the server's roster replaces it: Weber came meanwhile.
    page.unroute(roster)
    weber = Representative.objects.get(user__last_name="Weber")
    Participation.objects.create(
        activity=activity, user=weber.user, organisation=member, attendance=Attendance.PRESENT
    )
    page.reload()
    expect(page.locator('[data-count="present"] span')).to_have_text("2")

    # A session ended on the server: the roster is refused, and the page says so.
    page.route(roster, lambda route: route.fulfill(status=403, body="Accès refusé"))
    page.reload()
    expect(page.get_by_role("alert")).to_have_text(
        "La liste des personnes n'a pas été transmise : reconnectez-vous en organisateur, "
        "puis rechargez la page."
    )

    # No network and no copy on this phone (another browser): said in French.
    other = page.context.browser.new_context(**{"viewport": {"width": 390, "height": 844}})
    try:
        fresh = other.new_page()
        log_in(fresh, live_server, organiser)
        fresh.route(roster, lambda route: route.abort())
        fresh.goto(f"{live_server.url}/activites/{activity.pk}/pointage/")
        expect(fresh.get_by_role("alert")).to_contain_text(
            "La liste des personnes n'a pas pu être chargée"
        )
    finally:
        other.close()
