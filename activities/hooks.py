"""What other apps check and do when an activity changes date or kind.

Dependencies run one way (activities <- governance): an election is held at an ordinary
plenary (V9-V11) and a revision vote at an extraordinary one (X4), but those live in
governance, which activities never imports. Governance registers a hook here from its
``AppConfig.ready()`` (as the deadline registry in core/deadlines.py is filled):

* ``check(*, activity, starts_at, kind, now)`` raises ``ActivityChangeRefused`` with the
  reason when the change would break one of its rules; ``activity`` is the activity as
  stored, ``starts_at`` and ``kind`` the new values. The admin form calls it to show the
  reason on the field; ``activity_update`` calls it again under lock before saving.
* ``follow(*, activity, previous_starts_at, previous_kind, actor, now)`` runs in the same
  transaction once the change is saved (the election follows its plenary's date).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from .models import Activity


@dataclass(frozen=True)
class ActivityChangeHook:
    name: str
    check: Callable[..., None]
    follow: Callable[..., None]


_HOOKS: dict[str, ActivityChangeHook] = {}


def activity_change_hook(
    name: str, *, check: Callable[..., None], follow: Callable[..., None]
) -> None:
    """Register (or replace, so a second ``ready()`` adds nothing) the hook ``name``."""
    _HOOKS[name] = ActivityChangeHook(name=name, check=check, follow=follow)


def activity_change_check(
    *, activity: Activity, starts_at: datetime.datetime, kind: str, now: datetime.datetime
) -> None:
    """Raise ``ActivityChangeRefused`` if a registered rule refuses the change."""
    for hook in _HOOKS.values():
        hook.check(activity=activity, starts_at=starts_at, kind=kind, now=now)


def activity_change_follow(
    *,
    activity: Activity,
    previous_starts_at: datetime.datetime,
    previous_kind: str,
    actor,
    now: datetime.datetime,
) -> None:
    for hook in _HOOKS.values():
        hook.follow(
            activity=activity,
            previous_starts_at=previous_starts_at,
            previous_kind=previous_kind,
            actor=actor,
            now=now,
        )
