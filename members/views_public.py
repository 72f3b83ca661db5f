"""The directory as open data and as a page other sites may frame (issue 10).

/annuaire.csv, /annuaire-fr.csv (semicolons) and /annuaire.json hold what the public pages
show, described by /annuaire.schema.json and /annuaire.datapackage.json (members/open_data.py);
/annuaire/integration/ is the directory for an iframe on the sites listed in
DIRECTORY_EMBED_ORIGINS, which also receive CORS on the JSON export. Every other page keeps
``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``.
"""

import functools
import json

from csp.decorators import csp_replace
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from core.public_cache import public_cache
from core.site import absolute_url, site_root

from . import open_data, selectors
from .filters import DirectoryFilter
from .views import DIRECTORY_PAGE_SIZE, DIRECTORY_PARAMS


def embed_origins() -> list[str]:
    return [origin.rstrip("/") for origin in settings.DIRECTORY_EMBED_ORIGINS]


def with_cors(view):
    """Access-Control-Allow-Origin for the listed sites only: the Origin is echoed when it
    is one of them, and ``Vary: Origin`` tells caches the answer depends on it."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        origin = request.headers.get("Origin", "")
        if origin and origin in embed_origins():
            response["Access-Control-Allow-Origin"] = origin
        vary = [v for v in (response.get("Vary") or "").split(", ") if v]
        response["Vary"] = ", ".join([*vary, "Origin"])
        return response

    return wrapper


def embeddable(view):
    """Let the listed sites frame the view: its own ``frame-ancestors`` (django-csp's
    per-view override) and no X-Frame-Options. With no site listed it stays unframeable."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        origins = embed_origins()
        if not origins:
            return view(request, *args, **kwargs)
        framed = csp_replace({"frame-ancestors": origins})(view)
        return xframe_options_exempt(framed)(request, *args, **kwargs)

    return wrapper


@require_GET
@with_cors
@public_cache()
def directory_json(request):
    generated_at = timezone.now()
    body = open_data.json_indented(
        {
            "metadonnees": open_data.export_metadata(generated_at=generated_at),
            "source": absolute_url(reverse("members:directory")),
            "entites": open_data.directory_records(),
        }
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _dated(response, "json", disposition="inline", generated_at=generated_at)


def _csv_response(*, delimiter: str, stem: str) -> HttpResponse:
    generated_at = timezone.now()
    body = open_data.directory_csv(open_data.directory_records(), delimiter=delimiter)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    return _dated(response, "csv", stem=stem, generated_at=generated_at)


def _dated(
    response, extension: str, *, generated_at, disposition="attachment", stem="annuaire-cos-ge"
):
    """The generation date of an export, as its Last-Modified and in its file name."""
    filename = open_data.export_filename(stem, extension, generated_at=generated_at)
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Last-Modified"] = http_date(generated_at.timestamp())
    return response


@require_GET
@public_cache()
def directory_csv(request):
    """The CSV for programs: comma separated."""
    return _csv_response(delimiter=",", stem="annuaire-cos-ge")


@require_GET
@public_cache()
def directory_csv_fr(request):
    """The same CSV for spreadsheets set up in French: semicolon separated."""
    return _csv_response(delimiter=";", stem="annuaire-cos-ge-fr")


@require_GET
@with_cors
@public_cache()
def directory_schema(request):
    """The Table Schema of the CSV files (the file of docs/open-data/, with its address)."""
    body = open_data.schema_json(open_data.published_schema())
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@require_GET
@with_cors
@public_cache()
def directory_datapackage(request):
    """The Data Package: both CSV files, their dialect and their schema."""
    package = open_data.data_package(generated_at=timezone.now())
    body = json.dumps(package, ensure_ascii=False, indent=2)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@require_GET
@embeddable
@public_cache(params=DIRECTORY_PARAMS)
def directory_embed(request):
    """The directory for an iframe: search and list, links open outside the frame."""
    filterset = DirectoryFilter(request.GET or None, queryset=selectors.directory_list())
    rows = filterset.qs.prefetch_related(None).values_list(*selectors.DIRECTORY_CARD_VALUES)
    page = Paginator(rows, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/directory_embed.html",
        {
            "filterset": filterset,
            "page": page,
            "cards": selectors.directory_cards(page.object_list),
            "page_range": page.paginator.get_elided_page_range(page.number),
            "site_url": site_root(),
        },
    )
