"""The portal's public address, SITE_URL, as links in e-mails, PDFs, calendars and exports
are built on it (the request's host is not trusted for that: a mail may leave from a task)."""

from django.conf import settings


def site_root() -> str:
    """The public address without its final slash: ``https://portail.cos-ge.fr``."""
    return settings.SITE_URL.rstrip("/")


def absolute_url(path: str = "/") -> str:
    """``path`` (as ``reverse()`` gives it) on the portal's public address."""
    return site_root() + path
