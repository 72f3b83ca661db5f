"""The organiser's check-in as an installable offline app (A2): its manifest, its service
worker, the roster's key for checking codes offline, and the headers that let the page
register a worker and use the camera."""

import json
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from activities.checkin_codes import checkin_key_text
from members.constants import Role
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

from .factories import ActivityFactory, convene, user_in
from .test_checkin import roster_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(client):
    user = user_in(Role.ORGANISERS)
    client.force_login(user)
    return user


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())


@pytest.mark.rule("A2")
def test_the_manifest_installs_the_activity_s_check_in(client, organiser):
    activity = ActivityFactory(title="Atelier cobotique")

    response = client.get(reverse("activities:checkin_manifest", args=[activity.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Pointage – Atelier cobotique"
    assert manifest["start_url"] == f"/activites/{activity.pk}/pointage/"
    assert manifest["scope"] == "/activites/"
    assert manifest["display"] == "standalone"
    assert [(icon["src"], icon["sizes"]) for icon in manifest["icons"]] == [
        ("/static/img/icon-192.png", "192x192"),
        ("/static/img/icon-512.png", "512x512"),
    ]
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix(settings.STATIC_URL)), icon


def test_the_manifest_is_for_the_activity_s_organisers_only(client):
    activity = ActivityFactory(title="Réunion restreinte")
    url = reverse("activities:checkin_manifest", args=[activity.pk])

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))

    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 403
    assert "Réunion restreinte" not in response.content.decode()

    organiser = UserFactory()
    activity.organisers.add(organiser)
    client.force_login(organiser)
    assert client.get(url).status_code == 200


def test_only_the_check_in_page_links_its_manifest(client, organiser):
    activity = ActivityFactory()

    checkin = client.get(reverse("activities:checkin", args=[activity.pk])).content.decode()
    detail = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()

    manifest = reverse("activities:checkin_manifest", args=[activity.pk])
    assert re.findall(r'<link rel="manifest" href="([^"]+)">', checkin) == [manifest]
    assert re.findall(r'<link rel="manifest" href="([^"]+)">', detail) == [reverse("web_manifest")]


def test_the_service_worker_is_served_under_the_activities(client):
    response = client.get(reverse("activities:checkin_service_worker"))

    assert reverse("activities:checkin_service_worker") == "/activites/pointage-sw.js"
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert 'self.addEventListener("fetch"' in script
    assert not response.has_header("Service-Worker-Allowed")
    assert client.post(reverse("activities:checkin_service_worker")).status_code == 405


def test_the_check_in_page_registers_the_worker_for_the_activities(client, organiser):
    activity = ActivityFactory()

    html = client.get(reverse("activities:checkin", args=[activity.pk])).content.decode()

    assert 'data-worker="/activites/pointage-sw.js"' in html
    assert 'data-scope="/activites/"' in html
    assert f'data-page="/activites/{activity.pk}/pointage/"' in html
    assert 'accept="image/*" capture="environment"' in html
    assert '<script src="/static/vendor/jsqr/jsQR.js"></script>' in html


@pytest.mark.rule("A2")
def test_the_roster_carries_the_activity_s_key_for_the_organiser(client, organiser):
    activity = ActivityFactory()
    member = member_organisation(legal_name="Cobots de Moselle")
    rep = RepresentativeFactory(organisation=member)
    convene(activity, member)

    roster = roster_of(client, activity)

    assert roster["activity"] == activity.pk
    assert roster["organiser"] == organiser.pk
    assert roster["key"] == checkin_key_text(activity.pk)
    assert roster["organisations"] == ["Cobots de Moselle"]
    assert roster["organisation_ids"] == [member.pk]
    assert [person[0] for person in roster["people"]] == [rep.user_id]
    assert roster["at"]


def test_nobody_else_gets_the_key(client):
    activity = ActivityFactory()
    key = checkin_key_text(activity.pk)
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    convene(activity, member)
    url = reverse("activities:checkin", args=[activity.pk])

    for user in (None, rep.user, UserFactory()):
        client.logout()
        if user is not None:
            client.force_login(user)
        for page in (
            url,
            reverse("activities:checkin_roster", args=[activity.pk]),
            reverse("activities:detail", args=[activity.pk]),
        ):
            response = client.get(page)
            assert key not in response.content.decode(), (user, page)


def test_the_csp_lets_the_portal_s_own_worker_and_manifest_in(client, organiser):
    activity = ActivityFactory()

    for url in (reverse("home"), reverse("activities:checkin", args=[activity.pk])):
        found = directives(client.get(url))
        assert found["worker-src"] == "'self'"
        assert found["manifest-src"] == "'self'"
        assert found["script-src"] == "'self'"


def test_the_camera_is_allowed_on_the_check_in_page_only(client, organiser):
    activity = ActivityFactory()

    checkin = client.get(reverse("activities:checkin", args=[activity.pk]))
    others = [
        client.get(reverse("home")),
        client.get(reverse("activities:detail", args=[activity.pk])),
        client.get(reverse("activities:checkin_walk_in", args=[activity.pk])),
        client.get(reverse("activities:checkin_manifest", args=[activity.pk])),
    ]

    policy = dict(item.split("=", 1) for item in checkin["Permissions-Policy"].split(", "))
    assert policy["camera"] == "(self)"
    assert policy["microphone"] == "()"
    assert policy["geolocation"] == "()"
    for response in others:
        assert response.status_code == 200
        assert response["Permissions-Policy"] == settings.PERMISSIONS_POLICY
        assert "camera=()" in response["Permissions-Policy"]


def test_a_refused_check_in_page_does_not_open_the_camera(client):
    activity = ActivityFactory()
    client.force_login(UserFactory())

    response = client.get(reverse("activities:checkin", args=[activity.pk]))

    assert response.status_code == 403
    assert "camera=()" in response["Permissions-Policy"]


def test_a_form_posted_to_the_sync_is_refused_whole_not_a_server_error(client, organiser):
    activity = ActivityFactory()
    url = reverse("activities:checkin_sync", args=[activity.pk])

    for data in ({}, {"actions": "[]"}):
        response = client.post(url, data)
        assert response.status_code == 400
        assert response.json() == {"error": "Le corps de la requête n'est pas du JSON valide."}
    response = client.post(url, {"actions": []}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["results"] == []
