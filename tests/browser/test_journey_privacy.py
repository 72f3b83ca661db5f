"""Personal data in Chromium: a person downloads their data and erases their account; the
COPIL reads the audit trail of a status decision in the admin."""

import json
from pathlib import Path

import pytest
from auditlog.context import set_actor
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from members import services
from members.constants import Role, Status, StatusReason
from members.models import User
from tests.browser.test_checkin_phone import log_in
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

pytestmark = pytest.mark.browser

PASSWORD = "motdepasse-de-test"


def test_a_person_downloads_their_data_then_erases_their_account(page, live_server, screenshot):
    organisation = member_organisation(legal_name="Capteurs de Champagne", postcode="51100")
    representative = RepresentativeFactory(
        organisation=organisation,
        user=UserFactory(first_name="Lucie", last_name="Garnier", email="lucie@capteurs.fr"),
        job_title="Présidente",
        public_consent=True,
    )
    log_in(page, live_server, representative.user)

    page.goto("/")
    page.get_by_role("navigation", name="Pied de page").get_by_role(
        "link", name="Mes données"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes données")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger mes données (JSON)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("mes-donnees-cos-ge-")
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == "lucie@capteurs.fr"
    assert data["representations"][0]["organisation"] == "Capteurs de Champagne"
    assert page.console_errors == []
    screenshot(page, "privacy-my-data")

    page.get_by_role("link", name="Effacer mon compte…").click()
    page.get_by_label("Je comprends que mon compte sera effacé définitivement.").check()
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Effacer définitivement mon compte").click()

    expect(page.locator(".messages")).to_contain_text("Votre compte est effacé.")
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    user = User.objects.get(pk=representative.user_id)
    assert str(user) == "Personne effacée"
    assert not user.is_active
    page.goto(organisation.get_absolute_url())
    expect(page.locator("main")).not_to_contain_text("Garnier")
    assert page.console_errors == []


def test_the_copil_reads_the_audit_trail_of_a_decision(page, live_server, screenshot):
    organisation = member_organisation(legal_name="Forges de Meuse", postcode="55000")
    copil = UserFactory(is_staff=True, first_name="Hélène", last_name="Copil")
    # The role comes from a data migration; after another process's transactional test
    # flushed the tables it may be missing, so make sure it holds what this journey needs.
    copil_group, _ = Group.objects.get_or_create(name=Role.COPIL)
    copil_group.permissions.add(
        *Permission.objects.filter(content_type__app_label="auditlog", codename="view_logentry")
    )
    copil.groups.add(copil_group)
    # As in the admin's request, where AuditlogMiddleware names the person who acts.
    with set_actor(copil):
        services.organisation_status_change(
            organisation=organisation,
            status=Status.NONE,
            reason=StatusReason.RESIGNED,
            actor=copil,
            explanation="Démission reçue par courrier.",
        )
    log_in(page, live_server, copil)

    page.goto("/admin/")
    # django-auditlog's list: "Entrées d'historique" in the admin's index.
    page.locator('#content-main a[href="/admin/auditlog/logentry/"]').first.click()
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_be_visible()
    status_row = rows.filter(has_text="Forges de Meuse").first
    expect(status_row).to_be_visible()
    status_row.locator("th a, td a").first.click()
    expect(page.locator("#content")).to_contain_text("Forges de Meuse")
    expect(page.locator("#content")).to_contain_text("Démission reçue par courrier.")
    assert page.console_errors == []
    screenshot(page, "copil-audit-trail")
