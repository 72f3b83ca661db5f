"""A test-only URLconf: the portal's URLs plus views that fail or are decisions."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path

from core.decisions import decision
from cos_portal.urls import urlpatterns as portal_urlpatterns


def boom(request):
    raise RuntimeError("une panne imprévue")


def forbidden(request):
    raise PermissionDenied


def copil_decision(request):
    return HttpResponse("décision")


def not_a_decision(request):
    return HttpResponse("lecture")


urlpatterns = [
    path("test/panne/", boom),
    path("test/interdit/", forbidden),
    # The view knows nothing of MFA: declaring the URL a decision is enough.
    decision(path("test/decision-copil/", copil_decision, name="test_decision")),
    path("test/lecture/", not_a_decision, name="test_not_a_decision"),
    *portal_urlpatterns,
]
