"""The COPIL creates and changes activities in the admin through the services: convocations
follow (A1), the place rule holds, the audit entry is written."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from activities.constants import ActivityKind, ConvenedScope, ConvocationSource
from activities.models import Activity
from core.models import AuditEntry
from members.constants import Status
from tests.members.factories import UserFactory, member_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def form_data(**overrides):
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=30))
    data = {
        "kind": ActivityKind.ORDINARY_PLENARY,
        "title": "Plénière d'automne",
        "description": "",
        "starts_at_0": start.strftime("%d/%m/%Y"),
        "starts_at_1": "14:00:00",
        "ends_at_0": start.strftime("%d/%m/%Y"),
        "ends_at_1": "17:00:00",
        "place": "Hôtel de région",
        "postcode": "67000",
        "city": "Strasbourg",
        "online_url": "",
        "convened_scope": ConvenedScope.ALL_MEMBERS,
        "convocations-TOTAL_FORMS": "0",
        "convocations-INITIAL_FORMS": "0",
        "convocations-MIN_NUM_FORMS": "0",
        "convocations-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.mark.rule("A1")
def test_activity_created_in_the_admin_convenes_members_and_named_organisations(admin_client_):
    member = member_organisation()
    partner = member_organisation(status=Status.PARTNER)

    response = admin_client_.post(
        reverse("admin:activities_activity_add"),
        form_data(invited_organisations=[partner.pk]),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    activity = Activity.objects.get()
    assert dict(activity.convocations.values_list("organisation", "source")) == {
        member.pk: ConvocationSource.ALL_MEMBERS,
        partner.pk: ConvocationSource.NAMED,
    }
    assert activity.convocations_synced_at is not None


@pytest.mark.rule("A1")
def test_admin_refuses_a_place_outside_the_grand_est(admin_client_):
    response = admin_client_.post(
        reverse("admin:activities_activity_add"), form_data(postcode="75001", city="Paris")
    )

    assert response.status_code == 200
    assert "doit être en région Grand Est" in response.content.decode()
    assert Activity.objects.count() == 0


# --- The admin goes through the services: same rules, same audit entry ----------------


@pytest.mark.rule("A1")
def test_an_activity_added_in_the_admin_is_created_by_the_service_with_its_audit_entry(
    client,
):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    member = member_organisation()
    organiser = UserFactory()

    response = client.post(
        reverse("admin:activities_activity_add"),
        form_data(organisers=[organiser.pk], convened_scope=ConvenedScope.ALL_MEMBERS),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    activity = Activity.objects.get()
    assert response["Location"] == reverse("admin:activities_activity_changelist")
    assert list(activity.organisers.all()) == [organiser]
    # A1: the service convened the members at the activity's date.
    assert list(activity.convocations.values_list("organisation", flat=True)) == [member.pk]
    entry = AuditEntry.objects.get(action="activities.activity.created")
    assert (entry.actor, entry.object_type, entry.object_id) == (
        admin,
        "activities.activity",
        str(activity.pk),
    )
    assert entry.data == {"title": "Plénière d'automne", "kind": ActivityKind.ORDINARY_PLENARY}
    # The admin's own history names the created activity.
    assert LogEntry.objects.get().object_id == str(activity.pk)


@pytest.mark.rule("A1")
def test_an_activity_without_place_nor_link_is_refused_in_the_admin_without_audit_entry(
    admin_client_,
):
    response = admin_client_.post(
        reverse("admin:activities_activity_add"),
        form_data(place="", postcode="", city="", online_url=""),
    )

    assert response.status_code == 200
    assert "Indiquez un lieu en Grand Est ou un lien de visioconférence" in (
        response.content.decode()
    )
    assert Activity.objects.count() == 0
    assert not AuditEntry.objects.exists()


def test_an_activity_changed_in_the_admin_writes_the_services_audit_entry(admin_client_):
    admin_client_.post(reverse("admin:activities_activity_add"), form_data())
    activity = Activity.objects.get()

    response = admin_client_.post(
        reverse("admin:activities_activity_change", args=[activity.pk]),
        form_data(title="Plénière d'hiver", city="Colmar", postcode="68000"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get(action="activities.activity.updated")
    assert entry.data == {"fields": ["city", "postcode", "title"]}
    assert Activity.objects.get().title == "Plénière d'hiver"


@pytest.mark.rule("A1")
def test_a_plenary_admin_page_keeps_its_size_and_links_to_its_convened_entities(
    admin_client_, django_assert_max_num_queries
):
    """A plenary convenes every member (thousands): its admin page counts them by origin
    and links to their list, searched and paged by the admin, instead of one row each."""
    for _ in range(5):
        member_organisation()
    admin_client_.post(reverse("admin:activities_activity_add"), form_data())
    activity = Activity.objects.get()
    url = reverse("admin:activities_activity_change", args=[activity.pk])
    fewer = admin_client_.get(url)
    for _ in range(30):
        member_organisation()
    named = member_organisation(legal_name="Invitée Nommément SAS", status=Status.PARTNER)
    admin_client_.post(url, form_data(invited_organisations=[named.pk]))
    assert activity.convocations.count() == 36
    with django_assert_max_num_queries(40) as page_queries:
        more = admin_client_.get(url)
    convened = admin_client_.get(
        reverse("admin:activities_convocation_changelist"), {"activity__id__exact": activity.pk}
    )
    searched = admin_client_.get(
        reverse("admin:activities_convocation_changelist"),
        {"activity__id__exact": activity.pk, "q": "nommément"},
    )

    page = more.content.decode()
    assert "36 entités convoquées : 35 (Tous les membres), 1 (Entité désignée)" in page
    assert f"?activity__id__exact={activity.pk}" in page
    assert abs(len(more.content) - len(fewer.content)) < 1_000  # the named entity's choice
    assert len(page_queries.captured_queries) < 40
    assert convened.status_code == 200 and "36 convocations" in convened.content.decode()
    assert "Invitée Nommément SAS" in searched.content.decode()
    assert searched.content.decode().count("field-organisation") == 1
