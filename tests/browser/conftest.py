"""Browser tests: the portal as its users see it, in Debian's Chromium driven by Playwright.

One Chromium per test session (per pytest-xdist worker), a fresh context and page per
test, the site served by pytest-django's ``live_server`` over a transactional database
(data created in a test is committed, so the server thread sees it). A transactional test
empties the tables when it ends; serialized rollback reloads what the migrations created
(roles, offer categories, the charter) before each browser test.

Without /usr/bin/chromium these tests fail in CI (CI=true) and are skipped elsewhere.
Each journey ends with a screenshot under artifacts/screenshots/<journey>.png; a failing
test leaves artifacts/screenshots/failed-<test>.png.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in this thread: Django's async-safety check
# would refuse the ORM calls the tests make to build their data.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
# Playwright's default wait (30 s) hides a broken page for too long; pages here are local.
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, without Django's media files handler.

    The portal has no public media URL (MEDIA_URL = None: uploads are served by views
    that check access), and LiveServerThread's media handler cannot wrap a None URL.
    """
    from django.test import testcases
    from pytest_django.live_server_helper import LiveServer

    address = (
        request.config.getvalue("liveserver")
        or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(testcases, "_MediaFilesHandler", lambda application: application)
        server = LiveServer(address)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (make chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Once Playwright has started, Django's connections (an asgiref Local) are new objects
    # in the tests. When non-browser tests ran first, the test database's contents
    # serialized at its creation (for serialized rollback) hang on the old ones: carry
    # them over, or the roles and the charter the migrations created are not restored
    # after the first browser test's flush. (Looking at the attribute opens no connection.)
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context_options():
    """Options of the browser context; override (or use ``phone_page``) for other screens."""
    return DESKTOP


def _failure_screenshot(request) -> Path:
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    return SCREENSHOTS / f"failed-{name}.png"


def _open_page(request, browser, live_server, options):
    _failure_screenshot(request).unlink(missing_ok=True)
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    # Broken scripts, CSP violations and missing assets show up as console errors; the
    # browser's own request for /favicon.ico is not part of a page.
    page.console_errors = []

    def on_console(message):
        url = message.location.get("url", "")
        if message.type == "error" and not url.endswith("/favicon.ico"):
            page.console_errors.append(f"{message.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    return context, page


def _close_page(request, context, page):
    report = getattr(request.node, "report_call", None)
    try:
        if report is not None and report.failed:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=_failure_screenshot(request), full_page=True)
    finally:
        context.close()


@pytest.fixture
def page(
    request, browser, live_server, django_db_serialized_rollback, transactional_db, context_options
):
    """A fresh page on a desktop screen, its relative URLs resolved against the live server."""
    context, page = _open_page(request, browser, live_server, context_options)
    yield page
    _close_page(request, context, page)


@pytest.fixture
def phone_page(request, browser, live_server, django_db_serialized_rollback, transactional_db):
    """A fresh page on a phone-sized touch screen (390x844)."""
    context, page = _open_page(request, browser, live_server, PHONE)
    yield page
    _close_page(request, context, page)


@pytest.fixture
def screenshot():
    """Save the page as artifacts/screenshots/<journey>.png: the proof a journey ends with."""

    def take(page, journey: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{journey}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


# Accessibility (issue 10): Deque's axe-core, vendored (tests/browser/vendor/axe-core/), run
# inside the page against the WCAG 2.1 A and AA rules.
AXE_VERSION = "4.14.1"
AXE_SOURCE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_SOURCE.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source):
    """``axe(page)``: the WCAG 2.1 A/AA violations axe-core finds in the page as it is now.

    The script goes in through the DevTools protocol (``page.evaluate``), which the
    pages' Content-Security-Policy does not apply to: the pages are tested as served.
    """

    def run(page) -> list[dict]:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(axe_source)
        assert page.evaluate("() => window.axe.version") == AXE_VERSION
        return page.evaluate(
            """(tags) => window.axe.run(document, {
                runOnly: {type: 'tag', values: tags},
                resultTypes: ['violations'],
            }).then((results) => results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary})),
            })))""",
            AXE_TAGS,
        )

    return run


def axe_report(violations: list[dict]) -> str:
    """The violations, one block per rule: id, impact, help, then each target and why."""
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}  --  {summary}")
    return "\n".join(lines)


@pytest.fixture
def assert_accessible(axe):
    """``assert_accessible(page)``: fails with axe-core's report unless it finds nothing."""

    def check(page, where: str = "") -> None:
        violations = axe(page)
        assert not violations, (
            f"WCAG 2.1 A/AA violations on {where or page.url}:\n{axe_report(violations)}"
        )

    return check
