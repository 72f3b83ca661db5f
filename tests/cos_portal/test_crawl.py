"""Every page, as each role, in French: no English left in the interface, no raw HTML in a
title, no server error.

The pages are those of the permission matrix (tests/security/test_permission_matrix.py,
its URLs and its data) that the role may open, then the links found on them (same site,
GET, bounded); for the superuser also the whole admin: its index, each changelist, each
add form and one change form per model. The visible text is searched for common English
words of user interfaces; what is not the interface is left out: <code>, <pre>, scripts
and anything marked lang="en" (the English name in the language switcher), and the text
the people of the test data typed themselves (USER_DATA).

LINK_CHECKS holds further checks of each page. Every "Agir" link found is followed as
the same person: it must answer 200 (a page where that person acts; those who cannot act
read who can instead of a link, tests/cos_portal/test_act_links.py checks each kind).
"""

import io
import re
from collections.abc import Callable
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse

from members.models import User
from tests.security import test_permission_matrix as matrix

pytestmark = pytest.mark.django_db

world = matrix.world  # the matrix's people and objects

# Common words of English interfaces, as Django, allauth and the admin apps write them.
ENGLISH = re.compile(
    r"\b(?:the|The|and|your|Your|you|You|this|This|with|from|are|is not|"
    r"Add|Change|Delete|Save|Search|Filter|Log out|Log in|Sign in|Sign up|Sign out|"
    r"AUDIT|Audit|History|View site|View|Select|selected|Home|Password|Username|Submit|"
    r"Cancel|Remove|Edit|Show|Hide|Yes|Welcome|Are you sure|Next|Previous|Today|Clear|"
    r"Run|Choose|Date|Time|Name|Status|Description|Enabled|Created|Updated|Last|"
    r"entries|entry|results|items|objects|Please|Forgot|Remember|Email address|"
    r"Recent actions|My actions|None available|Unknown|Actions|Action|Go|Required|"
    r"Documentation|Theme|Toggle|Skip to main content|Start typing|"
    r"Can add|Can change|Can delete|Can view|Task|Schedule|Periodic|used at|Created at)\b"
)
# French words that are also English ones, or names: not evidence of English.
FRENCH_TOO = {"Actions", "Action", "Date", "Description", "Documentation"}
# Text that is not the portal's interface: names and data, and the few English labels of
# libraries that offer no way to translate them (no gettext, no verbose_name), each with
# its reason. Nothing else may be added here without the same.
USER_DATA = (
    # django-celery-beat: PeriodicTask.name has verbose_name='Task Name', not translatable.
    "Task Name",
    # django-celery-beat describes a crontab with cron_descriptor in the server's locale.
    "At 5 minutes past the hour",
    # allauth.mfa's Authenticator declares no verbose names (fields and model).
    "Last used at",
    "last used at",
    "Created at",
)
# Links not followed: leaving the session, files, and GET links that do things.
NOT_FOLLOWED = re.compile(
    r"^/(?:static/|comptes/logout|langue/|admin/logout|admin/r/|admin/jsi18n)"
    r"|\.(?:csv|json|ics|pdf|png|svg|xml|txt|webmanifest|ico)(?:$|\?)"
)
MAX_LINKS_PER_ROLE = 80

# Further checks of a page: (role, path, page) -> list of problems. The "Agir" links
# check joins here.
LINK_CHECKS: list[Callable[[str, str, str], list[str]]] = []


class VisibleText(HTMLParser):
    """The text a reader sees (and the labels of buttons), without code, scripts and
    anything marked as English; the links of the page; the raw text of its title."""

    HIDDEN = {"script", "style", "code", "pre", "template", "textarea", "title"}
    VOID = {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr",
    }  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []
        self.links: list[str] = []

    def _hidden(self) -> bool:
        return any(hidden for _tag, hidden in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        hidden = tag in self.HIDDEN or (attributes.get("lang") or "").startswith("en")
        if tag in self.VOID:
            if (
                tag == "input"
                and attributes.get("type") in ("submit", "button")
                and not (self._hidden() or hidden)
            ):
                self.texts.append(attributes.get("value") or "")
            if not (self._hidden() or hidden) and attributes.get("placeholder"):
                self.texts.append(attributes["placeholder"])
            return
        self.stack.append((tag, hidden))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.texts.append(data)


def english_in(page: str) -> list[str]:
    parser = VisibleText()
    parser.feed(page)
    found = []
    for text in parser.texts:
        for data in USER_DATA:
            text = text.replace(data, "")
        for match in ENGLISH.finditer(text):
            if match.group(0) not in FRENCH_TOO:
                found.append(f"{match.group(0)!r} in {' '.join(text.split())[:90]!r}")
    return found


def raw_html_in_title(page: str) -> list[str]:
    titles = re.findall(r"<title[^>]*>(.*?)</title>", page, re.S)
    return [
        f"raw HTML in the title: {title.strip()!r}"
        for title in titles
        if "&lt;" in title or "<" in title or "&amp;lt;" in title
    ]


def links_of(page: str) -> list[str]:
    parser = VisibleText()
    parser.feed(page)
    return parser.links


def problems_of(role: str, path: str, response) -> list[str]:
    if response.status_code >= 500:
        return [f"HTTP {response.status_code}"]
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return []
    page = response.content.decode()
    problems = english_in(page) + raw_html_in_title(page)
    for check in LINK_CHECKS:
        problems += check(role, path, page)
    return problems


def same_site_path(href: str) -> str | None:
    href = unescape(urldefrag(href)[0])
    parts = urlsplit(href)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return None
    if not parts.path.startswith("/") or NOT_FOLLOWED.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


AGIR_LINK = re.compile(r'<a\b[^>]*\bhref="([^"]+)"[^>]*>\s*Agir\s*</a>')


def visit(client: Client, role: str, path: str) -> tuple[list[str], list[str], list[str]]:
    """The problems of one page, the same-site links found on it and its "Agir" links."""
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")
    try:
        problems = problems_of(role, path, response)
        links, acts = [], []
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            page = response.content.decode()
            links = [same_site_path(href) for href in links_of(page)]
            acts = [same_site_path(href) for href in AGIR_LINK.findall(page)]
        return problems, [link for link in links if link], [act for act in acts if act]
    finally:
        response.close()  # files served (logos, PDFs) are closed


def dead_act_links(client: Client, acts: list[str]) -> list[str]:
    """The "Agir" links that do not open a page for the person who reads them."""
    dead = []
    for target in acts:
        status = client.get(target, HTTP_ACCEPT_LANGUAGE="fr").status_code
        if status != 200:
            dead.append(f'dead "Agir" link to {target}: HTTP {status}')
    return dead


def crawl(client: Client, role: str, start: list[str]) -> dict[str, list[str]]:
    """Visit the start pages, then the links found on them (one level, bounded); every
    "Agir" link met is followed as the same person."""
    problems: dict[str, list[str]] = {}
    seen = set(start)
    found_links: list[str] = []
    for path in start:
        found, links, acts = visit(client, role, path)
        found += dead_act_links(client, acts)
        if found:
            problems[path] = found
        for link in links:
            if link not in seen:
                seen.add(link)
                found_links.append(link)
    for path in found_links[:MAX_LINKS_PER_ROLE]:
        found, _links, acts = visit(client, role, path)
        found += dead_act_links(client, acts)
        if found:
            problems[path] = found
    return problems


def report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{path}: {problem}" for path, found in problems.items() for problem in found)


def matrix_pages(role: str, by_parameter, by_url) -> list[str]:
    column = matrix.ROLES.index(role)
    return [
        matrix.url_for(name, pattern, by_parameter, by_url)
        for name, pattern in sorted(matrix.matrix_urls().items())
        if name not in matrix.POST_ONLY and matrix.EXPECTED[name][column] == 200
    ]


def admin_pages() -> list[str]:
    """The admin's index, and of each model its list, its add form and one change form."""
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        pages.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            try:
                pages.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
            except NoReverseMatch:
                continue
    return pages


@pytest.mark.parametrize("role", ["anonymous", "invitee", "member", "organiser", "copil"])
def test_every_page_a_role_sees_is_in_french(world, settings, role):
    settings.REDIS_URL = ""
    users, by_parameter, by_url = world
    client = Client(raise_request_exception=False)
    if users[role] is not None:
        client.force_login(users[role])

    problems = crawl(client, role, matrix_pages(role, by_parameter, by_url))

    assert not problems, report(problems)


def test_every_admin_page_is_in_french_for_the_superuser(world, settings):
    settings.REDIS_URL = ""
    users, by_parameter, by_url = world
    client = Client(raise_request_exception=False)
    client.force_login(users["superuser"])

    start = matrix_pages("superuser", by_parameter, by_url)
    problems = crawl(client, "superuser", [*start, *(p for p in admin_pages() if p not in start)])

    assert not problems, report(problems)


def test_the_crawl_sees_english_and_raw_html_where_there_is_some():
    page = (
        "<html><head><title>&lt;span&gt;Mon espace</title></head><body>"
        "<p>Select the organisation</p><code>the code</code>"
        '<span lang="en">English</span><a href="/espace/">Mon espace</a></body></html>'
    )

    assert english_in(page) == [
        "'Select' in 'Select the organisation'",
        "'the' in 'Select the organisation'",
    ]
    assert raw_html_in_title(page) == ["raw HTML in the title: '&lt;span&gt;Mon espace'"]
    assert links_of(page) == ["/espace/"]


def test_the_crawl_sees_a_dead_agir_link(client, world):
    users, _by_parameter, _by_url = world
    client.force_login(users["member"])
    page = '<a class="btn" href="/copil/">Agir</a> <a href="/espace/">\n  Agir\n</a>'

    acts = [same_site_path(href) for href in AGIR_LINK.findall(page)]

    assert acts == ["/copil/", "/espace/"]
    assert dead_act_links(client, acts) == ['dead "Agir" link to /copil/: HTTP 403']


DEMO_PEOPLE = [
    "membre@demo.cos-ge.fr",
    "copil@demo.cos-ge.fr",
    "organisateur@demo.cos-ge.fr",
    "admin@demo.cos-ge.fr",
    "agnes.weber@argonne-automatismes.example",
    "helene.masson@vosges-bois-robotique.example",
]
DEMO_START = ["/", "/espace/", "/copil/", "/copil/echeances/", "/elections/", "/activites/"]


def test_the_demo_people_meet_french_pages_and_live_agir_links(settings):
    """The living demo has deadlines for each role: every page they start from, the links
    on it and every "Agir" link, followed as that person."""
    settings.REDIS_URL = ""
    call_command("seed_demo", stdout=io.StringIO())
    followed = 0
    problems: dict[str, list[str]] = {}
    for email in DEMO_PEOPLE:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(email=email))
        start = [p for p in DEMO_START if client.get(p).status_code == 200]
        for path, found in crawl(client, email, start).items():
            problems[f"{email} {path}"] = found
        followed += sum(len(visit(client, email, path)[2]) for path in start)

    assert not problems, report(problems)
    assert followed >= 5  # the demo's deadlines give each role something to act on
