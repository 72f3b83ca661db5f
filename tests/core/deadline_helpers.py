"""Run the deadline engine day after day and read what it sent, per kind."""

import datetime
import zoneinfo

from django.contrib.auth.models import Group

from core.deadlines import deadline_reminders_send
from core.models import Reminder
from members.constants import Role
from tests.members.factories import UserFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def morning(day: datetime.date) -> datetime.datetime:
    """8:00 in Paris, when the daily schedule runs the engine."""
    return datetime.datetime.combine(day, datetime.time(8), tzinfo=PARIS)


def copil_member(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=Role.COPIL)[0])
    return user


def run_days(kind: str, first: datetime.date, last: datetime.date) -> dict:
    """Run the engine every morning from ``first`` to ``last`` (twice each day: the second
    run must send nothing); returns {day: {(recipient_id, offset, informed_only)}} for the
    new reminders of ``kind`` (days with none are left out)."""
    sent = {}
    day = first
    while day <= last:
        before = set(Reminder.objects.filter(kind=kind).values_list("pk", flat=True))
        deadline_reminders_send(now=morning(day))
        again = Reminder.objects.filter(kind=kind).count()
        deadline_reminders_send(now=morning(day))
        assert Reminder.objects.filter(kind=kind).count() == again, "a second run sent again"
        new = Reminder.objects.filter(kind=kind).exclude(pk__in=before)
        if new:
            sent[day] = {(r.recipient_id, r.offset, r.informed_only) for r in new}
        day += datetime.timedelta(days=1)
    assert not Reminder.objects.filter(kind=kind).exclude(status="sent").exists()
    return sent


def days_before(due: datetime.date, *offsets: int) -> list[datetime.date]:
    return [due - datetime.timedelta(days=offset) for offset in offsets]


def run_on(kind: str, days) -> dict:
    """As run_days, on the listed days only (long ranges: each offset and the day before)."""
    sent = {}
    for day in sorted(days):
        sent.update(run_days(kind, day, day))
    return sent


def around(due: datetime.date, *offsets: int) -> list[datetime.date]:
    """Each reminder day of ``due`` and the day before it."""
    days = set()
    for day in days_before(due, *offsets):
        days.update({day, day - datetime.timedelta(days=1)})
    return sorted(days)
