"""PDF rendering with WeasyPrint, shared by every app (certificates, letters, minutes).

Templates carry their own CSS (a ``<style>`` block: a PDF is never served as HTML, so the
web CSP does not apply). The fetcher only allows ``data:`` URLs: rendering never
reads the network nor the file system, whatever a template or a user-typed text holds.
"""

import logging

from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

# WeasyPrint logs its progress and every CSS property it ignores (some at import time:
# it is imported lazily, after these levels are set); keep the application logs readable.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def html_to_pdf(html: str, *, metadata: dict | None = None) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    document = HTML(string=html, base_url="data:,", url_fetcher=fetcher).render()
    for key, value in (metadata or {}).items():
        setattr(document.metadata, key, value)
    return document.write_pdf()


def render_pdf(
    template_name: str,
    context: dict,
    *,
    language: str = "fr",
    metadata: dict | None = None,
) -> bytes:
    """Render ``template_name`` in the recipient's ``language`` to PDF bytes."""
    with translation.override(language):
        html = render_to_string(template_name, context)
    return html_to_pdf(html, metadata=metadata)
