"""The portal's roles as the lower layers see them: a person's groups, and the COPIL.

The roles are groups (members.constants.Role, created by a data migration). core and
charters need to know who sits on the COPIL (charter art. 6: its pages, its reminders,
the certificates it may download) but may not import members, which names the groups:
members gives the COPIL's group name here from ``MembersConfig.ready()`` (as the deadline
registry in core/deadlines.py is filled), and every app asks ``is_copil``.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db.models import prefetch_related_objects

__all__ = ["copil_group", "copil_group_register", "is_copil", "user_role_names"]

_COPIL_GROUP: list[str] = []


def copil_group_register(name: str) -> None:
    """Name the COPIL's group (members' ``ready()``; a second call replaces the first)."""
    _COPIL_GROUP[:] = [str(name)]


def copil_group() -> str:
    """The name of the COPIL's group, as members registered it."""
    if not _COPIL_GROUP:
        raise ImproperlyConfigured("The COPIL's group is registered by MembersConfig.ready().")
    return _COPIL_GROUP[0]


def user_role_names(user) -> frozenset[str]:
    """The names of the person's groups (portal roles), read once per user object.

    They are kept as Django's prefetch of ``user.groups``: a page that asks several
    times costs one query, and ``refresh_from_db()`` or ``user.groups.add()``/``remove()``
    on the same object forget them, so a role just granted or withdrawn is seen.
    """
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    prefetch_related_objects([user], "groups")
    return frozenset(group.name for group in user.groups.all())


def is_copil(user) -> bool:
    """Charter art. 6 (G1, G2): the COPIL's decisions belong to the holders of its seats,
    whose group follows the running mandates (governance ``copil_roles_sync``). Being a
    superuser (the portal's technical administrator) makes nobody a COPIL member: the
    admin stays open to them, the decisions do not."""
    if not getattr(user, "is_authenticated", False):
        return False
    return copil_group() in user_role_names(user)
