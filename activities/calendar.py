"""iCalendar feeds of activities (A1), built with the icalendar package.

Each event keeps its UID (``activity-<pk>@<portal's domain>``) for its whole life, and
carries a SEQUENCE raised by each change of what it shows (activities/services.py,
``CALENDAR_FIELDS``) and its LAST-MODIFIED, so that calendar software replaces its copy.
A cancelled activity stays in the feed with STATUS:CANCELLED: subscribers' software then
removes it, where an event that vanished from the feed could stay in their agendas.
"""

import datetime
import hashlib

from django.conf import settings
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.cache import quote_etag
from django.utils.translation import get_language
from icalendar import Calendar, Event, vDuration

from core.site import absolute_url, site_domain

FEED_PAST_DAYS = 365
# How often calendar software should fetch a subscribed feed again.
REFRESH_INTERVAL = datetime.timedelta(hours=1)
# Raised when what a feed writes of each activity changes: the feeds held by calendar
# software are then sent again (feed_etag).
FEED_FORMAT = 1


def feed_calendar(*, name: str) -> Calendar:
    """An empty feed with its name and refresh interval (RFC 7986 and the X- properties
    Outlook and Google read)."""
    calendar = Calendar()
    calendar.add("prodid", "-//COS-GE//Portail//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", vDuration(REFRESH_INTERVAL), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    return calendar


def feed_etag(activities) -> str:
    """The version of a feed, from one aggregate of its activities (how many, which, the
    latest change: a save changes ``updated_at``), its language and the portal's address:
    calendar software that holds this version gets « 304 Not Modified », not the feed."""
    found = activities.order_by().aggregate(
        count=Count("pk", distinct=True), ids=Sum("pk", distinct=True), latest=Max("updated_at")
    )
    latest = found["latest"].isoformat() if found["latest"] else ""
    version = f"{FEED_FORMAT}|{get_language()}|{settings.SITE_URL}|{found['count']}|{found['ids']}|{latest}"
    return quote_etag(hashlib.sha256(version.encode()).hexdigest()[:32])


def activity_uid(activity) -> str:
    return f"activity-{activity.pk}@{site_domain()}"


def activities_ical(*, activities, name: str) -> bytes:
    calendar = feed_calendar(name=name)
    stamp = timezone.now()
    for activity in activities:
        event = Event()
        event.add("uid", activity_uid(activity))
        event.add("dtstamp", stamp)
        event.add("created", activity.created_at)
        event.add("last-modified", activity.updated_at)
        event.add("sequence", activity.sequence)
        event.add("status", "CANCELLED" if activity.is_cancelled else "CONFIRMED")
        event.add("dtstart", activity.starts_at)
        event.add("dtend", activity.ends_at)
        event.add("summary", activity.title)
        url = absolute_url(activity.get_absolute_url())
        event.add("description", "\n\n".join(p for p in (activity.description, url) if p))
        location = ", ".join(p for p in (activity.place, activity.postcode, activity.city) if p)
        event.add("location", location or activity.online_url)
        event.add("url", url)
        event.add("categories", [activity.get_kind_display()])
        calendar.add_component(event)
    return calendar.to_ical()


def feed_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
