"""Cross-cutting security of the portal: MFA on the admin and on the decisions of the
COPIL and the election commission, cache headers, the security log and allauth's adapter.

The security log (logger ``cos_portal.security``) records successful and failed
logins, MFA events and refused accesses (403, 429) with the person or the e-mail
address typed, the client IP (core.http.client_ip) and the UTC time. It never records a
password, a token or a confirmation key: events are built from an explicit list of
fields, never from a request's data, and paths holding a key are logged by route.
"""

from __future__ import annotations

import datetime
import logging
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context as allauth_context
from allauth.core import ratelimit
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from core.decisions import is_decision
from core.emails import email_message, email_send
from core.http import client_ip
from core.roles import is_copil
from governance.elections.selectors import is_election_commission

logger = logging.getLogger("cos_portal.security")

# Set on the request once an event about it was logged, so the refused-access
# middleware does not log the same refusal twice.
_LOGGED_ATTR = "_cos_security_logged"
# Set in the session when the person activated an authenticator app in it: typing
# the first code proved they hold the device, like an MFA login.
MFA_ACTIVATED_SESSION_KEY = "cos_portal.mfa_activated_for"
# URL keyword arguments that carry secrets (allauth's password reset and e-mail
# confirmation keys): such paths are logged as their route name only.
_SECRET_URL_KWARGS = {"key", "uidb36", "uidb64", "token"}


# --- The security log -------------------------------------------------------------


def safe_path(request: HttpRequest) -> str:
    """The request path, unless it carries a key or token: then its route name."""
    match = getattr(request, "resolver_match", None)
    if match is not None and _SECRET_URL_KWARGS & set(match.kwargs):
        return f"<{match.view_name}>"
    return request.path


def security_event(
    event: str,
    *,
    request: HttpRequest | None = None,
    user=None,
    email: str = "",
    level: int = logging.INFO,
    refusal: bool = False,
    **fields,
) -> None:
    """Log one security event; ``fields`` must be plain, non-secret values.

    ``refusal`` marks the request as logged so RefusedAccessLogMiddleware does not
    log the same 403/429 again.
    """
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    data = {
        "event": event,
        "user_id": getattr(user, "pk", None),
        "email": email or getattr(user, "email", "") or "",
        "ip": client_ip(request),
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        **fields,
    }
    message = " ".join(f"{key}={value}" for key, value in data.items() if key != "event")
    logger.log(level, "%s %s", event, message, extra={"security": data})
    if refusal and request is not None:
        setattr(request, _LOGGED_ATTR, True)


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    security_event("login.succeeded", request=request, user=user)


def on_user_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        security_event("logout", request=request, user=user)


def on_user_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the identifier typed is kept; Django already masks the password in
    # ``credentials`` but nothing else from it is logged anyway.
    email = credentials.get("email") or credentials.get("username") or ""
    security_event("login.failed", request=request, email=str(email), level=logging.WARNING)


def on_mfa_authentication_failed(sender, request, user, **kwargs) -> None:
    security_event("mfa.failed", request=request, user=user, level=logging.WARNING)


def on_authenticator_added(sender, request, user, authenticator, **kwargs) -> None:
    if authenticator.type == Authenticator.Type.TOTP and request is not None:
        request.session[MFA_ACTIVATED_SESSION_KEY] = str(user.pk)
    security_event("mfa.added", request=request, user=user, type=authenticator.type)


def on_authenticator_removed(sender, request, user, authenticator, **kwargs) -> None:
    if authenticator.type == Authenticator.Type.TOTP and request is not None:
        request.session.pop(MFA_ACTIVATED_SESSION_KEY, None)
    security_event("mfa.removed", request=request, user=user, type=authenticator.type)


# --- allauth ----------------------------------------------------------------------


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter, answering HTTP 429 when failed logins are exhausted.

    allauth turns an exhausted ``login_failed`` limit (ACCOUNT_RATE_LIMITS) into a
    form error with status 200; the portal answers 429 Too Many Requests instead,
    with the French page templates/429.html, so that clients and proxies see it.
    """

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            if error.code != "too_many_login_attempts":
                raise
            security_event(
                "login.rate_limited",
                request=request,
                email=str(credentials.get("email", "")),
                level=logging.WARNING,
                refusal=True,
                status=429,
            )
            raise ImmediateHttpResponse(ratelimit.respond_429(request)) from error

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mails (address confirmation, password reset...) leave through the
        portal's mail funnel (core/emails.py), written by allauth's templates in the page's
        language, as allauth's own send_mail does."""
        request = allauth_context.request
        rendered = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request)}
            | context,
        )
        html = next(
            (
                content
                for content, mimetype in getattr(rendered, "alternatives", ())
                if mimetype == "text/html"
            ),
            "",
        )
        email_send(
            email_message(
                kind="account",
                subject=rendered.subject,
                body=rendered.body,
                html=html,
                to=rendered.to,
            )
        )

    def get_client_ip(self, request) -> str:
        # allauth's login limits count per address: the same address as the rest of the
        # portal (the trusted-proxy count of core/http.py), not allauth's own reading.
        return client_ip(request) or super().get_client_ip(request)


# --- MFA on the decisions of the COPIL and of the election commission -------------
#
# One mechanism decides (DecisionMFAMiddleware): the admin, and every URL pattern
# declared with ``decision(...)`` beside its route in the apps' urls modules, ask a
# person who holds a decision role for their authenticator app, GET and POST alike.
# Views hold no MFA code of their own; they keep their role checks. The apps mark their
# URLs with core/decisions.py (decision(), copil_required), which stands below them.


def mfa_required_for(user) -> bool:
    """Staff, the COPIL and the election commission act for the whole community: their
    accounts need MFA. The roles come from the groups read once per user object, the
    commission's membership (K3) from one more query for people outside the COPIL."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return is_copil(user) or is_election_commission(user)


def mfa_verified_in_session(request: HttpRequest, user) -> bool:
    """The person used (or activated) their authenticator app in this session."""
    if request.session.get(MFA_ACTIVATED_SESSION_KEY) == str(user.pk):
        return True
    return any(
        record.get("method") == "mfa" for record in get_authentication_records(request, user)
    )


def _return_path(request: HttpRequest) -> str | None:
    """Where the MFA re-authentication comes back to: the page asked for, or, after a
    refused POST (a POST-only URL cannot be opened by a redirect), the page the form
    was on when it is one of the portal's."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return f"{parts.path}?{parts.query}" if parts.query else parts.path
    return None


def mfa_gate(request: HttpRequest) -> HttpResponse | None:
    """A redirect to the MFA pages when the signed-in person still needs MFA, else None.

    Without an authenticator app: to its activation. With one that was not used in
    this session (force-logged, or signed in before activating it elsewhere): to the
    MFA re-authentication, which comes back to the page.
    """
    if not settings.MFA_REQUIRED_FOR_STAFF:
        return None
    user = getattr(request, "user", None)
    if user is None or not mfa_required_for(user):
        return None
    has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    if has_totp and mfa_verified_in_session(request, user):
        return None
    security_event(
        "mfa.required", request=request, user=user, path=safe_path(request), method=request.method
    )
    if not has_totp:
        messages.warning(
            request,
            _(
                "L'administration et les décisions du COPIL et de la commission électorale "
                "demandent la double authentification : activez une application "
                "d'authentification."
            ),
        )
        target = reverse("mfa_activate_totp")
        back = _return_path(request)
        # The activation leads back there once the app is active (views_mfa).
        return HttpResponseRedirect(f"{target}?{urlencode({'next': back})}" if back else target)
    messages.info(
        request, _("Confirmez votre identité avec le code de votre application d'authentification.")
    )
    target = reverse("mfa_reauthenticate")
    back = _return_path(request)
    return HttpResponseRedirect(f"{target}?{urlencode({'next': back})}" if back else target)


class DecisionMFAMiddleware:
    """MFA before the admin and the decisions of the COPIL and the election commission.

    Runs once the URL is resolved (process_view), before the view and its decorators:
    a person holding a decision role who has not used their authenticator app in this
    session is sent to the MFA pages, whatever the method, and nothing is done. People
    without such a role pass: the views refuse them or let them act in their own name.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.MFA_REQUIRED_FOR_STAFF:
            return None
        if not is_decision(request.resolver_match, getattr(request, "urlconf", None)):
            return None
        return mfa_gate(request)


# --- Cache headers and refused accesses ----------------------------------------------


def _is_signed_in(request) -> bool:
    # Use the user already loaded by the view; otherwise the session says it
    # without another query for the user row.
    if hasattr(request, "_cached_user"):
        return request.user.is_authenticated
    session = getattr(request, "session", None)
    return session is not None and SESSION_KEY in session


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on the accounts pages and every signed-in page.

    Pages seen signed in show personal data (names, e-mail addresses, an
    organisation's file); no browser or proxy cache may keep them. A view that set
    its own Cache-Control keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        try:
            accounts_prefix = reverse("account_login").rsplit("/", 2)[0] + "/"
        except NoReverseMatch:
            accounts_prefix = None
        if (accounts_prefix and request.path.startswith(accounts_prefix)) or _is_signed_in(request):
            add_never_cache_headers(response)
        return response


class RefusedAccessLogMiddleware:
    """Log every 403 (PermissionDenied, CSRF) and 429 (rate limits) answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 429) and not getattr(request, _LOGGED_ATTR, False):
            security_event(
                "access.refused",
                request=request,
                level=logging.WARNING,
                status=response.status_code,
                method=request.method,
                path=safe_path(request),
            )
        return response


class NulCharacterMiddleware:
    """Refuse a request whose query string or form fields hold a NUL character.

    No one types one; PostgreSQL refuses them in text and JSON, so letting one through
    would end as a server error wherever a value reaches the database unvalidated.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = [*request.GET.lists(), *(request.POST.lists() if request.method == "POST" else [])]
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in fields):
            security_event("request.nul_character", request=request)
            return render(request, "400.html", status=400)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` on every response: no page uses the camera, the microphone,
    the position, payments or USB devices (settings.PERMISSIONS_POLICY). A view that needs
    one (a QR scanner) sets its own header, which is kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Permissions-Policy"):
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        return response
