"""What members reads of the attendance to activities, from the readers activities gives.

members sits below activities (ARCHITECTURE: core <- charters <- members <- activities
<- governance) and never imports it, yet an application's checklist counts the
activities the applicant attended as an invitee (M6), and an exclusion on the ground
of attendance rests on the member's latest attendance ratio (A3, L3). So activities registers its
readers here from ``ActivitiesConfig.ready()`` (as the deadline registry in
core/deadlines.py is filled), and members asks through the functions below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "AttendanceReaders",
    "attendance_readers_register",
    "invitee_attendances",
    "organisation_ratio_latest",
]


@dataclass(frozen=True)
class AttendanceReaders:
    # (organisation) -> the activities it attended as an invitee (title, starts_at)
    invitee_attendances: Callable
    # (*, organisation) -> its latest attendance ratio snapshot, or None
    organisation_ratio_latest: Callable


_READERS: list[AttendanceReaders] = []


def attendance_readers_register(readers: AttendanceReaders) -> None:
    """activities' ``ready()``; a second call replaces the first."""
    _READERS[:] = [readers]


def _readers() -> AttendanceReaders:
    if not _READERS:
        raise ImproperlyConfigured(
            "activities registers its readers from ActivitiesConfig.ready()."
        )
    return _READERS[0]


def invitee_attendances(organisation):
    return _readers().invitee_attendances(organisation)


def organisation_ratio_latest(*, organisation):
    return _readers().organisation_ratio_latest(organisation=organisation)
