"""What charters reads of the organisations, from the registry members keeps.

charters sits below members (ARCHITECTURE: core <- charters <- members <- activities <-
governance) and never imports it, yet what an organisation owes depends on its status:
the scope it signs (E1), who owes a signature of the version in force and since when
(X4), when its commitment ends after it lost its status (E2). So members registers its
readers here from ``MembersConfig.ready()`` (as the deadline registry in
core/deadlines.py is filled), and charters asks through the functions below.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "OrganisationReaders",
    "StatusHolder",
    "organisation_readers_register",
    "organisation_status",
    "status_changes_latest",
    "status_holders",
    "status_held_since_subquery",
    "statuses_held_since",
]


@dataclass(frozen=True)
class StatusHolder:
    """An organisation holding one of the statuses asked, as the registry sees it."""

    organisation: object
    status: str
    status_label: str
    # The start of its current uninterrupted stretch of one of the statuses asked.
    since: datetime.datetime | None
    # Its active authorised signatories, and every active representative when asked.
    signatories: list = field(default_factory=list)
    representatives: list = field(default_factory=list)


@dataclass(frozen=True)
class OrganisationReaders:
    # (*, organisation, at=None) -> the status (a members.constants.Status value)
    organisation_status: Callable[..., str]
    # (*, statuses, at=None, with_representatives=False, organisation_ids=None,
    # people_as_ids=False) -> [StatusHolder], by name
    status_holders: Callable[..., list[StatusHolder]]
    # (*, organisation, at=None, count) -> the latest status changes, newest first
    status_changes_latest: Callable[..., list]
    # (*, organisation_ids, statuses, at=None) -> {organisation id: since when it holds
    # one of the statuses without a break}
    statuses_held_since: Callable[..., dict]
    # (*, statuses, at=None, of="pk") -> the same as an expression on the outer row whose
    # field ``of`` holds the organisation (NULL when it holds none of the statuses)
    status_held_since_subquery: Callable[..., object]


_READERS: list[OrganisationReaders] = []


def organisation_readers_register(readers: OrganisationReaders) -> None:
    """members' ``ready()``; a second call replaces the first."""
    _READERS[:] = [readers]


def _readers() -> OrganisationReaders:
    if not _READERS:
        raise ImproperlyConfigured("members registers its readers from MembersConfig.ready().")
    return _READERS[0]


def organisation_status(*, organisation, at: datetime.datetime | None = None) -> str:
    return _readers().organisation_status(organisation=organisation, at=at)


def status_holders(
    *,
    statuses,
    at: datetime.datetime | None = None,
    with_representatives: bool = False,
    organisation_ids=None,
    people_as_ids: bool = False,
    since_from: datetime.datetime | None = None,
    since_before: datetime.datetime | None = None,
) -> list[StatusHolder]:
    """``organisation_ids`` (optional) keeps those organisations only; ``people_as_ids``
    gives the signatories and representatives as user ids; ``since_from`` and
    ``since_before`` keep those holding a status since that stretch of time only."""
    return _readers().status_holders(
        statuses=statuses,
        at=at,
        with_representatives=with_representatives,
        organisation_ids=organisation_ids,
        people_as_ids=people_as_ids,
        since_from=since_from,
        since_before=since_before,
    )


def statuses_held_since(*, organisation_ids, statuses, at: datetime.datetime | None = None) -> dict:
    """organisation id -> the start of its current uninterrupted stretch of one of
    ``statuses`` (absent when it holds none); one query."""
    return _readers().statuses_held_since(
        organisation_ids=organisation_ids, statuses=statuses, at=at
    )


def status_held_since_subquery(*, statuses, at: datetime.datetime | None = None, of: str = "pk"):
    """``statuses_held_since`` as an expression on the outer row (``of`` names its field
    holding the organisation): read with other rows in their query."""
    return _readers().status_held_since_subquery(statuses=statuses, at=at, of=of)


def status_changes_latest(*, organisation, at: datetime.datetime | None = None, count: int):
    """Each change has ``status`` and ``effective_at``."""
    return _readers().status_changes_latest(organisation=organisation, at=at, count=count)
