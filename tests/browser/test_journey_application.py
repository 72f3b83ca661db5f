"""Journeys 2 and 3 (issue 6): a company applies and signs the charter; a COPIL member
reviews the checklist in the admin and approves; the organisation appears in the directory.
"""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from members import services
from members.models import Application
from tests.activities.factories import ActivityFactory, attend
from tests.charters.factories import PASSWORD, CharterVersionFactory
from tests.members.conftest import in_group
from tests.members.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def purge_signatures():
    """Signatures are append-only (database triggers) and applications point to them:
    empty both before the transactional test's flush (as tests/charters/conftest.py)."""
    yield
    from django.db import connection

    from tests.charters.conftest import TRIGGERS

    Application.objects.all().delete()
    drop = {"sqlite": TRIGGERS.SQLITE_BACKWARD, "postgresql": TRIGGERS.POSTGRESQL_BACKWARD}
    create = {"sqlite": TRIGGERS.SQLITE_FORWARD, "postgresql": TRIGGERS.POSTGRESQL_FORWARD}
    with connection.cursor() as cursor:
        for statement in drop.get(connection.vendor, []):
            cursor.execute(statement)
        cursor.execute("DELETE FROM charters_signature")
        for statement in create.get(connection.vendor, []):
            cursor.execute(statement)


@pytest.mark.rule("M3", "M4")
@pytest.mark.usefixtures("purge_signatures")
def test_journey_2_a_company_applies_and_signs_the_charter(page, screenshot):
    CharterVersionFactory(label="V1 R001")

    # Creates an account, verifies its e-mail address from the link in the outbox.
    page.goto("/comptes/signup/")
    page.locator("#id_first_name").fill("Gaëlle")
    page.locator("#id_last_name").fill("Gérante")
    page.locator("#id_email").fill("gerante@usinage-vosgien.fr")
    page.locator("#id_password1").fill(PASSWORD + "-Vosges")
    page.locator("#id_password2").fill(PASSWORD + "-Vosges")
    page.locator("#id_password2").press("Enter")
    expect(page.locator("h1")).to_be_visible()
    [message] = [m for m in mail.outbox if "gerante@usinage-vosgien.fr" in m.to]
    link = re.search(r"https?://\S+/comptes/\S+", message.body).group(0)
    page.goto(link)
    page.locator("form button[type=submit], form input[type=submit]").last.click()

    # Fills in the application and signs the charter in the same step.
    page.goto("/candidature/")
    page.locator("#id_legal_name").fill("Usinage Vosgien")
    page.locator("#id_job_title").fill("Gérante")
    page.locator("#id_establishments-0-address").fill("3 rue du Moulin")
    page.locator("#id_establishments-0-postcode").fill("88000")
    page.locator("#id_establishments-0-city").fill("Épinal")
    page.locator("#id_aif_reference").fill("https://annuaire.example/usinage")
    page.locator("#id_motivation").fill("Partager nos savoir-faire.")
    page.locator("#id_consent").check()
    page.locator("#id_password").fill(PASSWORD + "-Vosges")
    page.get_by_role("button", name="Signer la charte et déposer ma candidature").click()

    expect(page.get_by_text("Candidature déposée et charte signée")).to_be_visible()
    expect(page.get_by_role("cell", name="Déposée, en cours d'examen")).to_be_visible()
    assert Application.objects.get().signature is not None
    assert page.console_errors == []
    screenshot(page, "journey-2-application")


@pytest.mark.rule("M5", "M6", "G2", "S2")
@pytest.mark.usefixtures("purge_signatures")
def test_journey_3_the_copil_reviews_and_approves(page, screenshot):
    CharterVersionFactory(label="V1 R001")
    applicant = UserFactory()
    application = services.application_submit(
        applicant=applicant,
        data={
            "legal_name": "Usinage Vosgien",
            "establishments": [
                {"address": "3 rue du Moulin", "postcode": "88000", "city": "Épinal"}
            ],
        },
        aif_reference="https://annuaire.example/usinage",
        motivation="Partager nos savoir-faire.",
        password=PASSWORD,
        consent_given=True,
        now=timezone.now() - datetime.timedelta(days=20),
    )
    attend(
        ActivityFactory(title="Atelier jumeau numérique"),
        application.organisation.representatives.get(),
    )
    copil = in_group("COPIL", is_staff=True, first_name="Claire", last_name="Copil")
    EmailAddress.objects.create(user=copil, email=copil.email, verified=True, primary=True)
    # The transactional flush may drop the COPIL group's grants (migration 0004): set them.
    copil.groups.get().permissions.add(
        *Permission.objects.filter(
            content_type__app_label="members",
            codename__in=["view_application", "change_application", "view_organisation"],
        )
    )

    page.goto("/comptes/login/?next=/admin/members/application/")
    page.locator("#id_login").fill(copil.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")

    # The checklist: the AIF reference is not verified yet.
    page.get_by_role("link", name="Usinage Vosgien").click()
    expect(page.get_by_text("Atelier jumeau numérique")).to_be_visible()
    page.goto("/admin/members/application/")
    page.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("verify_aif")
    page.locator("button[name=index]").click()
    expect(page.get_by_text("Référence AIF vérifiée pour 1 candidature(s).")).to_be_visible()

    page.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("approve")
    page.locator("button[name=index]").click()
    page.locator("#id_reason").fill("Dossier complet.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("Décision enregistrée pour 1 élément.")).to_be_visible()

    page.goto("/annuaire/")
    expect(page.get_by_role("link", name="Usinage Vosgien")).to_be_visible()
    screenshot(page, "journey-3-copil-approves")
