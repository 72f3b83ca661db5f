"""PDF rendering with WeasyPrint, shared by every app (certificates, letters, minutes).

Templates carry their own CSS (a ``<style>`` block: a PDF is never served as HTML, so the
web CSP does not apply). The fetcher only allows ``data:`` URLs: rendering never
reads the network nor the file system, whatever a template or a user-typed text holds.

Every PDF is archival and accessible: PDF/A-3a (ISO 19005-3, level A: PDF/A-3u plus a
structure tree), which is also declared PDF/UA-1 (ISO 14289-1) in its XMP metadata, with
the document's language (``/Lang``) and a title shown by readers (``DisplayDocTitle``).
PDF/A-3 rather than PDF/A-2: a later version may attach the signature's evidence as a file.
"""

import functools
import io
import logging

from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

# WeasyPrint logs its progress and every CSS property it ignores (some at import time:
# it is imported lazily, after these levels are set); keep the application logs readable.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)

PDF_VARIANT = "pdf/a-3a"
OUTPUT_INTENT = "portal-srgb"

# PDF/A only allows XMP properties of its predefined schemas or of schemas described in
# the file (ISO 19005-3, 6.6.2.3): the PDF/UA identifier comes with its description.
PDFUA_XMP = b"""<rdf:Description rdf:about=""
 xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
 xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>
"""


def _declare_pdfua(_document, pdf) -> None:
    """Add the PDF/UA-1 identifier to the XMP packet WeasyPrint wrote for PDF/A."""
    reference = int(pdf.catalog["Metadata"].split()[0])
    stream = pdf.objects[reference]
    packet = b"".join(stream.stream)
    stream.stream = [packet.replace(b"</rdf:RDF>", PDFUA_XMP + b"</rdf:RDF>", 1)]


@functools.cache
def _srgb_profile() -> bytes:
    from importlib.resources import files

    return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


def _add_output_intent(document) -> str:
    """PDF/A's output intent: WeasyPrint's sRGB profile, read once and closed (WeasyPrint
    would open the file for each PDF and leave it to the garbage collector)."""
    from weasyprint.css import ColorProfile

    profile = ColorProfile(
        io.BytesIO(_srgb_profile()), "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"])
    )
    document.color_profiles[OUTPUT_INTENT] = profile
    return OUTPUT_INTENT


def html_to_pdf(html: str, *, metadata: dict | None = None, language: str = "") -> bytes:
    """PDF/A-3a + PDF/UA-1 bytes of ``html``; ``language`` overrides ``<html lang>``."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    document = HTML(string=html, base_url="data:,", url_fetcher=fetcher).render()
    for key, value in (metadata or {}).items():
        setattr(document.metadata, key, value)
    document.metadata.lang = language or document.metadata.lang or "fr"
    return document.write_pdf(
        pdf_variant=PDF_VARIANT,
        output_intent=_add_output_intent(document),
        finisher=_declare_pdfua,
    )


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
    return html_to_pdf(html, metadata=metadata, language=language)
