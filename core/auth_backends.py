"""The portal's authentication backends: Django's and allauth's, each loading the
session's person with their groups (the portal's roles, core/roles.py) in one query
instead of two, since nearly every page asks for a role."""

import functools

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db.models import (
    Aggregate,
    CharField,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Concat


class _Joined(Aggregate):
    """Texts joined by a separator: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    function = "STRING_AGG"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


_BETWEEN = "\n"  # between the groups' "id:name" (a group's name is one line)


@functools.cache
def _people_with_roles() -> QuerySet:
    """Every person, each with their groups' "id:name" joined: built once per process
    (never evaluated itself), since every signed-in request reads one person from it."""
    model = get_user_model()
    pairs = (
        model.groups.through.objects.filter(user=OuterRef("pk"))
        .values("user")
        .annotate(
            pairs=_Joined(
                Concat(Cast("group_id", CharField()), Value(":"), "group__name"),
                Value(_BETWEEN, output_field=CharField()),
            )
        )
        .values("pairs")
    )
    return model._default_manager.annotate(role_pairs=Subquery(pairs))


def user_get_with_roles(user_id):
    """The person (None if unknown) with their groups read in the same query, and kept
    as the prefetch of ``user.groups`` that ``core.roles.user_role_names`` reads: like
    any prefetch, ``refresh_from_db()`` and ``user.groups.add()``/``remove()`` forget it."""
    people = _people_with_roles()
    try:
        user = people.get(pk=user_id)
    except people.model.DoesNotExist:
        return None
    groups = []
    for pair in filter(None, (user.__dict__.pop("role_pairs") or "").split(_BETWEEN)):
        pk, _, name = pair.partition(":")
        groups.append(Group.from_db(user._state.db, ["id", "name"], [int(pk), name]))
    # What Django's prefetch_related_objects leaves on the object (prefetch_one_level).
    queryset = user.groups.get_queryset()
    queryset._result_cache = groups
    queryset._prefetch_done = True
    user._prefetched_objects_cache = {"groups": queryset}
    return user


class _RolesLoaded:
    def get_user(self, user_id):
        user = user_get_with_roles(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class PortalModelBackend(_RolesLoaded, ModelBackend):
    """Password login (Django's admin login, the tests' force_login)."""


class PortalAuthenticationBackend(_RolesLoaded, AuthenticationBackend):
    """Login by e-mail (allauth)."""
