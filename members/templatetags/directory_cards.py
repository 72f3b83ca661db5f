"""The directory's cards, written in Python: twenty of them on each page, rendered on every
uncached directory page, cost a template engine more than the rest of the page. The HTML
is the one the directory's templates wrote; every value is escaped (the translations are
not, as ``{% translate %}`` leaves them).
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()


def _status_badge(card) -> str:
    if card.is_member:
        return f'<span class="badge text-bg-primary">{gettext("Membre")}</span>'
    return f'<span class="badge text-bg-success">{gettext("Partenaire")}</span>'


@register.simple_tag
def directory_card(card, site_url: str) -> SafeString:
    """One ``<li>`` of the directory's list (members/directory.html)."""
    url = escape(card.url)
    facts = ""
    if card.places:
        facts += (
            f"\n              <dt>{gettext('Implantations')}</dt>"
            f"\n              <dd>{escape(card.places_text)}</dd>"
        )
    if card.categories:
        items = "".join(
            f'<li class="list-inline-item badge text-bg-light border">{escape(name)}</li>'
            for name in card.categories
        )
        label = gettext("Catégories d'offre")
        facts += (
            f"\n              <dt>{label}</dt>"
            f'\n              <dd><ul class="list-inline mb-0">{items}</ul></dd>'
        )
    return SafeString(  # nosemgrep: portal-mark-safe  # nosec B308 B703
        f"""<li>
        <article class="card org-card">
          <div class="card-body">
            <h2 class="h5"><a href="{url}">{escape(card.legal_name)}</a></h2>
            <p class="print-url d-none mb-1">{escape(site_url)}{url}</p>
            <p class="card-subtitle mb-2">
              {_status_badge(card)}
              <span class="text-body-secondary">{escape(card.kind_label)}</span>
            </p>
            <dl class="org-card-facts mb-0">{facts}
            </dl>
          </div>
        </article>
      </li>"""
    )


@register.simple_tag
def directory_embed_item(card, site_url: str) -> SafeString:
    """One ``<li>`` of the embedded directory's list (members/directory_embed.html)."""
    status = gettext("Membre") if card.is_member else gettext("Partenaire")
    return SafeString(  # nosemgrep: portal-mark-safe  # nosec B308 B703
        f'<li class="border-bottom py-1">\n'
        f'      <a href="{escape(site_url)}{escape(card.url)}" target="_blank" rel="noopener">'
        f"{escape(card.legal_name)}"
        f'<span class="visually-hidden"> {gettext("(nouvel onglet)")}</span></a>\n'
        f'      <span class="small text-body-secondary">— {status}'
        f"{escape(card.cities_text)}</span>\n"
        f"    </li>"
    )
