"""The cache of the public pages: directory, organisation pages, referents, charter.

Anonymous visitors get these pages from the cache (Redis in production, local memory in
development). Every cache key holds a *generation*: one integer kept in the cache under
``PUBLIC_PAGES_VERSION_KEY``. The services that change what these pages show (an
organisation, a status, a representative's consent, an establishment, a referent, a charter
version) call :func:`public_pages_changed`, which increments it, so every cached page is
left behind at once: a resigned member leaves the directory with the request that follows
(S2), with no list of URLs to delete. Explicit calls, no signals (ARCHITECTURE §7).

Each page is stored with the generation it was rendered in, under a key without it: one
``get_many`` (a single Redis MGET) reads the generation and the page together, and a page
of an older generation is a miss that the new rendering overwrites.

In development the local-memory cache belongs to one process: a change made by another
process (a management command) reaches the pages after PUBLIC_PAGES_CACHE_SECONDS.

Signed-in people, visitors holding a session or a message, POST requests and query
strings with parameters the page does not know are never served from, nor stored in, the
cache: pages seen signed in carry personal data and stay ``no-store``
(cos_portal/security.py).

The page embeds a CSRF token (the language switch is a POST form): it is stored as a
placeholder and replaced by the visitor's own token when served.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

PUBLIC_PAGES_VERSION_KEY = "public-pages:version"
_PAGE_KEY_PREFIX = "public-page"
_CSRF_PLACEHOLDER = "__cos_csrf_token__"
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(")')
# Longer query strings are served uncached: nobody types them, and they would fill the cache.
_MAX_QUERY_LENGTH = 300
# The headers of the view's response kept with the page; the middleware adds the others.
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Last-Modified")


def _bump() -> None:
    try:
        cache.incr(PUBLIC_PAGES_VERSION_KEY)
    except ValueError:
        # No generation yet (first change, or the cache was flushed): start from the clock
        # so that a restarted count never meets the keys of an earlier one.
        cache.set(PUBLIC_PAGES_VERSION_KEY, time.time_ns(), None)


def public_pages_changed() -> None:
    """Leave every cached public page behind: what they show has changed.

    Called by the services, inside their transaction: once now (the same request, and the
    tests, see the change) and once after the commit, so that a page rendered by another
    request before the commit, from the old data, is not served afterwards.
    """
    _bump()
    transaction.on_commit(_bump)


def public_pages_version() -> int:
    version = cache.get(PUBLIC_PAGES_VERSION_KEY)
    if version is None:
        version = _first_version()
    return version


def _first_version() -> int:
    """A generation when there is none (the cache was flushed or has just started): from
    the clock, as ``_bump`` starts one; the one another process has just set wins."""
    version = time.time_ns()
    if cache.add(PUBLIC_PAGES_VERSION_KEY, version, None):
        return version
    return cache.get(PUBLIC_PAGES_VERSION_KEY, version)


def _lookup(key: str) -> tuple[int, tuple | None]:
    """The current generation and the page stored under ``key`` if rendered in it."""
    found = cache.get_many([PUBLIC_PAGES_VERSION_KEY, key])
    version = found.get(PUBLIC_PAGES_VERSION_KEY)
    if version is None:
        return _first_version(), None
    stored = found.get(key)
    if stored is None or stored[0] != version:
        return version, None
    return version, stored[1:]


def _cacheable_request(request: HttpRequest, params: frozenset[str]) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    # A session may hold a signed-in person or messages; a message cookie, messages.
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return False
    if len(request.META.get("QUERY_STRING", "")) > _MAX_QUERY_LENGTH:
        return False
    return all(key in params for key in request.GET)


def page_key(request: HttpRequest) -> str:
    """The cache key of the page: language, day, path and sorted query string."""
    query = sorted((key, value) for key, values in request.GET.lists() for value in values)
    raw = f"{request.path}?{query!r}"
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    # The day: what the pages show also depends on dates (a representative's term, the
    # charter version in force), which change at midnight without any service call.
    return f"{_PAGE_KEY_PREFIX}:{language}:{timezone.localdate():%Y%m%d}:{digest}"


def public_cache(*, params: tuple[str, ...] = ()):
    """Decorator of a public view: serve anonymous GETs from the cache.

    ``params`` are the query string parameters the view reads; a request with any other
    one is served uncached.
    """
    known = frozenset(params)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _cacheable_request(request, known):
                return view(request, *args, **kwargs)
            key = page_key(request)
            version, stored = _lookup(key)
            if stored is not None:
                headers, body = stored
                if _CSRF_PLACEHOLDER.encode() in body:
                    body = body.replace(_CSRF_PLACEHOLDER.encode(), get_token(request).encode())
                response = HttpResponse(body, headers=headers)
                response["X-Public-Cache"] = "hit"
                return response
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)):
                response = response.render()  # a TemplateResponse (the sitemap)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                body = _CSRF_INPUT.sub(
                    rb"\g<1>" + _CSRF_PLACEHOLDER.encode() + rb"\g<2>", response.content
                )
                headers = {name: response[name] for name in _KEPT_HEADERS if name in response}
                cache.set(key, (version, headers, body), settings.PUBLIC_PAGES_CACHE_SECONDS)
                response["X-Public-Cache"] = "miss"
            return response

        wrapper.public_cache = True
        return wrapper

    return decorator


class PublicPagesAdminMixin:
    """For the admin pages of what the public pages show (organisations, establishments
    in their inlines, representatives, people, categories): any save, deletion or import
    leaves the cached public pages behind, as the services do."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        public_pages_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        public_pages_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        public_pages_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        public_pages_changed()

    def process_result(self, result, request):  # django-import-export, after an import
        response = super().process_result(result, request)
        if not (result.has_errors() or result.has_validation_errors()):
            public_pages_changed()
        return response
