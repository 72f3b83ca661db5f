"""The public pages rendered without the cache (what a visitor meets after any change to
what they show, core/public_cache.py) read a fixed number of queries, whatever the number
of organisations, representatives, establishments, offer categories, zone referents and
charter versions."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.constants import OrganisationKind, Status
from members.models import OfferCategory, Organisation
from tests.charters.factories import CharterVersionFactory
from tests.governance.referents.factories import ReferentFactory

from .factories import EstablishmentFactory, RepresentativeFactory, member_organisation

pytestmark = pytest.mark.django_db

BUSIEST = "entite-la-plus-representee"
DIRECTORY = reverse("members:directory")
# Each page and its budget of queries when rendered anew.
PAGES = {
    "directory": (DIRECTORY, 6),
    "directory, filtered": (f"{DIRECTORY}?q=entite&department=57", 6),
    "directory, searched everywhere": (f"{DIRECTORY}?q=metz+robot&status=member", 6),
    "directory, page 2": (f"{DIRECTORY}?page=2", 6),
    "organisation": (reverse("members:organisation", args=[BUSIEST]), 4),
    "referents": (reverse("commissions:referents"), 2),
    "charter": (reverse("charters:current"), 2),
    "embedded directory": (reverse("members:directory_embed"), 6),
    "embedded directory, filtered": (f"{reverse('members:directory_embed')}?q=entite", 6),
    "open data, JSON": (reverse("directory_json"), 4),
    "open data, CSV": (reverse("directory_csv"), 4),
    "open data, CSV fr": (reverse("directory_csv_fr"), 4),
}


def grow(start: int, count: int) -> None:
    """``count`` more listed organisations, each with two establishments, offer
    categories, representatives (public or not) and a zone referent; the busiest
    organisation gains a representative, an establishment and a category each time; one
    more charter version each time."""
    categories = list(OfferCategory.objects.order_by("pk"))
    busiest = Organisation.objects.filter(slug=BUSIEST).first() or member_organisation(
        legal_name="Entité la plus représentée", slug=BUSIEST
    )
    for number in range(start, start + count):
        organisation = member_organisation(
            legal_name=f"Entité {number:03d}",
            slug=f"entite-{number:03d}",
            status=Status.PARTNER if number % 3 == 0 else Status.MEMBER,
            kind=OrganisationKind.INDEPENDENT if number % 4 == 0 else OrganisationKind.COMPANY,
        )
        EstablishmentFactory(organisation=organisation, postcode="67000", city="Strasbourg")
        organisation.offer_categories.add(*categories[number % 4 : number % 4 + 3])
        RepresentativeFactory(organisation=organisation, public_consent=True)
        RepresentativeFactory(organisation=organisation, public_consent=number % 2 == 0)
        ReferentFactory(
            representative__organisation=organisation,
            representative__public_consent=number % 2 == 1,
            is_zone_referent=True,
            zone_departments=["57", "67"] if number % 2 else ["54"],
        )
        RepresentativeFactory(organisation=busiest, public_consent=True)
        EstablishmentFactory(organisation=busiest, postcode=f"5{number % 10}100")
        busiest.offer_categories.add(categories[number % len(categories)])
    CharterVersionFactory(
        label=f"V1 R{start + 1:03d}",
        published_at=datetime.datetime(2021, 12, 1, tzinfo=datetime.UTC),
        effective_date=datetime.date(2021, 12, 2) + datetime.timedelta(days=start),
    )


def cold_queries(client, path: str) -> int:
    """The queries of ``path`` rendered anew (the cache cleared before it)."""
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, path
    assert response.get("X-Public-Cache") == "miss", path
    return len(context.captured_queries)


@pytest.fixture
def categories():
    for number in range(6):
        OfferCategory.objects.get_or_create(slug=f"categorie-{number}", name=f"Catégorie {number}")


@pytest.mark.parametrize("page", list(PAGES))
def test_an_uncached_public_page_reads_a_fixed_number_of_queries(client, categories, page):
    path, budget = PAGES[page]
    grow(0, 3)
    few = cold_queries(client, path)

    grow(3, 22)
    many = cold_queries(client, path)

    assert many == few
    assert many <= budget


def test_the_pages_measured_show_what_was_built(client, categories):
    grow(0, 3)
    grow(3, 22)
    cache.clear()

    directory = client.get(DIRECTORY).content.decode()
    second = client.get(f"{DIRECTORY}?page=2").content.decode()
    organisation = client.get(PAGES["organisation"][0]).content.decode()
    referents = client.get(reverse("commissions:referents")).content.decode()
    exported = client.get(reverse("directory_json")).json()["entites"]

    assert "26 entités trouvées" in directory  # 25 and the busiest
    assert directory.count('<article class="card org-card">') == 20
    assert second.count('<article class="card org-card">') == 6
    assert organisation.count("<li>") >= 2 * 25  # its representatives and establishments
    # The referents of members (not of partners), those of 57 and 67 listed under both.
    shown = sum(2 if number % 2 else 1 for number in range(25) if number % 3)
    assert referents.count("Écrire ") == shown
    assert len(exported) == 26
    busiest = next(entity for entity in exported if entity["identifiant"] == BUSIEST)
    assert len(busiest["representants"]) == 25
    assert len(busiest["implantations"]) == 26
