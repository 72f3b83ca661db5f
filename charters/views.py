from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import charter_version_in_force


@require_GET
def charter_current(request):
    return render(request, "charters/current.html", {"version": charter_version_in_force()})
