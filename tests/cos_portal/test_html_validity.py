"""Every page is valid HTML: the Nu HTML Checker (vnu.jar, from the vnu-jar npm package
installed by `make vnu`) reports no error on the public and the signed-in pages.

The pages are those of the permission matrix (tests/security/test_permission_matrix.py),
each opened as the first role that may see it (anonymous for the public pages), in the
matrix's world of data; a page added to the portal is in the matrix, so it is checked here
too. EXTRA_PAGES adds the states that matter: public pages seen signed in, the English
version, forms sent empty with their errors, the page not found. One Java process checks
them all. In CI (CI=true) a missing Java or vnu.jar fails the test instead of skipping it.
"""

import json
import os
import shutil
import subprocess  # nosec B404: runs the checker, a fixed command on files the test wrote
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.charters.factories import signatory
from tests.security.test_permission_matrix import (  # the matrix's world of data
    EXPECTED,
    POST_ONLY,
    ROLES,
    matrix_urls,
    url_for,
    world,  # noqa: F401
)

pytestmark = pytest.mark.django_db

VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Named URLs that answer with something else than an HTML page.
NOT_PAGES = {
    "healthz",
    "set_language",
    "members:organisation_logo",
    "charters:certificate",
    "activities:calendar",
    "activities:private_calendar",
    "activities:attendance_export",
    "activities:minutes_file",
    "activities:sign_in_sheet",
    "activities:my_checkin_code",
    "privacy:export",
    "elections:candidacy_video",
    "elections:proxy_pdf",
    "elections:receipts",
    "elections:copil_minutes_file",
    "commissions:attachment",
    "commissions:revision_index",  # a redirect to the revision in progress
    "member_space:dashboard",  # a redirect for the member (the organiser's is in EXTRA_PAGES)
    "member_space:proof_document",
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
    "activities:checkin_roster",
    "activities:checkin_service_worker",
    "deadlines:ics",
    "copil:cockpit_deadlines",  # an HTML fragment: within the cockpit (below)
}
# The role that opens a page: anonymous when it is public, else the first who may.
PREFERENCE = ("anonymous", "member", "copil", "superuser", "organiser", "invitee")

# (label, role, URL name or path, POST data or None): states the matrix does not reach.
EXTRA_PAGES = [
    ("home, signed in", "member", "home", None),
    ("directory, signed in", "member", "members:directory", None),
    ("directory, filtered", "anonymous", "/annuaire/?q=usinage&department=57&status=inconnu", None),
    ("organisation, signed in", "member", "members:organisation", None),
    ("activity, signed in", "member", "activities:detail", None),
    ("referents, signed in", "member", "commissions:referents", None),
    ("home in English", "english", "home", None),
    ("directory in English", "english", "members:directory", None),
    ("organiser's dashboard", "organiser", "member_space:dashboard", None),
    ("logout confirmation", "member", "account_logout", None),
    ("page not found", "anonymous", "/cette-page-n-existe-pas/", None),
    ("login form with errors", "anonymous", "account_login", {"login": "", "password": ""}),
    ("signup form with errors", "anonymous", "account_signup", {"email": "x"}),
    ("password reset with errors", "anonymous", "account_reset_password", {"email": "x"}),
    (
        "application form with errors",
        "member",
        "application:form",
        {"legal_name": "", "establishments-TOTAL_FORMS": "1", "establishments-INITIAL_FORMS": "0"},
    ),
    ("signing page, not signed yet", "signatory", "charters:sign", None),
    ("signing page with errors", "signatory", "charters:sign", {"password": ""}),
    # The guided flows (issue 18): their forms sent with errors, and who may create an
    # election, explained to the COPIL with the refusal.
    ("activity form with errors", "organiser", "activities:create", {"starts_at": "x"}),
    ("activity form, entity searched", "organiser", "activities:create", {"invited_search": "a"}),
    ("proxy form, holder searched", "member", "elections:proxy_give", {"holder_search": "e"}),
    (
        "paper ballot form, entity searched",
        "superuser",
        "elections:paper_ballot",
        {"organisation_search": "e"},
    ),
    (
        "revision commission, facilitator searched",
        "copil",
        "commissions:revision_commission",
        {"end_date": "2030-06-30", "facilitator_search": "e"},
    ),
    (
        "roll call vote, entity searched",
        "copil",
        "commissions:revision_vote",
        {"organisation_search": "e", "choice": "for"},
    ),
    ("charter version page, sent", "copil", "commissions:charter_version_new", {}),
    ("election creation, who may", "copil", "elections:create", None),
]
# Pages answered with another status than 200 on purpose (a form with errors: 200 or 400).
EXPECTED_STATUS = {"page not found": {404}, "election creation, who may": {403}}


def role_for(name: str) -> str:
    row = dict(zip(ROLES, EXPECTED[name], strict=True))
    return next(role for role in PREFERENCE if row[role] == 200)


def matrix_pages() -> list[tuple[str, str, str, None]]:
    return [
        (name, role_for(name), name, None)
        for name in sorted(EXPECTED)
        if name not in NOT_PAGES
        and name not in POST_ONLY
        and not name.startswith("admin:")
        and 200 in EXPECTED[name]
    ]


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        message = "Java or vnu.jar is missing: run `make vnu`"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return [java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--exit-zero-always"]


def render(client_for, users, label, role, target, data, by_parameter, by_url) -> str:
    urls = matrix_urls()
    url = url_for(target, urls[target], by_parameter, by_url) if target in urls else target
    client = client_for(role)
    response = client.post(url, data) if data is not None else client.get(url)
    expected = EXPECTED_STATUS.get(label, {200, 400} if data is not None else {200})
    assert response.status_code in expected, f"{url} ({label}) as {role}: {response.status_code}"
    assert response["Content-Type"].startswith("text/html"), f"{url} is not HTML: NOT_PAGES"
    return response.content.decode()


def cockpit_with_deadlines(client) -> str:
    """The COPIL's cockpit once htmx has put its panel of deadlines in place of the
    placeholder (hx-swap="outerHTML")."""
    page = client.get(reverse("copil:cockpit")).content.decode()
    panel = client.get(reverse("copil:cockpit_deadlines")).content.decode()
    start = page.index('<section class="cockpit-section mb-3" id="cockpit-deadlines-panel"')
    end = page.index("</section>", start) + len("</section>")
    assert "cockpit-deadlines-loading" in page[start:end]
    return page[:start] + panel + page[end:]


def test_every_page_is_valid_html(world, tmp_path):  # noqa: F811
    command = vnu_command()
    users, by_parameter, by_url = world
    users = {**users, "signatory": signatory().user, "english": None}

    def client_for(role):
        client = Client(raise_request_exception=True)
        if role == "english":
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        elif users[role] is not None:
            client.force_login(users[role])
        return client

    files: dict[str, str] = {}
    for index, (label, role, target, data) in enumerate(matrix_pages() + EXTRA_PAGES):
        html = render(client_for, users, label, role, target, data, by_parameter, by_url)
        path = tmp_path / f"page-{index:03d}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = f"{label} (as {role}, {path.name})"
    # The cockpit as its script leaves it: the placeholder replaced by the panel of deadlines.
    path = tmp_path / "cockpit-with-deadlines.html"
    path.write_text(cockpit_with_deadlines(client_for("copil")), encoding="utf-8")
    files[path.name] = f"cockpit with its panel of deadlines (as copil, {path.name})"

    result = subprocess.run(  # noqa: S603  # nosec B603: fixed command, files written above
        [*command, *(str(tmp_path / name) for name in files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    messages = json.loads(result.stderr)["messages"]
    errors = [
        f"{files.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))}:{m.get('lastLine')}: "
        f"{m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert len(files) > 80
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
