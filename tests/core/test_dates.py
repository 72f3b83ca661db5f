"""core/dates.py: the instants of a window of days in the portal's time zone."""

import datetime
import zoneinfo

from django.utils import timezone

from core.dates import day_span, local_midnight

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_a_window_of_days_runs_from_the_first_instant_to_the_last_in_paris():
    # Across the change to summer time (29 March 2026): the first day's midnight is in
    # winter time (UTC+1), the last day's end in summer time (UTC+2).
    first, last = day_span(datetime.date(2026, 3, 28), datetime.date(2026, 3, 30))
    assert first == datetime.datetime(2026, 3, 27, 23, 0, tzinfo=datetime.UTC)
    assert last == datetime.datetime(2026, 3, 30, 21, 59, 59, 999999, tzinfo=datetime.UTC)
    assert first == local_midnight(datetime.date(2026, 3, 28))
    # Every moment of those days is within, the ones around them are not.
    inside = [
        datetime.datetime(2026, 3, 28, 0, 0, tzinfo=PARIS),
        datetime.datetime(2026, 3, 30, 23, 59, 59, 999999, tzinfo=PARIS),
    ]
    outside = [
        first - datetime.timedelta(microseconds=1),
        local_midnight(datetime.date(2026, 3, 31)),
    ]
    assert all(first <= moment <= last for moment in inside)
    assert not any(first <= moment <= last for moment in outside)


def test_one_day_is_its_own_window_even_of_25_hours():
    day = datetime.date(2026, 10, 25)  # back to winter time: 25 hours in Paris
    first, last = day_span(day, day)
    assert timezone.localdate(first) == timezone.localdate(last) == day
    utc = datetime.UTC
    assert last.astimezone(utc) - first.astimezone(utc) == datetime.timedelta(
        hours=25, microseconds=-1
    )
