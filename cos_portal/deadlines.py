"""The deadline engine: every deadline the charter creates, from one registry of sources.

Each app declares its deadlines in ``<app>/deadlines.py`` with ``@deadline_source``,
imported from its ``AppConfig.ready()``. A source is a function
``fn(*, start: date, end: date) -> Iterable[Deadline]`` returning the deadlines whose
due date falls in ``[start, end]``; it reads the database in a constant number of
queries whatever the number of organisations (select_related, prefetch, annotations).

``deadline_list`` merges the sources (the COPIL overview, a person's dashboard, iCal);
``deadline_reminders_send`` is the engine run daily by django-celery-beat: it records
each reminder under the unique key (deadline, recipient, offset) before sending it, so
two runs, or two workers at once, never send the same reminder twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise, lazy

__all__ = [
    "Deadline",
    "DeadlineKind",
    "deadline_kinds",
    "deadline_label",
    "deadline_list",
    "deadline_source",
]


@dataclass(frozen=True)
class Deadline:
    key: str  # stable unique id, e.g. "charters.resignature:12:org:34"
    kind: str  # one of the registered kinds
    label: str  # French msgid rendered in the active language (see deadline_label)
    due: datetime.date
    act_url: str  # path where the person acts
    actors: tuple[int, ...]  # user ids who must act
    informed: tuple[int, ...]  # user ids who are informed
    offsets: tuple[int, ...]  # days before due (0 = on the day, -1 = one day overdue...)
    required: bool  # required by the charter: cannot be muted
    organisation_id: int | None = None


@dataclass(frozen=True)
class DeadlineKind:
    kind: str
    label: str  # lazy French label of the kind (preferences page, filters)
    required: bool
    source: Callable[..., Iterable[Deadline]]


_REGISTRY: dict[str, DeadlineKind] = {}


def deadline_source(kind: str, *, label, required: bool):
    """Register ``fn(*, start, end) -> Iterable[Deadline]`` as the source of ``kind``."""

    def register(fn):
        _REGISTRY[kind] = DeadlineKind(kind=kind, label=label, required=required, source=fn)
        return fn

    return register


def deadline_kinds() -> dict[str, DeadlineKind]:
    """kind -> DeadlineKind (label, required), in registration order."""
    return dict(_REGISTRY)


def _render(message, params: dict) -> str:
    return str(message) % params if params else str(message)


_lazy_render = lazy(_render, str)


def deadline_label(message, **params) -> str:
    """A label rendered in the language active when it is displayed: pass a
    ``gettext_lazy`` msgid and its parameters (e-mails render it per recipient)."""
    if not isinstance(message, Promise) and not params:
        return message
    return _lazy_render(message, params)


def deadline_list(
    *,
    start: datetime.date,
    end: datetime.date,
    kinds: Iterable[str] | None = None,
    user_id: int | None = None,
) -> list[Deadline]:
    """The deadlines due in ``[start, end]``, sorted by due date; ``user_id`` keeps those
    where the person acts or is informed."""
    selected = list(_REGISTRY) if kinds is None else [k for k in kinds if k in _REGISTRY]
    deadlines = []
    for kind in selected:
        for deadline in _REGISTRY[kind].source(start=start, end=end):
            if not start <= deadline.due <= end:
                continue
            if user_id is not None and (
                user_id not in deadline.actors and user_id not in deadline.informed
            ):
                continue
            deadlines.append(deadline)
    deadlines.sort(key=lambda d: (d.due, d.kind, d.key))
    return deadlines
