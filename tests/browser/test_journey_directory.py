"""Journey 1: anyone browses the public directory, from the home page to an organisation."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.constants import Status, StatusReason
from tests.governance.referents.factories import zone_referent_appoint
from tests.members.factories import (
    RepresentativeFactory,
    StatusChangeFactory,
    UserFactory,
    member_organisation,
)

pytestmark = pytest.mark.browser


def directory_data():
    atelier = member_organisation(
        legal_name="Atelier Numérique Lorrain",
        slug="atelier-numerique-lorrain",
        description="Jumeaux numériques et supervision de lignes de production.",
        postcode="57000",
    )
    member_organisation(
        legal_name="Robotique d'Alsace",
        slug="robotique-d-alsace",
        description="Cellules robotisées pour l'agroalimentaire.",
        postcode="67000",
    )
    member_organisation(
        legal_name="Champagne Automatisation",
        slug="champagne-automatisation",
        description="Automates et armoires électriques.",
        postcode="51100",
    )
    member_organisation(
        legal_name="Pôle Lorrain de la Mesure",
        slug="pole-lorrain-de-la-mesure",
        description="Métrologie et contrôle qualité.",
        postcode="57070",
        status=Status.PARTNER,
    )
    # Charter art. 3.4 last § (S2): a member that resigned leaves the directory the same day.
    resigned = member_organisation(
        legal_name="Ancienne Mécanique de Moselle",
        slug="ancienne-mecanique-de-moselle",
        description="Usinage de précision.",
        postcode="57000",
    )
    StatusChangeFactory(
        organisation=resigned,
        status=Status.NONE,
        reason=StatusReason.RESIGNED,
        effective_at=timezone.now() - datetime.timedelta(days=1),
    )
    claire = RepresentativeFactory(
        organisation=atelier,
        user=UserFactory(first_name="Claire", last_name="Martin", email="claire@atelier.fr"),
        job_title="Directrice générale",
        public_consent=True,
    )
    # Charter art. 9 (R4): Claire is the zone referent of Moselle and Meurthe-et-Moselle.
    zone_referent_appoint(claire, ["57", "54"])
    RepresentativeFactory(
        organisation=atelier,
        user=UserFactory(first_name="Paul", last_name="Durand", email="paul@atelier.fr"),
        job_title="Responsable commercial",
        public_consent=False,
    )


def expect_results(page, names):
    """The result cards show exactly these organisations, in any order."""
    titles = page.locator("article.org-card h2")
    expect(titles).to_have_count(len(names))
    assert sorted(title.strip() for title in titles.all_inner_texts()) == sorted(names)


@pytest.mark.rule("S2", "R4")
def test_anyone_finds_an_organisation_in_the_directory(page, screenshot):
    directory_data()

    page.goto("/")
    navbar = page.get_by_role("navigation", name="Navigation principale")
    navbar.get_by_role("link", name="Annuaire", exact=True).click()
    expect(page).to_have_url(re.compile(r"/annuaire/$"))
    expect_results(
        page,
        [
            "Atelier Numérique Lorrain",
            "Champagne Automatisation",
            "Pôle Lorrain de la Mesure",
            "Robotique d'Alsace",
        ],
    )

    filters = page.locator("form#filtres")
    search = filters.locator("[name=q]")
    search.fill("robot")
    filters.get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(re.compile(r"[?&]q=robot(&|$)"))
    expect_results(page, ["Robotique d'Alsace"])
    expect(search).to_have_value("robot")

    # The resigned member is nowhere, even when searched by name.
    search.fill("Ancienne Mécanique")
    filters.get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(re.compile(r"[?&]q=Ancienne"))
    expect_results(page, [])

    search.fill("")
    filters.locator("select[name=department]").select_option("57")
    filters.get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(re.compile(r"[?&]department=57(&|$)"))
    expect_results(page, ["Atelier Numérique Lorrain", "Pôle Lorrain de la Mesure"])

    card = page.locator("article.org-card", has_text="Atelier Numérique Lorrain")
    card.locator("h2 a").click()
    expect(page).to_have_url(re.compile(r"/annuaire/atelier-numerique-lorrain/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Atelier Numérique Lorrain")
    main = page.locator("main")
    # Personal data is public only with consent: Claire agreed, Paul did not.
    expect(main).to_contain_text("Claire Martin")
    expect(main).not_to_contain_text("Durand")
    expect(main).not_to_contain_text("paul@atelier.fr")

    # Anyone also sees the zone referents, by department, with no e-mail address (R4).
    footer = page.get_by_role("navigation", name="Pied de page")
    footer.get_by_role("link", name="Référents de zone").click()
    expect(page).to_have_url(re.compile(r"/referents/$"))
    moselle = page.locator("section", has=page.get_by_role("heading", name="Département 57"))
    expect(moselle).to_contain_text("Claire Martin")
    expect(moselle.get_by_role("link", name="Écrire à Claire Martin")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("claire@atelier.fr")
    assert page.console_errors == []

    screenshot(page, "directory")
