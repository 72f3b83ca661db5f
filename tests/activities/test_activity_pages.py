"""Organisers create and edit their activities from the site (A1), through the same
services as the admin: the place rule holds, the form keeps what was typed, an organiser
edits only the activities they organise, a started or cancelled one is refused."""

import datetime
import html as html_lib

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.constants import ActivityKind, ConvenedScope, ConvocationSource
from activities.models import Activity
from core.models import AuditEntry
from members.constants import Role
from tests.activities.factories import ActivityFactory
from tests.activities.test_admin import form_data as admin_form_data
from tests.members.factories import UserFactory, member_organisation

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def organiser_user():
    user = UserFactory()
    user.groups.add(Group.objects.get(name=Role.ORGANISERS))
    return user


def copil_user():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=Role.COPIL))
    return user


def form_data(**overrides):
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=30)).replace(
        hour=14, minute=0
    )
    data = {
        "kind": ActivityKind.WORKSHOP,
        "title": "Atelier jumeau numérique",
        "description": "Démonstrations.",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "place": "1 place de la Gare",
        "postcode": "57000",
        "city": "Metz",
        "online_url": "",
        "convened_scope": ConvenedScope.ALL_MEMBERS,
    }
    data.update(overrides)
    return data


def test_the_creation_page_states_the_rules_and_is_linked_from_the_list(client):
    client.force_login(organiser_user())

    listing = client.get(reverse("activities:list"))
    page = client.get(reverse("activities:create") + "?type=ordinary_plenary")

    assert reverse("activities:create") in listing.content.decode()
    assert page.status_code == 200
    html = page.content.decode()
    assert "Avant de commencer (article 7 de la charte)" in html
    assert "en région Grand Est" in html
    assert page.context["form"]["kind"].value() == ActivityKind.ORDINARY_PLENARY


@pytest.mark.rule("A1")
def test_an_organiser_creates_an_activity_convening_the_members_and_lands_on_its_page(client):
    organiser = organiser_user()
    member = member_organisation()
    client.force_login(organiser)

    response = client.post(reverse("activities:create"), form_data())

    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url()
    assert list(activity.organisers.all()) == [organiser]
    assert list(activity.convocations.values_list("organisation_id", "source")) == [
        (member.pk, ConvocationSource.ALL_MEMBERS)
    ]
    assert AuditEntry.objects.get(action="activities.activity.created").actor == organiser
    page = client.get(response["Location"])
    assert reverse("activities:checkin", args=[activity.pk]) in page.content.decode()
    assert reverse("activities:edit", args=[activity.pk]) in page.content.decode()


@pytest.mark.rule("A1")
def test_a_place_outside_the_grand_est_is_refused_in_french_and_the_input_kept(client):
    client.force_login(organiser_user())

    response = client.post(reverse("activities:create"), form_data(postcode="75001", city="Paris"))

    assert response.status_code == 400
    assert "Le lieu d'une activité doit être en région Grand Est." in text(response)
    assert response.context["form"]["title"].value() == "Atelier jumeau numérique"
    assert response.context["form"]["city"].value() == "Paris"
    assert not Activity.objects.exists()
    assert not AuditEntry.objects.exists()


def test_bad_dates_get_a_french_message_not_an_error(client):
    client.force_login(organiser_user())

    garbled = client.post(reverse("activities:create"), form_data(starts_at="2026-13-45T99:00"))
    reversed_ = client.post(
        reverse("activities:create"),
        form_data(starts_at="2030-05-10T18:00", ends_at="2030-05-10T09:00"),
    )
    nowhere = client.post(reverse("activities:create"), form_data(place="", postcode="", city=""))

    assert garbled.status_code == reversed_.status_code == nowhere.status_code == 400
    assert garbled.context["form"].errors["starts_at"] == [
        "Saisissez une date et une heure valides."
    ]
    assert reversed_.context["form"].errors["ends_at"] == ["La fin doit suivre le début."]
    assert "Indiquez un lieu en Grand Est ou un lien de visioconférence." in text(nowhere)
    assert not Activity.objects.exists()


def test_members_may_neither_create_nor_edit(client):
    activity = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=5))
    client.force_login(UserFactory())

    assert client.get(reverse("activities:create")).status_code == 403
    assert client.post(reverse("activities:create"), form_data()).status_code == 403
    assert client.get(reverse("activities:edit", args=[activity.pk])).status_code == 403
    assert not Activity.objects.exclude(pk=activity.pk).exists()


def test_an_organiser_edits_only_the_activities_they_organise(client):
    organiser = organiser_user()
    theirs = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=5))
    theirs.organisers.add(organiser)
    other = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=5))
    client.force_login(organiser)

    page = client.get(reverse("activities:edit", args=[theirs.pk]))
    refused = client.post(reverse("activities:edit", args=[other.pk]), form_data(title="Pris"))
    changed = client.post(
        reverse("activities:edit", args=[theirs.pk]),
        form_data(title="Atelier renommé", convened_scope=ConvenedScope.NAMED),
    )

    assert page.status_code == 200
    assert page.context["form"]["title"].value() == theirs.title
    assert refused.status_code == 403
    other.refresh_from_db()
    assert other.title != "Pris"
    assert changed.status_code == 302
    theirs.refresh_from_db()
    assert theirs.title == "Atelier renommé"
    assert list(theirs.organisers.all()) == [organiser]
    entry = AuditEntry.objects.get(action="activities.activity.updated")
    assert "title" in entry.data["fields"]


def test_the_copil_edits_any_activity_and_names_its_organisers(client):
    copil = copil_user()
    organiser = organiser_user()
    activity = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=5))
    client.force_login(copil)

    response = client.post(
        reverse("activities:edit", args=[activity.pk]),
        form_data(organisers=[organiser.pk]),
    )

    assert response.status_code == 302
    assert list(activity.organisers.all()) == [organiser]


@pytest.mark.rule("A1")
def test_a_started_or_cancelled_activity_is_not_edited(client):
    organiser = organiser_user()
    started = ActivityFactory()  # ten days ago
    cancelled = ActivityFactory(
        starts_at=timezone.now() + datetime.timedelta(days=5), cancelled_at=timezone.now()
    )
    for activity in (started, cancelled):
        activity.organisers.add(organiser)
    client.force_login(organiser)

    on_started = client.post(
        reverse("activities:edit", args=[started.pk]), form_data(title="Changé"), follow=True
    )
    on_cancelled = client.get(reverse("activities:edit", args=[cancelled.pk]), follow=True)

    assert on_started.redirect_chain == [(started.get_absolute_url(), 302)]
    assert "L'activité a commencé : elle ne se modifie plus" in text(on_started)
    assert "L'activité est annulée : elle ne se modifie plus." in text(on_cancelled)
    started.refresh_from_db()
    assert started.title != "Changé"
    assert not AuditEntry.objects.exists()


def test_the_navigation_offers_the_flows_each_role_may_start(client):
    client.force_login(organiser_user())
    as_organiser = client.get(reverse("home")).content.decode()
    client.force_login(UserFactory())
    as_member = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("activities:create")}"' in as_organiser
    assert f'href="{reverse("elections:create")}"' not in as_organiser
    assert f'href="{reverse("activities:create")}"' not in as_member


def test_the_list_offers_creation_to_an_organiser_with_constant_queries(
    client, django_assert_num_queries
):
    client.force_login(organiser_user())
    for n in range(2):
        ActivityFactory(title=f"Atelier {n}", starts_at=timezone.now() + datetime.timedelta(days=3))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("activities:list"))
    for n in range(12):
        ActivityFactory(title=f"Salon {n}", starts_at=timezone.now() + datetime.timedelta(days=4))

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("activities:list"))

    assert len(response.context["page"]) == 14
    assert response.context["can_create"] is True


@pytest.mark.rule("A1")
def test_the_admin_refuses_too_to_change_a_cancelled_activity(client):
    cancelled = ActivityFactory(
        starts_at=timezone.now() + datetime.timedelta(days=5), cancelled_at=timezone.now()
    )
    client.force_login(copil_user())

    response = client.post(
        reverse("admin:activities_activity_change", args=[cancelled.pk]),
        admin_form_data(title="Renommée"),
        follow=True,
    )

    assert "L'activité est annulée : elle ne se modifie plus." in text(response)
    cancelled.refresh_from_db()
    assert cancelled.title != "Renommée"
    assert not AuditEntry.objects.filter(action="activities.activity.updated").exists()


@pytest.mark.rule("A1")
def test_an_edit_naming_the_convened_organisations_convenes_exactly_them(client):
    organiser = organiser_user()
    member_organisation()
    named = member_organisation(legal_name="Usinage de l'Est")
    activity = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=5))
    activity.organisers.add(organiser)
    client.force_login(organiser)

    response = client.post(
        reverse("activities:edit", args=[activity.pk]),
        form_data(convened_scope=ConvenedScope.NAMED, invited_organisations=[named.pk]),
    )

    assert response.status_code == 302
    assert list(activity.convocations.values_list("organisation_id", "source")) == [
        (named.pk, ConvocationSource.NAMED)
    ]
    entry = AuditEntry.objects.get(action="activities.activity.updated")
    assert "invited_organisations" in entry.data["fields"]
