"""The COPIL's cockpit (/copil/): what waits for a decision, read by cos_portal/cockpit.py;
its panel of deadlines apart, loaded by the page once shown."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .cockpit import can_open_cockpit, copil_cockpit, copil_cockpit_deadlines


def _require_cockpit(request) -> None:
    if not can_open_cockpit(request.user):
        raise PermissionDenied(_("Page réservée au COPIL et à son équipe."))


@never_cache
@login_required
@require_GET
def cockpit(request):
    _require_cockpit(request)
    return render(request, "cos_portal/cockpit.html", copil_cockpit(user=request.user))


@never_cache
@require_GET
def cockpit_deadlines(request):
    """The panel of deadlines that the cockpit and the admin's index load (htmx) in place
    of their placeholder; ``titre=3``: its heading one level down (the admin's index)."""
    if request.htmx and not request.user.is_authenticated:
        # The session ended while the page was open: htmx reloads the page, which leads to
        # the login form, instead of putting that form in the panel's place.
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return _cockpit_deadlines(request)


@login_required
def _cockpit_deadlines(request):
    _require_cockpit(request)
    context = copil_cockpit_deadlines(user=request.user)
    context["heading"] = 3 if request.GET.get("titre") == "3" else 2
    return render(request, "cos_portal/includes/cockpit_deadlines.html", context)
