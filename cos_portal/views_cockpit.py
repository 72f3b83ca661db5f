"""The COPIL's cockpit (/copil/): what waits for a decision, read by cos_portal/cockpit.py;
its panel of deadlines apart, loaded by the page once shown."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
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
@login_required
@require_GET
def cockpit_deadlines(request):
    """The panel of deadlines that the cockpit and the admin's index load (htmx) in place
    of their placeholder; ``titre=3``: its heading one level down (the admin's index)."""
    _require_cockpit(request)
    context = copil_cockpit_deadlines(user=request.user)
    context["heading"] = 3 if request.GET.get("titre") == "3" else 2
    return render(request, "cos_portal/includes/cockpit_deadlines.html", context)
