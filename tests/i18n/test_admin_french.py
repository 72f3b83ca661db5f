"""The administration speaks French, third-party apps included (locale/fr holds the French
of the libraries that ship none, such as django-auditlog)."""

import re

import pytest
from django.urls import reverse

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
