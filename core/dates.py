"""Date arithmetic the charter's rules share (terms in months, effective dates)."""

import calendar
import datetime

from django.utils import timezone


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` calendar months, on the last day of the month when
    that month is shorter (31 January + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The first instant of ``day`` in the portal's time zone (Europe/Paris)."""
    return datetime.datetime.combine(day, datetime.time.min, timezone.get_current_timezone())


def day_span(
    first: datetime.date, last: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of ``first`` and the last of ``last`` in the portal's time zone:
    the bounds, both included (``__range``, ``__gte`` and ``__lte``), of the moments in
    a window of days, such as a deadline list's."""
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(first, datetime.time.min, zone),
        datetime.datetime.combine(last, datetime.time.max, zone),
    )
