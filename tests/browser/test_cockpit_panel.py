"""The COPIL's cockpit in Chromium, with the portal's CSP: the decisions come with the
page, the panel of deadlines replaces its placeholder once the page is shown (htmx), on
/copil/ and on the admin's index, without a console error nor a WCAG violation."""

import pytest

from tests.browser.test_checkin_phone import log_in
from tests.charters.factories import CharterVersionFactory
from tests.cos_portal.test_cockpit import waiting_items
from tests.governance.commissions.factories import copil_user

pytestmark = pytest.mark.browser

PANEL = "#cockpit-deadlines-panel:not([aria-busy])"


@pytest.mark.parametrize(("url", "heading"), [("/copil/", "h2"), ("/admin/", "h3")])
def test_the_panel_of_deadlines_comes_once_the_page_is_shown(
    page, live_server, assert_accessible, url, heading
):
    copil = copil_user(first_name="Claire", last_name="Copil")
    CharterVersionFactory(label="V1 R001")
    waiting_items(copil, 1)
    log_in(page, live_server, copil)

    page.goto(url)

    panel = page.locator(PANEL)
    panel.wait_for()
    assert panel.locator(f"{heading}#cockpit-deadlines").inner_text().startswith("Échéances")
    assert "Répondre à la demande de compte rendu : COPIL 0" in panel.inner_text()
    assert panel.locator(".cockpit-deadline-kinds").count() == 1
    assert page.locator(".cockpit-deadlines-loading").count() == 0
    assert page.get_by_text("Candidate 0").count() == 1  # the decisions, with the page
    assert page.console_errors == []
    if url == "/copil/":
        assert_accessible(page, url)
