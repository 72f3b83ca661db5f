import os

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def bench_floor(request):
    """The framework's floor: a trivial response through the portal's whole middleware stack."""
    if os.environ.get("BENCH_FLOOR") != "1":
        raise Http404
    return HttpResponse("floor", content_type="text/plain; charset=utf-8")
