"""The COPIL names the organisers and the invited entities of an activity by searching
them in the admin (autocomplete_fields): in Chromium, with the portal's CSP, the search
answers as one types and the activity is saved with what was picked."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from activities.models import Activity
from members.constants import Role
from tests.browser.test_checkin_phone import log_in
from tests.members.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.browser


def pick(page, field: str, typed: str, shown: str) -> None:
    """Open the search box of ``field``, type, and choose the answer that shows ``shown``."""
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    search = page.locator(f"#id_{field} + .select2 .select2-search__field")
    if not search.count():  # a single choice searches in the opened drop-down
        search = page.locator(".select2-container--open .select2-search__field")
    search.fill(typed)
    page.locator(".select2-results__option", has_text=shown).click()


def test_the_copil_names_organisers_and_entities_by_searching(page, live_server):
    copil = UserFactory(is_staff=True, email="claire.copil@exemple.fr")
    copil.groups.add(Group.objects.get_or_create(name=Role.COPIL)[0])
    odile = UserFactory(first_name="Odile", last_name="Organisatrice", email="odile@exemple.fr")
    UserFactory.create_batch(5)
    fonderie = OrganisationFactory(legal_name="Fonderie Vosgienne")
    OrganisationFactory.create_batch(5)

    log_in(page, live_server, copil)
    page.goto("/admin/activities/activity/add/")
    page.locator("#id_title").wait_for()
    day = timezone.localdate() + datetime.timedelta(days=30)
    page.select_option("#id_kind", "workshop")
    page.fill("#id_title", "Atelier cobotique")
    page.fill("#id_starts_at_0", f"{day:%d/%m/%Y}")
    page.fill("#id_starts_at_1", "14:00:00")
    page.fill("#id_ends_at_0", f"{day:%d/%m/%Y}")
    page.fill("#id_ends_at_1", "17:00:00")
    page.fill("#id_place", "Pôle industriel")
    page.fill("#id_postcode", "88000")
    page.fill("#id_city", "Épinal")
    page.select_option("#id_convened_scope", "named")
    pick(page, "organisers", "odile", "Odile Organisatrice")
    pick(page, "invited_organisations", "vosgienne", "Fonderie Vosgienne")
    page.locator("input[name=_save]").click()
    page.locator(".messagelist .success").wait_for()

    activity = Activity.objects.get(title="Atelier cobotique")
    assert list(activity.organisers.all()) == [odile]
    assert list(activity.invited_organisations.all()) == [fonderie]
    assert page.console_errors == []
