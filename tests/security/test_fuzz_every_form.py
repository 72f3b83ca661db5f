"""Bad input on every form the portal shows, found by reading its pages.

test_fuzz_forms.py fuzzes the forms of issue 3's scope field by field; this test finds
the rest on its own, so that a new form is fuzzed the day it appears: it opens every
named URL of the permission matrix (same URLconf walk, same ``world``) as each signed-in
role, reads the POST forms in the page's <main>, and posts hypothesis-drawn hostile
values into their fields (hidden fields kept or spoiled, files with path tricks in their
names). Each post runs in a transaction rolled back afterwards, so every example starts
from the same data. Expected: a 200/400 with errors, a redirect, or 403/404/429; never a
500 (the test client re-raises server errors) and never hostile markup echoed unescaped.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.security.test_fuzz_forms import FILE_NAMES, RAW_MARKUP, file_content, text
from tests.security.test_permission_matrix import (  # noqa: F401  (world is a fixture)
    POST_ONLY,
    matrix_urls,
    url_for,
    world,
)

pytestmark = pytest.mark.django_db

ROLES_SIGNED_IN = ("member", "organiser", "copil", "superuser", "invitee")
ALLOWED = {200, 302, 303, 400, 403, 404, 405, 429}
EXAMPLES_PER_FORM = 5
# Routes that answer files, not pages with forms (PDF generation is slow: skipped).
FILE_ROUTES = (".pdf", ".ics", ".csv", ".json", "logo", "fichier/", "video/", "document.pdf")


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str, list[str]]] = field(default_factory=list)  # name, kind, values


class FormReader(HTMLParser):
    """The POST forms inside <main>: their action and fields (name, kind, known values)."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.in_main = 0
        self.form: Form | None = None
        self.select: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "main":
            self.in_main += 1
        if not self.in_main:
            return
        if tag == "form" and (attributes.get("method") or "get").lower() == "post":
            self.form = Form(action=urljoin(self.page_url, attributes.get("action") or ""))
        elif self.form is None:
            return
        elif tag == "input" and attributes.get("name"):
            kind = (attributes.get("type") or "text").lower()
            if kind not in {"submit", "button", "image", "reset"}:
                self.form.fields.append((attributes["name"], kind, [attributes.get("value") or ""]))
            elif attributes.get("value") is not None:
                self.form.fields.append((attributes["name"], "submit", [attributes["value"]]))
        elif tag == "button" and attributes.get("name"):
            self.form.fields.append((attributes["name"], "submit", [attributes.get("value", "")]))
        elif tag == "textarea" and attributes.get("name"):
            self.form.fields.append((attributes["name"], "textarea", [""]))
        elif tag == "select" and attributes.get("name"):
            self.select = (attributes["name"], [])
        elif tag == "option" and self.select is not None:
            self.select[1].append(attributes.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main -= 1
        elif tag == "select" and self.select is not None and self.form is not None:
            self.form.fields.append((self.select[0], "select", self.select[1] or [""]))
            self.select = None
        elif tag == "form" and self.form is not None:
            self.forms.append(self.form)
            self.form = None


def signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def discover_forms(world_data) -> list[tuple[str, str, Form]]:
    """(role, page, form) of every distinct POST form, seen by the first role who gets it."""
    users, by_parameter, by_url = world_data
    skip_actions = {reverse("account_logout"), reverse("set_language")}
    found: dict[tuple, tuple[str, str, Form]] = {}
    for name, pattern in sorted(matrix_urls().items()):
        route = str(pattern.pattern)
        if name in POST_ONLY or name.startswith("admin:") or route.endswith(FILE_ROUTES):
            continue
        url = url_for(name, pattern, by_parameter, by_url)
        for role in ROLES_SIGNED_IN:
            response = signed_in_client(users[role]).get(url)
            response.close()  # files served (logos, minutes, PDF) are closed
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            reader = FormReader(f"http://testserver{url}")
            reader.feed(response.content.decode("utf-8", errors="replace"))
            for form in reader.forms:
                action = urlsplit(form.action).path
                if action in skip_actions:
                    continue
                key = (action, tuple(sorted(f[0] for f in form.fields)))
                found.setdefault(key, (role, url, form))
    return list(found.values())


def field_value(draw, kind: str, values: list[str]):
    if kind == "file":
        return SimpleUploadedFile(draw(st.sampled_from(FILE_NAMES)), draw(file_content))
    if kind in {"hidden", "submit", "checkbox", "radio", "select"} and values:
        return draw(st.one_of(st.sampled_from(values), text))
    return draw(text)


FUZZ = hypothesis_settings(
    max_examples=EXAMPLES_PER_FORM,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def test_every_form_found_on_the_portal_s_pages_survives_hostile_input(world):  # noqa: F811
    users = world[0]
    forms = discover_forms(world)
    # The pages of the issue-3 scope alone carry a dozen forms; far fewer means the
    # discovery broke, not that the portal lost its forms.
    assert len(forms) >= 12, [f[2].action for f in forms]

    # Every form is tried; the failure lists each broken form with its first error.
    broken = []
    for role, page, form in forms:
        try:
            fuzz_form(signed_in_client(users[role]), page, form)
        except Exception as error:  # noqa: BLE001 - collected and reported below
            broken.append(f"{form.action} (page {page}, as {role}): {type(error).__name__}: "
                          f"{str(error).splitlines()[0][:200]}")  # fmt: skip
    assert not broken, "\n".join(broken)


def fuzz_form(client, page: str, form: Form) -> None:
    @FUZZ
    @given(data=st.data())
    def post(data):
        cache.clear()  # rate limits start afresh in each example
        payload: dict[str, list] = {}
        for name, kind, values in form.fields:
            payload.setdefault(name, []).append(field_value(data.draw, kind, values))
        with transaction.atomic():
            response = client.post(urlsplit(form.action).path, payload)
            response.close()
            status = response.status_code
            body = (
                response.content.decode("utf-8", errors="replace")
                if "html" in response.get("Content-Type", "")
                and not getattr(response, "streaming", False)
                else ""
            )
            transaction.set_rollback(True)
        assert status in ALLOWED, (page, form.action, status)
        for markup in RAW_MARKUP:
            assert markup not in body, (page, form.action, markup)

    post()
