"""An activity as a schema.org Event, for search engines (JSON-LD on its public page)."""

from django.urls import reverse

from core.site import absolute_url, site_root
from core.templatetags.sharing import iso8601


def activity_event(activity) -> dict:
    if activity.place:
        location = {
            "@type": "Place",
            "name": activity.place,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": activity.place,
                "postalCode": activity.postcode,
                "addressLocality": activity.city,
                "addressCountry": "FR",
            },
        }
        mode = "https://schema.org/OfflineEventAttendanceMode"
    else:
        # The videoconference link is for those signed in: the page stands for it.
        location = {"@type": "VirtualLocation", "url": absolute_url(activity.get_absolute_url())}
        mode = "https://schema.org/OnlineEventAttendanceMode"
    return {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": activity.title,
        "description": activity.description,
        "startDate": iso8601(activity.starts_at),
        "endDate": iso8601(activity.ends_at),
        "eventStatus": "https://schema.org/"
        + ("EventCancelled" if activity.is_cancelled else "EventScheduled"),
        "eventAttendanceMode": mode,
        "location": location,
        "organizer": {
            "@type": "Organization",
            "name": "COS-GE",
            "url": site_root() + reverse("home"),
        },
        "url": absolute_url(activity.get_absolute_url()),
    }
