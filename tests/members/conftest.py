"""Fixtures of the status lifecycle tests (issue 6)."""

import pytest
from django.contrib.auth.models import Group

from members.constants import Role
from tests.charters.factories import PASSWORD, CharterVersionFactory
from tests.members.factories import UserFactory


@pytest.fixture
def version(db):
    """The charter in force (V1 R001)."""
    return CharterVersionFactory(label="V1 R001")


def in_group(role, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def copil(db):
    """A COPIL member: staff, in the COPIL group (the admin's permissions come from it)."""
    return in_group(Role.COPIL, is_staff=True, first_name="Claire", last_name="Copil")


@pytest.fixture
def organiser(db):
    return in_group(Role.ORGANISERS)


@pytest.fixture
def staff_not_copil(db):
    """Staff of the "Équipe" group: sees the registry, takes no decision (G2)."""
    return in_group(Role.STAFF, is_staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    return tmp_path


__all__ = ["PASSWORD"]
