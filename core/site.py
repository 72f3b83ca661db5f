"""The portal's public address, SITE_URL, as links in e-mails, PDFs, calendars and exports
are built on it (the request's host is not trusted for that: a mail may leave from a task)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse


def site_root() -> str:
    """The public address without its final slash: ``https://portail.cos-ge.fr``."""
    return settings.SITE_URL.rstrip("/")


def absolute_url(path: str = "/") -> str:
    """``path`` (as ``reverse()`` gives it) on the portal's public address."""
    return site_root() + path


def site_domain() -> str:
    """The host of the public address, under which calendar UIDs are made unique."""
    return urlsplit(site_root()).hostname or "localhost"


def webcal_url(path: str) -> str:
    """``path`` as a calendar subscription link: the public address with ``webcal://``,
    which calendar software opens as a subscription (the feed itself stays on https)."""
    return "webcal://" + absolute_url(path).split("://", 1)[1]


def path_builder(viewname: str, marker: str | int = "0marker0"):
    """``value -> reverse(viewname, args=[value])`` with a single reversal, for the links of
    a long list. ``marker`` must match the URL's converter (an int for ``<int:...>``); the
    values must be ones a URL keeps as they are (numbers, slugs)."""
    head, _marker, tail = reverse(viewname, args=[marker]).partition(str(marker))
    return lambda value: f"{head}{value}{tail}"
