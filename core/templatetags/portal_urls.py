"""``{% fixed_url 'name' %}``: the address of a URL without arguments, reversed once.

The layout (templates/base.html) links to some fifteen pages on every page; reversing
each of them for every rendering cost more than the rest of the layout. A URL without
arguments depends only on the URL configuration, the script prefix and, with translated
patterns, the language: the address is kept per process under those.
"""

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()

_reversed: dict[tuple, str] = {}


@register.simple_tag
def fixed_url(viewname: str) -> str:
    key = (viewname, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), get_language())
    url = _reversed.get(key)
    if url is None:
        url = _reversed[key] = reverse(viewname)
    return url
