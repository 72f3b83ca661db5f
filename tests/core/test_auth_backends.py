"""The session's person is read with their groups (the portal's roles) in one query
(core/auth_backends.py): a page that asks for a role pays no second query, and a role
granted or withdrawn on that same object is seen, as with Django's own prefetch."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.auth_backends import PortalModelBackend, _people_with_roles, user_get_with_roles
from core.roles import is_copil, user_role_names
from members.constants import Role
from tests.governance.commissions.factories import copil_user
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_person_comes_with_their_groups_in_one_query():
    user = copil_user()
    user.groups.add(Group.objects.get_or_create(name=Role.ELECTION_COMMISSION)[0])
    UserFactory().groups.add(Group.objects.get(name=Role.COPIL))  # someone else's groups
    with CaptureQueriesContext(connection) as queries:
        loaded = user_get_with_roles(user.pk)
        roles = user_role_names(loaded)
        assert is_copil(loaded)
    assert len(queries) == 1
    assert loaded == user
    assert roles == {str(Role.COPIL), str(Role.ELECTION_COMMISSION)}
    assert {g.pk for g in loaded.groups.all()} == set(user.groups.values_list("pk", flat=True))


def test_a_person_without_groups_and_an_unknown_one():
    user = UserFactory()
    loaded = user_get_with_roles(str(user.pk))  # the session keeps the key as text
    with CaptureQueriesContext(connection) as queries:
        assert user_role_names(loaded) == frozenset()
        assert not is_copil(loaded)
    assert len(queries) == 0
    assert user_get_with_roles(user.pk + 1000) is None


def test_a_role_granted_or_withdrawn_on_the_same_object_is_seen():
    user = UserFactory()
    loaded = user_get_with_roles(user.pk)
    assert not is_copil(loaded)
    copil = Group.objects.get_or_create(name=Role.COPIL)[0]
    loaded.groups.add(copil)
    assert is_copil(loaded)
    loaded.groups.remove(copil)
    assert not is_copil(loaded)


def test_an_inactive_person_is_not_loaded_from_the_session():
    user = UserFactory(is_active=False)
    assert PortalModelBackend().get_user(user.pk) is None


def test_a_page_reads_the_session_then_the_person_with_their_roles(client):
    user = copil_user()
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = SessionStore(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)
    assert client.session[BACKEND_SESSION_KEY] == "core.auth_backends.PortalModelBackend"
    with CaptureQueriesContext(connection) as queries:
        person = get_user(request)
        assert is_copil(person)
    session, person_and_roles = (q["sql"] for q in queries)
    assert 'FROM "django_session"' in session
    assert 'FROM "members_user" WHERE' in person_and_roles
    assert '"members_user_groups"' in person_and_roles
    # The COPIL's cockpit opens, the role read with the person.
    assert client.get(reverse("copil:cockpit")).status_code == 200


def test_a_person_signed_in_before_the_portals_backends_stays_signed_in(client):
    """Sessions opened with Django's or allauth's backend are renamed by the migration
    (core/migrations/0012): nobody is signed out by the upgrade."""
    migration = importlib.import_module("core.migrations.0012_sessions_follow_portal_backends")
    people = {}
    for old in migration.RENAMED:
        user = UserFactory()
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = old
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        people[old] = (user, session.session_key)
    unrelated = SessionStore()
    unrelated["cart"] = "rien"
    unrelated.create()

    editor = SimpleNamespace(connection=connection)  # what the migration uses of it
    migration.follow(django_apps, editor)

    for old, (user, key) in people.items():
        assert SessionStore(session_key=key).load()[BACKEND_SESSION_KEY] == migration.RENAMED[old]
        client.cookies[settings.SESSION_COOKIE_NAME] = key
        response = client.get(reverse("space:dashboard"))
        assert response.status_code == 200
        assert response.context["user"] == user
    assert SessionStore(session_key=unrelated.session_key).load() == {"cart": "rien"}

    migration.back(django_apps, editor)
    old, (user, key) = next(iter(people.items()))
    assert SessionStore(session_key=key).load()[BACKEND_SESSION_KEY] == old


def test_the_query_of_people_is_built_once_and_each_person_comes_with_their_own_roles(
    django_assert_num_queries,
):
    copil = copil_user()
    other = UserFactory()
    with django_assert_num_queries(3):
        first = user_get_with_roles(copil.pk)
        second = user_get_with_roles(other.pk)
        assert user_get_with_roles(0) is None
    # One query of every person, built once per process and never read whole: each call
    # reads one person from a copy of it.
    assert _people_with_roles() is _people_with_roles()
    assert _people_with_roles()._result_cache is None
    assert first.pk == copil.pk and is_copil(first)
    assert second.pk == other.pk and not is_copil(second) and user_role_names(second) == set()
