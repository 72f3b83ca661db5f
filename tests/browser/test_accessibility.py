"""Accessibility, measured (issue 10): axe-core finds no WCAG 2.1 A/AA violation.

Every HTML page of the permission matrix (tests/security/test_permission_matrix.py) is
opened in Chromium as the first role that may see it (anonymous for the public pages),
in the same world of data, and axe-core runs inside it. A page added to the portal is in
the matrix, so it is checked here too; a new non-HTML URL (file, PDF, calendar, JSON)
goes into NOT_PAGES.

Then the pages whose state matters: an election with voting open, the charter signing
page for a signatory who has not signed yet, the English version of a few pages; and the
forms, submitted empty or invalid, with their errors shown.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities.constants import ActivityKind
from governance.models import Candidacy, Election, ElectionStatus
from tests.activities.factories import ActivityFactory
from tests.browser.conftest import AXE_VERSION
from tests.browser.test_checkin_phone import log_in
from tests.browser.test_journey_application import purge_signatures  # noqa: F401
from tests.charters.factories import signatory
from tests.security.test_permission_matrix import (  # the matrix's world of data
    EXPECTED,
    POST_ONLY,
    ROLES,
    matrix_urls,
    url_for,
    world,  # noqa: F401
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("purge_signatures")]

# Named URLs that answer with something else than an HTML page.
NOT_PAGES = {
    "healthz",  # JSON
    "set_language",  # redirect
    "account_logout",  # a confirmation for the signed in, a redirect otherwise (see below)
    "members:organisation_logo",
    "charters:certificate",
    "activities:calendar",
    "activities:private_calendar",
    "activities:attendance_export",
    "activities:minutes_file",
    "privacy:export",
    "elections:candidacy_video",
    "elections:proxy_pdf",
    "elections:receipts",
    "elections:copil_minutes_file",
    "commissions:attachment",
    "commissions:revision_index",  # a redirect to the revision in progress
    "member_space:dashboard",  # a redirect for the member (the organiser's page is below)
    "member_space:proof_document",
    "activities:sign_in_sheet",  # PDF
    "activities:my_checkin_code",  # PNG
    "directory_csv",
    "directory_json",
    "directory_csv_fr",
    "directory_datapackage",
    "directory_schema",
    "sitemap",
    "robots_txt",
    "favicon",
    "web_manifest",
    "activities:checkin_manifest",
    "activities:checkin_roster",  # JSON
    "activities:checkin_service_worker",
    "deadlines:ics",
    "copil:cockpit_deadlines",  # an HTML fragment: within the cockpit (below)
}
# The admin is Django's own (outside the scope: "the COPIL pages outside the admin").
PAGES = sorted(
    name
    for name in EXPECTED
    if name not in NOT_PAGES
    and name not in POST_ONLY
    and not name.startswith("admin:")
    and 200 in EXPECTED[name]  # a page nobody of the matrix's world may open is not shown
)
# The role that opens a page: anonymous when it is public, else the first who may.
PREFERENCE = ("anonymous", "member", "copil", "superuser", "organiser", "invitee")


def role_for(name: str) -> str:
    row = dict(zip(ROLES, EXPECTED[name], strict=True))
    return next(role for role in PREFERENCE if row[role] == 200)


def open_as(page, live_server, users, role, url):
    if users[role] is not None:
        log_in(page, live_server, users[role])
    response = page.goto(url)
    assert response.status == 200, f"{url} as {role}: {response.status}"
    content_type = response.headers["content-type"]
    assert content_type.startswith("text/html"), f"{url} is {content_type}: add it to NOT_PAGES"
    return response


@pytest.mark.parametrize("name", PAGES)
def test_every_page_has_no_wcag_violation(page, live_server, world, assert_accessible, name):  # noqa: F811
    users, by_parameter, by_url = world
    role = role_for(name)
    url = url_for(name, matrix_urls()[name], by_parameter, by_url)

    open_as(page, live_server, users, role, url)

    assert_accessible(page, f"{url} ({name}, as {role})")


# Public pages as a signed-in member sees them (the navigation and the actions differ).
SIGNED_IN_VIEWS = (
    "home",
    "members:directory",
    "members:organisation",
    "activities:detail",
    "commissions:referents",
)


@pytest.mark.parametrize("name", SIGNED_IN_VIEWS)
def test_public_pages_seen_by_a_member_have_no_wcag_violation(
    page,
    live_server,
    world,  # noqa: F811
    assert_accessible,
    name,
):
    users, by_parameter, by_url = world
    url = url_for(name, matrix_urls()[name], by_parameter, by_url)

    open_as(page, live_server, users, "member", url)

    assert_accessible(page, f"{url} ({name}, as member)")


def test_the_logout_confirmation_and_the_organiser_s_dashboard(
    page,
    live_server,
    world,  # noqa: F811
    assert_accessible,
):
    users, _by_parameter, _by_url = world
    open_as(page, live_server, users, "organiser", "/espace-membre/")
    assert_accessible(page)
    page.goto("/comptes/logout/")
    assert_accessible(page)


@pytest.fixture
def voting_open():
    """An election with voting open, three candidates, and a signatory who may vote."""
    now = timezone.now()
    election = Election.objects.create(
        title="Élection du COPIL",
        plenary=ActivityFactory(kind=ActivityKind.ORDINARY_PLENARY, starts_at=now),
        election_date=timezone.localdate(now),
        candidacy_deadline=now - datetime.timedelta(days=60),
        seats_to_fill=2,
        status=ElectionStatus.VOTING,
        voting_opened_at=now,
    )
    from tests.governance.elections.factories import member_rep
    from tests.members.factories import UserFactory

    for first, last in (("Alice", "Bernard"), ("Bruno", "Colin"), ("Chloé", "Dumas")):
        rep = member_rep(user=UserFactory(first_name=first, last_name=last))
        Candidacy.objects.create(
            election=election, candidate=rep.user, organisation=rep.organisation, statement="Projet"
        )
    voter = member_rep(user=UserFactory(first_name="Hélène", last_name="Porteur"))
    return election, voter


def test_the_voting_pages_with_voting_open_and_their_errors(
    page, live_server, voting_open, assert_accessible
):
    election, voter = voting_open
    log_in(page, live_server, voter.user)
    page.goto(f"/elections/{election.pk}/voter/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Voter")
    expect(page.get_by_label("Alice Bernard")).to_be_visible()
    assert_accessible(page, "the voting page")

    page.get_by_label("Alice Bernard").check()
    page.get_by_role("button", name="Vérifier mon bulletin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer mon bulletin")
    assert_accessible(page, "the ballot's confirmation page")

    submit_empty(page)  # no password
    assert_errors_announced(page)
    assert_accessible(page, "the ballot's confirmation page with errors")


def test_the_signing_page_for_a_signatory_who_has_not_signed_and_its_errors(
    page,
    live_server,
    world,  # noqa: F811  (the charter version in force, the portal's key)
    assert_accessible,
    screenshot,
):
    rep = signatory()
    log_in(page, live_server, rep.user)
    page.goto("/charte/signer/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Signer la charte")
    expect(page.get_by_label("Mot de passe")).to_be_visible()
    assert_accessible(page, "the signing page")

    submit_empty(page)
    assert_errors_announced(page)
    assert_accessible(page, "the signing page with errors")
    screenshot(page, "accessibility-error-summary")


@pytest.mark.parametrize(
    "name", ["home", "members:directory", "members:organisation", "accessibility", "account_login"]
)
def test_pages_in_english_are_accessible_and_say_their_language(
    page,
    live_server,
    world,  # noqa: F811
    assert_accessible,
    name,
):
    users, by_parameter, by_url = world
    url = url_for(name, matrix_urls()[name], by_parameter, by_url)
    page.goto("/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.goto(url)

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Français")).to_have_attribute("lang", "fr")
    assert_accessible(page, f"{url} in English ({name})")


def test_the_statement_names_the_axe_core_version_the_tests_run(page, screenshot):
    page.goto("/accessibilite/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d'accessibilité")
    expect(page.locator("#etat").locator("..")).to_contain_text("partiellement conforme")
    expect(page.locator("main")).to_contain_text(f"axe-core {AXE_VERSION}")
    expect(page.get_by_role("link", name="copil@cos-ge.fr")).to_be_visible()
    for page_name in ("Accueil", "Déclaration d'accessibilité"):
        expect(page.locator("main").get_by_role("link", name=page_name)).to_be_visible()
    screenshot(page, "accessibility-statement")
    # Linked from the footer of every page (RGAA: the status is shown on every page).
    page.goto("/annuaire/")
    page.get_by_role("contentinfo").get_by_role(
        "link", name="Accessibilité : partiellement conforme"
    ).click()
    expect(page).to_have_url(re.compile(r"/accessibilite/$"))


# Forms sent empty: the errors shown must be announced and accessible too.
FORMS = (
    "account_login",
    "account_signup",
    "account_reset_password",
    "charters:verify",
    "commissions:referent_contact",
    "application:form",
    "space:organisation_edit",
    "member_space:invitation_propose",
    "elections:create",
    "commissions:report_create",
    "commissions:meeting_create",
    "commissions:roadmap_create",
    "commissions:revision_petition",
    "activities:attendance_import",
    "activities:create",
    "privacy:erase",
)


@pytest.mark.parametrize("name", FORMS)
def test_forms_sent_empty_announce_their_errors_accessibly(
    page,
    live_server,
    world,  # noqa: F811
    assert_accessible,
    name,
):
    users, by_parameter, by_url = world
    role = role_for(name)
    url = url_for(name, matrix_urls()[name], by_parameter, by_url)
    open_as(page, live_server, users, role, url)

    submit_empty(page)

    assert_errors_announced(page)
    assert_accessible(page, f"{url} with errors ({name}, as {role})")


def submit_empty(page):
    """Send the page's main form (the one with the most fields) without filling it in,
    past the browser's own checks (``required``), by its default button: the server's
    messages are shown."""
    page.evaluate(
        """() => {
            const forms = [...document.querySelectorAll('main form')];
            const size = (f) => f.querySelectorAll('input:not([type=hidden]), select, textarea').length;
            const form = forms.sort((a, b) => size(b) - size(a))[0];
            form.noValidate = true;
            form.querySelectorAll('input[type=text], input[type=email], input[type=password], textarea')
                .forEach((field) => { field.value = ''; });
            form.querySelectorAll('input[type=checkbox]').forEach((box) => { box.checked = false; });
            form.setAttribute('data-sent', '');
        }"""
    )
    # Its default button, the one Enter sends (the activity form's is visually hidden).
    with page.expect_navigation():
        page.locator("form[data-sent] [type=submit]").first.evaluate("button => button.click()")


def assert_errors_announced(page):
    """The error summary comes first, focused, each link leads to a field; each invalid
    field says so (``aria-invalid``) and points to its message (``aria-describedby``)."""
    summary = page.locator("[data-error-summary]")
    expect(summary).to_have_count(1)
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    problems = page.evaluate(
        """() => {
            const problems = [];
            const summary = document.querySelector('[data-error-summary]');
            for (const link of summary.querySelectorAll('a[href^="#"]')) {
                const field = document.getElementById(link.getAttribute('href').slice(1));
                if (!field) problems.push(`the summary links to a missing field: ${link.href}`);
                else if (field.getAttribute('aria-invalid') !== 'true'
                         && !field.closest('fieldset[aria-describedby]'))
                    problems.push(`${field.id} is in the summary but not aria-invalid`);
            }
            for (const field of document.querySelectorAll('[aria-invalid=true]')) {
                const ids = (field.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
                const texts = ids.map((id) => document.getElementById(id)).filter(Boolean);
                if (!texts.some((element) => element.id.endsWith('_error') && element.textContent.trim()))
                    problems.push(`${field.id}: aria-describedby does not point to its error message`);
            }
            return problems;
        }"""
    )
    assert problems == []
