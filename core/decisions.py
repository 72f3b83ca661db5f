"""The decisions of the COPIL and of the election commission, as the URLs declare them.

Every app declares its decision URLs with ``decision(...)`` beside the route, in its urls
module, and the COPIL's own pages with ``copil_required``; the project's security
(cos_portal/security.py, DecisionMFAMiddleware) asks the people holding a decision role
for their authenticator app before those URLs. Kept in core so that the apps mark their
URLs without importing the project package that stands on top of them.
"""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.urls import ResolverMatch, URLPattern, URLResolver, get_resolver
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .roles import is_copil

__all__ = ["copil_required", "decision", "decision_url_names", "is_decision"]

# Set on the URL patterns declared with decision(); read back by decision_url_names().
_DECISION_ATTR = "cos_mfa_decision"
# Of the admin, only the way in and out is open without MFA.
_ADMIN_OPEN_VIEWS = {"admin:login", "admin:logout"}


def decision(pattern: URLPattern) -> URLPattern:
    """Declare a URL pattern as a decision of the COPIL or of the election commission
    (or a page only they see): a person holding one of these roles (mfa_required_for)
    opens it only after MFA in this session. Beside the route, in the app's urls module;
    the pattern must be named (tests/security/test_permission_matrix.py lists them)."""
    if not pattern.name:
        raise ImproperlyConfigured(f"A decision URL needs a name: {pattern.pattern}")
    setattr(pattern, _DECISION_ATTR, True)
    return pattern


def _marked_names(patterns, namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _marked_names(entry.url_patterns, inner)
        elif getattr(entry, _DECISION_ATTR, False):
            yield f"{namespace}{entry.name}"


def decision_url_names(urlconf=None) -> frozenset[str]:
    """The namespaced names of the decision URLs of a URLconf, found once per resolver
    (a test that swaps the URLconf gets a new resolver, so a new list)."""
    resolver = get_resolver(urlconf)
    names = getattr(resolver, "_cos_decision_url_names", None)
    if names is None:
        names = frozenset(_marked_names(resolver.url_patterns))
        resolver._cos_decision_url_names = names
    return names


def is_decision(match: ResolverMatch | None, urlconf=None) -> bool:
    """The admin (but its login and logout) and every URL declared with decision()."""
    if match is None:
        return False
    if match.namespaces[:1] == ["admin"]:
        return match.view_name not in _ADMIN_OPEN_VIEWS
    return match.view_name in decision_url_names(urlconf)


def copil_required(view_func):
    """Decorator for the COPIL's pages outside the admin: signed in, COPIL member (or
    superuser), never cached. Others get 403. MFA is asked by DecisionMFAMiddleware:
    the URL of such a view is declared with decision() (the permission matrix checks)."""

    @functools.wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not is_copil(request.user):
            raise PermissionDenied(_("Page réservée au COPIL."))
        return view_func(request, *args, **kwargs)

    guarded = never_cache(login_required(wrapper))
    guarded.copil_only = True  # read by the tests: such a view's URL is a decision
    return guarded
