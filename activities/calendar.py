"""iCalendar feeds of activities (A1), built with the icalendar package."""

import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from core.site import site_root

FEED_PAST_DAYS = 365


def activities_ical(*, activities, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//COS-GE//Portail//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    site = site_root()
    for activity in activities:
        event = Event()
        event.add("uid", f"activity-{activity.pk}@cos-ge")
        event.add("dtstamp", stamp)
        event.add("dtstart", activity.starts_at)
        event.add("dtend", activity.ends_at)
        event.add("summary", activity.title)
        event.add("description", activity.description)
        location = ", ".join(p for p in (activity.place, activity.postcode, activity.city) if p)
        event.add("location", location or activity.online_url)
        event.add("url", site + activity.get_absolute_url())
        event.add("categories", [activity.get_kind_display()])
        calendar.add_component(event)
    return calendar.to_ical()


def feed_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
