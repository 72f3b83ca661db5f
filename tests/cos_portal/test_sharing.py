"""Search and sharing: OpenGraph and Twitter tags, the favicon, the web app manifest and
the Permissions-Policy header."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from tests.members.factories import member_organisation

pytestmark = pytest.mark.django_db


def meta(html: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    assert match, f"no {key}"
    return match.group(1)


@pytest.mark.parametrize("path", ["/", "/annuaire/", "/charte/", "/activites/", "/referents/"])
def test_public_pages_carry_opengraph_and_twitter_tags(client, settings, path):
    settings.SITE_URL = "https://portail.cos-ge.fr"
    html = client.get(path).content.decode()

    assert meta(html, "og:url") == f"https://portail.cos-ge.fr{path}"
    assert meta(html, "og:image") == "https://portail.cos-ge.fr/static/img/site-card.png"
    assert (meta(html, "og:image:width"), meta(html, "og:image:height")) == ("1200", "630")
    assert meta(html, "og:locale") == "fr_FR"
    assert meta(html, "og:site_name") == "Portail COS-GE"
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "og:image:alt")


def test_an_organisation_is_shared_with_its_name(client, settings):
    settings.SITE_URL = "https://portail.cos-ge.fr"
    organisation = member_organisation(legal_name="Usinage Vosgien")
    html = client.get(f"/annuaire/{organisation.slug}/").content.decode()

    assert meta(html, "og:title") == "Usinage Vosgien"
    assert html.count('rel="canonical"') == 1


def test_favicon_and_manifest(client, settings):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/vnd.microsoft.icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"

    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Portail COS-GE"
    assert manifest["display"] == "standalone"
    assert [i["sizes"] for i in manifest["icons"]] == ["192x192", "512x512"]
    for entry in manifest["icons"]:
        assert finders.find(entry["src"].removeprefix(settings.STATIC_URL))


@pytest.mark.parametrize("path", ["/", "/favicon.ico", "/comptes/login/"])
def test_every_response_carries_a_permissions_policy(client, path):
    policy = client.get(path)["Permissions-Policy"]

    assert "camera=()" in policy
    assert "microphone=()" in policy
    assert "geolocation=()" in policy


def test_a_public_activity_is_a_schema_org_event(client, settings):
    from tests.activities.factories import ActivityFactory

    settings.SITE_URL = "https://portail.cos-ge.fr"
    activity = ActivityFactory(is_public=True, title="Plénière </script>", place="1 rue Haute")
    html = client.get(f"/activites/{activity.pk}/").content.decode()

    text = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    event = json.loads(text)
    assert event["@type"] == "Event"
    assert event["name"] == "Plénière </script>"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["location"]["@type"] == "Place"
    assert event["startDate"].endswith(("+01:00", "+02:00"))
    assert "." not in event["startDate"]
    assert event["url"] == f"https://portail.cos-ge.fr/activites/{activity.pk}/"


def test_a_cancelled_public_activity_says_so_to_search_engines(client):
    from tests.activities.factories import ActivityFactory

    activity = ActivityFactory(is_public=True, cancelled_at=timezone.now())
    html = client.get(f"/activites/{activity.pk}/").content.decode()

    text = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(text)["eventStatus"] == "https://schema.org/EventCancelled"


def test_the_sitemap_lists_public_activities_and_charter_versions(client, settings):
    from tests.activities.factories import ActivityFactory
    from tests.charters.factories import CharterVersionFactory

    settings.SITE_URL = "https://portail.cos-ge.fr"
    activity = ActivityFactory(is_public=True)
    private = ActivityFactory(is_public=False)
    version = CharterVersionFactory(label="V1 R001")
    xml = client.get("/sitemap.xml").content.decode()

    urls = re.findall(r"<url><loc>([^<]*)</loc><lastmod>", xml.replace("\n", "").replace(" ", ""))
    root = "https://portail.cos-ge.fr"
    assert f"{root}/activites/{activity.pk}/" in urls
    assert f"{root}/charte/versions/{version.slug}/" in urls
    assert f"/activites/{private.pk}/" not in xml
    for url in urls:
        assert client.get(url.removeprefix(root)).status_code == 200
