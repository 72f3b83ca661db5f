"""Issue 10: the public pages from the cache, the open data exports, the embeddable
directory, the sitemap and robots.txt."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from core.public_cache import PUBLIC_PAGES_VERSION_KEY
from members.constants import OrganisationKind, Status, StatusReason
from members.services import (
    member_resign,
    organisation_status_change,
    representative_consent_set,
)

from .factories import EstablishmentFactory, RepresentativeFactory, UserFactory, member_organisation

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("members:directory")
EMBED = reverse("members:directory_embed")
CSV_URL = reverse("directory_csv")
JSON_URL = reverse("directory_json")
ORIGIN = "https://www.cos-ge.example"


def listed_names(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<h2 class="h5"><a href="[^"]+">([^<]+)</a></h2>', html)


@pytest.fixture
def listed():
    organisation = member_organisation(legal_name="Usinage Lorrain", slug="usinage-lorrain")
    representative = RepresentativeFactory(
        organisation=organisation,
        user=UserFactory(first_name="Camille", last_name="Mercier"),
        job_title="Directrice technique",
        public_consent=True,
        is_authorised_signatory=True,
    )
    return organisation, representative


# --- The cache ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        DIRECTORY,
        f"{DIRECTORY}?q=usinage&department=57",
        "/annuaire/usinage-lorrain/",
        reverse("commissions:referents"),
        reverse("charters:current"),
        CSV_URL,
        JSON_URL,
        EMBED,
    ],
)
def test_a_public_page_is_served_from_the_cache_without_queries(
    client, listed, path, django_assert_num_queries
):
    first = client.get(path)
    assert first.status_code == 200
    assert first["X-Public-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(path)
    assert second["X-Public-Cache"] == "hit"
    # The language form's CSRF token is the visitor's, never the first visitor's.
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
    assert strip.sub(b"", second.content) == strip.sub(b"", first.content)


def test_the_cached_page_carries_a_working_csrf_token(client, listed):
    client.get(DIRECTORY)
    visitor = type(client)(enforce_csrf_checks=True)
    page = visitor.get(DIRECTORY)
    assert page["X-Public-Cache"] == "hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    assert token != "__cos_csrf_token__"
    response = visitor.post(
        reverse("set_language"),
        {"language": "en", "next": DIRECTORY, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_the_cache_varies_on_the_language_and_the_query_string(client, listed):
    french = client.get(DIRECTORY)
    english = client.get(DIRECTORY, headers={"accept-language": "en"})
    assert english["X-Public-Cache"] == "miss"
    assert "Annuaire des membres et partenaires" in french.content.decode()
    assert "Annuaire des membres et partenaires" not in english.content.decode()
    assert client.get(f"{DIRECTORY}?q=zzz")["X-Public-Cache"] == "miss"
    assert listed_names(client.get(f"{DIRECTORY}?q=zzz")) == []


def test_unknown_parameters_and_signed_in_people_are_served_uncached(client, listed):
    client.get(f"{DIRECTORY}?utm_source=x")
    response = client.get(f"{DIRECTORY}?utm_source=x")
    assert "X-Public-Cache" not in response
    _organisation, representative = listed
    client.force_login(representative.user)
    client.get(DIRECTORY)
    response = client.get(DIRECTORY)
    assert "X-Public-Cache" not in response
    assert "no-store" in response["Cache-Control"]
    assert "Mon espace" in response.content.decode()


@pytest.mark.rule("S2", "L2")
def test_a_resigned_member_leaves_the_cached_directory_at_once(client, listed):
    organisation, representative = listed
    assert listed_names(client.get(DIRECTORY)) == ["Usinage Lorrain"]
    assert client.get(DIRECTORY)["X-Public-Cache"] == "hit"
    assert "Usinage Lorrain" in client.get(CSV_URL).content.decode()

    assert "<strong>1</strong> membres" in client.get("/").content.decode()

    member_resign(organisation=organisation, actor=representative.user)

    assert listed_names(client.get(DIRECTORY)) == []
    assert client.get(organisation.get_absolute_url()).status_code == 404
    assert "<strong>0</strong> membres" in client.get("/").content.decode()
    assert "Usinage Lorrain" not in client.get(CSV_URL).content.decode()
    assert "Usinage Lorrain" not in client.get(JSON_URL).content.decode()


@pytest.mark.rule("S2")
def test_an_excluded_or_new_member_changes_the_cached_directory_at_once(client, listed):
    organisation, _representative = listed
    assert listed_names(client.get(DIRECTORY)) == ["Usinage Lorrain"]
    organisation_status_change(
        organisation=organisation, status=Status.NONE, reason=StatusReason.EXCLUDED,
        explanation="Décision du COPIL.",
    )  # fmt: skip
    assert listed_names(client.get(DIRECTORY)) == []


def test_a_withdrawn_consent_leaves_the_cached_organisation_page_at_once(client, listed):
    organisation, representative = listed
    page = organisation.get_absolute_url()
    assert "Camille Mercier" in client.get(page).content.decode()
    assert client.get(page)["X-Public-Cache"] == "hit"

    representative_consent_set(
        representative=representative, public_consent=False, actor=representative.user
    )

    response = client.get(page)
    assert "Mercier" not in response.content.decode()


def test_a_new_zone_referent_shows_at_once(client, listed):
    from tests.governance.referents.factories import zone_referent_appoint

    _organisation, representative = listed
    referents = reverse("commissions:referents")
    assert "Mercier" not in client.get(referents).content.decode()
    assert client.get(referents)["X-Public-Cache"] == "hit"

    zone_referent_appoint(representative, ["57"])

    assert "Mercier" in client.get(referents).content.decode()


def test_the_generation_survives_a_flushed_cache(client, listed):
    client.get(DIRECTORY)
    cache.delete(PUBLIC_PAGES_VERSION_KEY)
    assert client.get(DIRECTORY)["X-Public-Cache"] == "miss"


# --- Open data ------------------------------------------------------------------------------


def csv_rows(response) -> list[dict]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_exports_hold_the_public_fields_of_members_and_partners(client, listed):
    organisation, _representative = listed
    member_organisation(legal_name="Conseil Champenois", status=Status.PARTNER, postcode="51100")
    outsider = member_organisation(legal_name="Invité SARL", status=Status.INVITEE)
    rows = csv_rows(client.get(CSV_URL))
    assert [row["nom"] for row in rows] == ["Conseil Champenois", "Usinage Lorrain"]
    usinage = rows[1]
    assert usinage["statut"] == "Membre"
    assert usinage["url"].endswith("/annuaire/usinage-lorrain/")
    assert usinage["representants"] == "Camille Mercier (Directrice technique)"
    assert "Metz (57)" in usinage["implantations"]
    data = json.loads(client.get(JSON_URL).content)
    names = [entity["nom"] for entity in data["entites"]]
    assert names == ["Conseil Champenois", "Usinage Lorrain"]
    assert data["entites"][1]["representants"] == [
        {"nom": "Camille Mercier", "fonction": "Directrice technique"}
    ]
    assert outsider.legal_name not in client.get(JSON_URL).content.decode()


def test_the_exports_hold_no_field_without_consent(client, listed):
    organisation, representative = listed
    withheld = RepresentativeFactory(
        organisation=organisation,
        user=UserFactory(first_name="Dominique", last_name="Secretdupont", email="d@x.fr"),
        job_title="Fonction-cachee",
        public_consent=False,
    )
    representative_consent_set(
        representative=representative, public_consent=False, actor=representative.user
    )
    person = member_organisation(
        legal_name="Jeanne Indépendante", kind=OrganisationKind.INDEPENDENT, postcode="67000"
    )
    EstablishmentFactory(organisation=person, address="12 rue Privée", postcode="67000")
    for url in (CSV_URL, JSON_URL):
        body = client.get(url).content.decode("utf-8-sig")
        for value in (
            "Camille",
            "Mercier",
            "Directrice technique",
            "Secretdupont",
            "Fonction-cachee",
            withheld.user.email,
            representative.user.email,
            "12 rue Privée",
            "Usinage Lorrain",
        ):
            assert (value in body) == (value == "Usinage Lorrain"), (url, value)


def test_a_formula_in_a_name_is_neutralised_in_the_csv(client):
    member_organisation(legal_name="=HYPERLINK(1)", slug="hyperlink")
    rows = csv_rows(client.get(CSV_URL))
    assert rows[0]["nom"] == "'=HYPERLINK(1)"


def test_the_json_export_sends_cors_only_to_the_listed_origins(client, listed, settings):
    settings.DIRECTORY_EMBED_ORIGINS = [ORIGIN]
    allowed = client.get(JSON_URL, headers={"origin": ORIGIN})
    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in allowed["Vary"]
    other = client.get(JSON_URL, headers={"origin": "https://evil.example"})
    assert other["X-Public-Cache"] == "hit"
    assert "Access-Control-Allow-Origin" not in other
    assert "Origin" in other["Vary"]
    assert "Access-Control-Allow-Origin" not in client.get(CSV_URL, headers={"origin": ORIGIN})


# --- Organisation pages: JSON-LD, OpenGraph -------------------------------------------------


def test_the_organisation_page_carries_json_ld_and_opengraph(client):
    organisation = member_organisation(
        legal_name="Robots & Cie </script><script>alert(1)</script>",
        slug="robots-cie",
        website="https://robots.example",
    )
    html = client.get(organisation.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block[1])
    assert data["@type"] == "Organization"
    assert data["name"] == organisation.legal_name
    assert data["url"] == "https://robots.example"
    assert data["address"][0]["addressLocality"] == "Metz"
    assert "<script>alert(1)" not in html
    assert '<meta property="og:title" content="Robots &amp; Cie &lt;/script&gt;' in html
    assert re.search(r'<meta property="og:url" content="http[^"]+/annuaire/robots-cie/">', html)


# --- The embeddable directory and framing ---------------------------------------------------


def test_the_embed_page_may_be_framed_by_the_listed_origins_only(client, listed, settings):
    settings.DIRECTORY_EMBED_ORIGINS = [ORIGIN, "https://cms.example.org"]
    response = client.get(EMBED)
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors https://www.cos-ge.example https://cms.example.org" in policy
    assert "'none'" not in policy.split("frame-ancestors")[1].split(";")[0]
    html = response.content.decode()
    assert 'target="_blank"' in html
    assert "Usinage Lorrain" in html
    assert "csrfmiddlewaretoken" not in html
    # Served from the cache, the headers stay the embed page's own.
    again = client.get(EMBED)
    assert again["X-Public-Cache"] == "hit"
    assert "X-Frame-Options" not in again
    assert "frame-ancestors https://www.cos-ge.example" in again["Content-Security-Policy"]


def test_without_listed_origins_the_embed_page_refuses_framing(client, listed, settings):
    settings.DIRECTORY_EMBED_ORIGINS = []
    response = client.get(EMBED)
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        DIRECTORY,
        "/annuaire/usinage-lorrain/",
        reverse("charters:current"),
        reverse("commissions:referents"),
        reverse("account_login"),
        reverse("privacy:policy"),
        JSON_URL,
    ],
)
def test_every_other_page_refuses_framing(client, listed, settings, path):
    settings.DIRECTORY_EMBED_ORIGINS = [ORIGIN]
    for _attempt in range(2):  # uncached, then from the cache
        response = client.get(path, headers={"origin": ORIGIN})
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert ORIGIN not in response["Content-Security-Policy"]


# --- sitemap.xml and robots.txt --------------------------------------------------------------


def test_the_sitemap_lists_public_pages_and_listed_organisations(client, listed, settings):
    settings.SITE_URL = "https://portail.cos-ge.fr"
    member_organisation(legal_name="Invité SARL", slug="invite-sarl", status=Status.INVITEE)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<loc>https://portail.cos-ge.fr/annuaire/usinage-lorrain/</loc>" in body
    assert "<loc>https://portail.cos-ge.fr/annuaire/</loc>" in body
    assert "<loc>https://portail.cos-ge.fr/charte/</loc>" in body
    assert "invite-sarl" not in body
    assert "/admin/" not in body


def test_robots_txt_keeps_crawlers_out_of_private_areas(client, settings):
    settings.SITE_URL = "https://portail.cos-ge.fr"
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    for prefix in ("/admin/", "/comptes/", "/espace/", "/espace-membre/", "/candidature/"):
        assert f"Disallow: {prefix}" in lines
    assert "Disallow: /annuaire/" not in lines
    assert "Sitemap: https://portail.cos-ge.fr/sitemap.xml" in lines


# --- Paper ----------------------------------------------------------------------------------


def test_the_directory_has_a_print_stylesheet(client, listed, settings):
    from django.contrib.staticfiles import finders

    settings.SITE_URL = "https://portail.cos-ge.fr"
    for path in (DIRECTORY, "/annuaire/usinage-lorrain/"):
        html = client.get(path).content.decode()
        assert re.search(r'<link rel="stylesheet" href="[^"]*css/print\.css" media="print">', html)
    html = client.get(DIRECTORY).content.decode()
    # The page's address, shown on paper only (the card's link cannot be clicked there).
    assert (
        '<p class="print-url d-none mb-1">https://portail.cos-ge.fr/annuaire/usinage-lorrain/'
        in html
    )
    css = Path(finders.find("css/print.css")).read_text(encoding="utf-8")
    for hidden in (".navbar", "footer", ".directory-filters", ".pagination"):
        assert hidden in css.split("{ display: none !important; }")[0]
    assert 'content: " (" attr(href) ")"' in css
    assert ".print-url { display: inline !important;" in css


# --- With the real Redis cache (production's) -------------------------------------------------


@pytest.fixture
def redis_cache(settings):
    """The default cache on the Redis of REDIS_URL, under a prefix of this test only."""
    import uuid

    prefix = f"test-public-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    client = cache._cache.get_client(write=True)
    yield client
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.mark.integration
@pytest.mark.rule("S2", "L2")
def test_the_redis_cache_serves_the_directory_and_forgets_a_resigned_member(
    client, listed, redis_cache, django_assert_num_queries
):
    organisation, representative = listed
    assert listed_names(client.get(DIRECTORY)) == ["Usinage Lorrain"]
    with django_assert_num_queries(0):
        hit = client.get(DIRECTORY)
    assert hit["X-Public-Cache"] == "hit"
    prefix = cache.key_prefix
    assert any(b":public-page:" in key for key in redis_cache.scan_iter(match=f"{prefix}:*"))
    version_before = cache.get(PUBLIC_PAGES_VERSION_KEY)

    member_resign(organisation=organisation, actor=representative.user)

    assert cache.get(PUBLIC_PAGES_VERSION_KEY) > version_before
    assert listed_names(client.get(DIRECTORY)) == []
    assert "Usinage Lorrain" not in client.get(JSON_URL).content.decode()


# --- Clean French slugs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Société d'Études & Œuvres", "societe-d-etudes-et-oeuvres"),
        ("L’Atelier Lorrain", "l-atelier-lorrain"),
        ("ÆRO-Tech SAS", "aero-tech-sas"),
        ("Intégration", "integration-2"),  # /annuaire/integration/ is the embeddable page
    ],
)
def test_organisations_get_clean_french_slugs(name, slug):
    from members.services import organisation_create

    organisation = organisation_create(legal_name=name, actor=None)
    assert organisation.slug == slug
    assert organisation.get_absolute_url() == f"/annuaire/{slug}/"
