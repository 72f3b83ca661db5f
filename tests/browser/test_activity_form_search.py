"""An organiser names the convened entities of a new activity by searching them, in
Chromium: Enter in the search box searches (nothing saved, what was typed kept), Enter in
any other field saves, the entity ticked is convened."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from activities.constants import ConvenedScope
from activities.models import Activity
from members.constants import Role
from tests.browser.test_checkin_phone import log_in
from tests.members.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.browser


def test_enter_searches_in_the_search_box_and_saves_elsewhere(page, live_server):
    organiser = UserFactory(email="odile@exemple.fr")
    organiser.groups.add(Group.objects.get_or_create(name=Role.ORGANISERS)[0])
    fonderie = OrganisationFactory(legal_name="Fonderie Vosgienne")
    OrganisationFactory.create_batch(5)

    log_in(page, live_server, organiser)
    page.goto(reverse("activities:create"))
    page.locator("#id_title").wait_for()
    day = timezone.localdate() + datetime.timedelta(days=30)
    page.select_option("#id_kind", "workshop")
    page.fill("#id_title", "Atelier cobotique")
    page.fill("#id_starts_at", f"{day:%Y-%m-%d}T14:00")
    page.fill("#id_ends_at", f"{day:%Y-%m-%d}T17:00")
    page.fill("#id_place", "Pôle industriel")
    page.fill("#id_postcode", "88000")
    page.fill("#id_city", "Épinal")
    page.select_option("#id_convened_scope", ConvenedScope.NAMED)
    page.fill("#id_invited_search", "vosg")
    page.locator("#id_invited_search").press("Enter")

    page.locator("#invited-search-result").wait_for()
    assert "1 entité trouvée pour « vosg »" in page.locator("#invited-search-result").inner_text()
    assert not Activity.objects.exists()
    assert page.input_value("#id_title") == "Atelier cobotique"
    assert page.input_value("#id_invited_search") == ""
    page.get_by_label("Fonderie Vosgienne").check()
    page.locator("#id_title").press("Enter")

    page.locator("h1", has_text="Atelier cobotique").wait_for()
    activity = Activity.objects.get(title="Atelier cobotique")
    assert list(activity.invited_organisations.all()) == [fonderie]
    assert page.console_errors == []
