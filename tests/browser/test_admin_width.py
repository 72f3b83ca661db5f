"""The COPIL's administration fits a 1280 px screen: no changelist scrolls sideways (issue
18), with the living demo's data in its columns."""

import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from members.demo import DEMO_PASSWORD
from members.models import Application
from tests.charters.conftest import purge_signatures  # noqa: F401  (signatures are append-only)

pytestmark = pytest.mark.browser

WIDTH = 1280


@pytest.fixture
def demo(transactional_db, django_db_serialized_rollback, purge_signatures):  # noqa: F811
    call_command("seed_demo", stdout=io.StringIO())
    yield
    Application.objects.all().delete()  # they hold their signatures (PROTECT)


def test_every_changelist_fits_1280_pixels(page, demo):
    page.goto("/comptes/login/")
    page.locator("#id_login").fill("admin@demo.cos-ge.fr")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Connexion").click()
    page.get_by_role("button", name="Se déconnecter").wait_for()

    too_wide = {}
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        page.goto(url)
        # The page does not scroll sideways, nor does the table of results inside its
        # own scrolling box (the admin lets it overflow there).
        widths = page.evaluate(
            """() => {
                const box = document.querySelector('#changelist .results');
                return [document.documentElement.scrollWidth,
                        box ? box.scrollWidth - box.clientWidth : 0];
            }"""
        )
        if widths[0] > WIDTH or widths[1] > 0:
            too_wide[url] = widths

    assert too_wide == {}, too_wide
