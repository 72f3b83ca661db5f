"""What the apps read of an HTTP request.

``client_ip`` is the one answer to "which address did this request come from", stored as
evidence beside a signature, counted by the throttles, written in the security log and in
the audit trail. Headers a client can type (``X-Real-IP``, ``X-Forwarded-For``) are read
only as far as the deployment's own proxies wrote them: ``TRUSTED_PROXY_COUNT`` (env
``DJANGO_TRUSTED_PROXY_COUNT``) says how many proxies stand in front of the application.

- 0 (the default, no proxy): the socket address, ``REMOTE_ADDR``; the headers are ignored.
- N > 0: each proxy appends the address it saw to ``X-Forwarded-For``, so the N-th entry
  from the right is the address the outermost trusted proxy saw; entries further left
  were written by the client and are not believed. With fewer entries than N (a request
  that bypassed the proxies), ``REMOTE_ADDR``.
"""

from __future__ import annotations

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted <= 0:
        return remote_addr
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [hop for hop in forwarded if hop]
    if len(forwarded) < trusted:
        return remote_addr
    return forwarded[-trusted]


class ClientAddressAuditlogMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, with the address from ``client_ip``: the stock one
    believes the leftmost ``X-Forwarded-For`` entry, which any client can write."""

    @staticmethod
    def _get_remote_addr(request):
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        return client_ip(request) or None
