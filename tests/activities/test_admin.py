"""The COPIL creates activities in the admin: convocations follow (A1), the place rule holds."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.constants import ActivityKind, ConvenedScope, ConvocationSource
from activities.models import Activity
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
