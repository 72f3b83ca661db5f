from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.health import health_report
from core.public_cache import public_cache
from members import selectors as member_selectors
from members import services as member_services


@require_GET
@public_cache()  # the community's counts change with the statuses (S2)
def home(request):
    return render(request, "home.html", {"counts": member_selectors.community_counts()})


@never_cache
@require_GET
def healthz(request):
    healthy, report = health_report()
    return JsonResponse(
        {"status": "ok" if healthy else "error", **report}, status=200 if healthy else 503
    )


def set_language(request):
    """Django's language switch (cookie, safe ``next``), which also records the choice on
    the signed-in person so that the e-mails sent to them follow it (ARCHITECTURE §10)."""
    response = i18n.set_language(request)
    language = request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER)
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
    ):
        member_services.user_language_set(user=request.user, language=language)
    return response
