"""The activation of an authenticator app that leads back to where the person was going.

The MFA gate (cos_portal/security.py) sends a COPIL member, a member of the election
commission or a staff member without an authenticator app to its activation with the page
they asked for in ``next``. allauth's activation form posts to its own URL without the
query string and then shows a generic page; this view keeps ``next`` in the session
across allauth's password confirmation and the form, and returns there once the app is
active (the recovery codes stay one click away, in the message shown).
"""

from __future__ import annotations

from allauth.mfa.totp.views import ActivateTOTPView
from django.contrib import messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

MFA_NEXT_SESSION_KEY = "cos_portal.mfa_next"


def safe_next(request: HttpRequest, value: str | None) -> str | None:
    """``value`` when it is a path of this site, else None (no open redirect)."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


class ActivateTOTPReturningView(ActivateTOTPView):
    def dispatch(self, request, *args, **kwargs):
        target = safe_next(request, request.GET.get("next"))
        if target:
            request.session[MFA_NEXT_SESSION_KEY] = target
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self) -> str:
        target = safe_next(self.request, self.request.session.pop(MFA_NEXT_SESSION_KEY, None))
        if target is None:
            return super().get_success_url()
        if self.did_generate_recovery_codes:
            messages.info(
                self.request,
                _(
                    "Application d'authentification activée. Notez vos codes de secours, "
                    "affichés dans votre compte : %(url)s"
                )
                % {"url": reverse("mfa_view_recovery_codes")},
            )
        return target


activate_totp = ActivateTOTPReturningView.as_view()
