"""The COPIL's cockpit (/copil/): what waits for a decision, read by cos_portal/cockpit.py."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .cockpit import can_open_cockpit, copil_cockpit


@never_cache
@login_required
@require_GET
def cockpit(request):
    if not can_open_cockpit(request.user):
        raise PermissionDenied(_("Page réservée au COPIL et à son équipe."))
    return render(request, "cos_portal/cockpit.html", copil_cockpit(user=request.user))
