"""Personal data pages: the privacy notice, the download of one's data, erasure (GDPR)."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.throttle import PasswordRetries
from members import services as member_services
from members.exceptions import MembersError

from .forms import ErasureForm
from .privacy import personal_data_export

# Password attempts on the erasure form before a pause (brute-force guard).
ERASURE_RETRIES = PasswordRetries("privacy:erase-failures")


@require_GET
def policy(request):
    return render(request, "privacy/policy.html", {"copil_email": settings.COPIL_EMAIL})


@never_cache
@login_required
@require_GET
def my_data(request):
    return render(request, "privacy/my_data.html")


@never_cache
@login_required
@require_GET
def export(request):
    now = timezone.now()
    data = personal_data_export(user=request.user, now=now)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False),
        content_type="application/json; charset=utf-8",
    )
    filename = f"mes-donnees-cos-ge-{timezone.localdate(now):%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def erase(request):
    form = ErasureForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if ERASURE_RETRIES.exhausted(request.user):
            form.is_valid()
            form.errors.clear()
            form.add_error(
                None,
                _("Trop d'essais de mot de passe : réessayez dans un quart d'heure."),
            )
        elif form.is_valid():
            user = request.user
            try:
                member_services.person_erase(user=user, actor=user)
            except MembersError as error:
                form.add_error(None, error.message)
            else:
                ERASURE_RETRIES.succeeded(user)
                logout(request)
                messages.success(
                    request,
                    _("Votre compte est effacé. Merci d'avoir participé à la COS-GE."),
                )
                return redirect("home")
        elif "password" in form.errors:
            ERASURE_RETRIES.failed(request.user)
    return render(
        request,
        "privacy/erase.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
