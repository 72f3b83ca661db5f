from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .models import Organisation


@require_GET
def directory(request):
    page = Paginator(selectors.directory_list(), 20).get_page(request.GET.get("page"))
    return render(request, "members/directory.html", {"page": page})


@require_GET
def organisation_detail(request, slug):
    try:
        organisation = selectors.directory_get(slug=slug)
    except Organisation.DoesNotExist as error:
        raise Http404 from error
    return render(request, "members/organisation_detail.html", {"organisation": organisation})
