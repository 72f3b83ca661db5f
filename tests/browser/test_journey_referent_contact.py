"""Journey 8: a company writes to a zone referent from the public page in Chromium (R4):
no address shown, errors in French with the typed text kept, the honeypot invisible,
the message relayed once by e-mail."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from governance.models import ReferentMessage
from tests.governance.commissions.factories import member_rep
from tests.governance.referents.factories import zone_referent_appoint
from tests.members.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.mark.rule("R4")
def test_a_company_writes_to_its_zone_referent(page, screenshot, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    rep = member_rep(
        user=UserFactory(first_name="Hugo", last_name="Schmitt", email="hugo@alsace-robot.fr"),
        public_consent=True,
    )
    zone_referent_appoint(rep, ["67", "68"])

    page.goto("/referents/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Référents de zone")
    alsace = page.locator("section", has=page.get_by_role("heading", name="Département 67"))
    alsace.get_by_role("link", name="Écrire à Hugo Schmitt").click()
    expect(page).to_have_url(re.compile(r"/referents/\d+/contact/$"))
    expect(page.locator("main")).not_to_contain_text("hugo@alsace-robot.fr")
    # The honeypot field is out of sight for people.
    expect(page.locator("#id_website")).not_to_be_in_viewport()

    form = page.locator("form.referent-contact-form")
    page.get_by_label("Votre nom").fill("Jeanne Martin")
    page.get_by_label("Votre adresse e-mail").fill("jeanne@usine-exemple.fr")
    page.get_by_label("Votre entreprise").fill("Usine Exemple")
    form.get_by_role("button", name="Envoyer le message").click()
    # Empty message: a French error, and what was typed is still there.
    expect(page.locator("main")).to_contain_text("Écrivez votre message.")
    expect(page.get_by_label("Votre nom")).to_have_value("Jeanne Martin")
    expect(page.get_by_label("Votre entreprise")).to_have_value("Usine Exemple")
    assert ReferentMessage.objects.count() == 0

    page.get_by_label("Votre message").fill("Bonjour, nous cherchons un intégrateur de cobots.")
    form.get_by_role("button", name="Envoyer le message").click()
    expect(page).to_have_url(re.compile(r"/referents/$"))
    expect(page.get_by_role("status")).to_contain_text("Votre message a été transmis au référent")

    assert ReferentMessage.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["hugo@alsace-robot.fr"]]
    assert mail.outbox[0].reply_to == ["jeanne@usine-exemple.fr"]
    # Only the refused submission's HTTP 400, no script or CSP error.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
    screenshot(page, "referent-contact")
