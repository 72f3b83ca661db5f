"""The administration speaks French, third-party apps included (locale/fr holds the French
of the libraries that ship none, such as django-auditlog)."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from core.french_nouns import noun_gender
from tests.activities.factories import ActivityFactory
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_index_names_the_audit_log_in_french(superuser_client):
    page = superuser_client.get(reverse("admin:index")).content.decode()

    assert "Journal des modifications" in page
    assert not re.search(r"Audit log|Log entries", page, re.I)


def test_the_audit_log_list_is_in_french(superuser_client):
    page = superuser_client.get(reverse("admin:auditlog_logentry_changelist")).content.decode()

    assert "Entrées du journal" in page or "entrées du journal" in page
    for english in ("Resource Type", "Audit log", "log entries"):
        assert english not in page


def test_every_model_the_admin_shows_has_its_gender_declared():
    shown = set()
    for model, model_admin in admin.site._registry.items():
        shown.add(model._meta.label_lower)
        shown.update(inline.model._meta.label_lower for inline in model_admin.inlines)

    assert sorted(label for label in shown if noun_gender(label) is None) == []


def test_the_admin_titles_and_buttons_agree_with_each_noun(superuser_client):
    activity = ActivityFactory()
    changelist = superuser_client.get(reverse("admin:activities_activity_changelist"))
    add = superuser_client.get(reverse("admin:activities_activity_add"))
    change = superuser_client.get(reverse("admin:activities_activity_change", args=[activity.pk]))
    mandates = superuser_client.get(reverse("admin:governance_mandate_add"))

    assert "Ajouter une activité" in changelist.content.decode()
    assert "Ajout d’une activité" in add.content.decode()
    assert "Modification de l’activité" in change.content.decode()
    assert "Ajout d’un mandat" in mandates.content.decode()
    for response in (changelist, add, change, mandates):
        assert not re.search(
            r"Ajout de (activité|mandat)|Ajouter activité", response.content.decode()
        )
