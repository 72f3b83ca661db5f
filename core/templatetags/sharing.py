"""What search engines and social networks read from a page: OpenGraph and Twitter tags,
the canonical address, schema.org JSON-LD, and machine-readable dates.

Addresses are absolute on SITE_URL (core.site), never on the request's host. A page gives
its own title, description and image with ``{% block share %}{% share_tags ... %}``; the
others share the portal's card (static/img/site-card.png, made by
docs/images/make_site_images.py).
"""

import datetime
import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.site import absolute_url

register = template.Library()

SITE_CARD = "img/site-card.png"
SITE_CARD_SIZE = (1200, 630)
# json_script's escapes: no "<", ">" or "&" can close the <script> element early.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def site_card_url() -> str:
    return absolute_url(static(SITE_CARD))


@register.inclusion_tag("includes/share_tags.html", takes_context=True)
def share_tags(context, title="", description="", image="", image_alt="", kind="website"):
    """OpenGraph and Twitter tags of the page; the portal's card when no image is given."""
    request = context.get("request")
    english = (get_language() or "fr").startswith("en")
    site_name = _("Portail COS-GE")
    card = {"url": image, "width": None, "height": None} if image else None
    if card is None:
        width, height = SITE_CARD_SIZE
        card = {"url": site_card_url(), "width": width, "height": height}
    return {
        "title": title or site_name,
        "site_name": site_name,
        "description": Truncator(
            description
            or _("Communauté des Offreurs de Solutions industrie du futur en Grand Est.")
        ).chars(200),
        "url": absolute_url(request.path if request is not None else "/"),
        "kind": kind,
        "locale": "en_GB" if english else "fr_FR",
        "alternate_locale": "fr_FR" if english else "en_GB",
        "image": card,
        "image_alt": image_alt
        or _("COS-GE — Communauté des Offreurs de Solutions industrie du futur en Grand Est"),
    }


@register.simple_tag
def json_ld(data) -> str:
    """``data`` as a ``<script type="application/ld+json">``, escaped as json_script does."""
    text = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder).translate(_JSON_ESCAPES)
    # The JSON cannot close the element: "<", ">" and "&" are escaped just above.
    # nosemgrep: portal-mark-safe
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308 # nosec B308 B703


@register.filter
def iso8601(value) -> str:
    """A date or a time as HTML's ``datetime`` attribute wants it: to the second, with
    the offset of the portal's time zone (``2026-03-05T18:30:00+01:00``)."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""
