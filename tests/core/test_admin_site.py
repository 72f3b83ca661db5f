"""The portal's admin site builds the side menu's list of apps only where a page shows it:
the index lists the apps, the lists and forms (no side menu) never sort them."""

from unittest import mock

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from core.admin_french import PortalAdminSite
from tests.members.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True, email="admin@cos-ge.fr")


def test_every_admin_page_has_djangos_context(superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser

    portal = admin.site.each_context(request)
    django = admin.AdminSite().each_context(request)

    assert isinstance(admin.site, PortalAdminSite)
    assert set(portal) == set(django)
    assert portal["is_nav_sidebar_enabled"] is False
    assert [app["app_label"] for app in portal["available_apps"]] == [
        app["app_label"] for app in admin.site.get_app_list(request)
    ]


def test_a_list_does_not_build_the_list_of_apps_and_the_index_does(client, superuser):
    OrganisationFactory.create_batch(3)
    client.force_login(superuser)
    with mock.patch.object(
        PortalAdminSite,
        "_build_app_dict",
        autospec=True,
        side_effect=admin.AdminSite._build_app_dict,
    ) as build:
        listing = client.get(reverse("admin:members_organisation_changelist"))
        change = client.get(
            reverse("admin:members_organisation_change", args=[OrganisationFactory().pk])
        )
        assert build.call_count == 0
        index = client.get(reverse("admin:index"))
        assert build.call_count == 1

    assert (listing.status_code, change.status_code, index.status_code) == (200, 200, 200)
    assert 'href="/admin/members/organisation/"' in index.content.decode()
