"""A test-only URLconf: the portal's URLs plus views that fail or need MFA."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path

from cos_portal.security import require_mfa
from cos_portal.urls import urlpatterns as portal_urlpatterns


def boom(request):
    raise RuntimeError("une panne imprévue")


def forbidden(request):
    raise PermissionDenied


@require_mfa
def copil_decision(request):
    return HttpResponse("décision")


urlpatterns = [
    path("test/panne/", boom),
    path("test/interdit/", forbidden),
    path("test/decision-copil/", copil_decision),
    *portal_urlpatterns,
]
