"""The "Créer" menu of the main navigation: the guided flows each role may start
(an activity, an election, a new charter version), from the groups already read for
the page (no query of its own)."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from activities.selectors import can_create_activity
from core.roles import is_copil, user_role_names
from members.constants import Role

register = template.Library()


@register.simple_tag(takes_context=True)
def flow_links(context) -> list[tuple[str, str]]:
    """(URL, label) of each flow the signed-in person may start; the election commission
    is recognised here by its group (its other members find the link on the elections page)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    links = []
    if can_create_activity(user):
        links.append((reverse("activities:create"), _("Une activité")))
    if user.is_superuser or Role.ELECTION_COMMISSION in user_role_names(user):
        links.append((reverse("elections:create"), _("Une élection du COPIL")))
    if is_copil(user):
        links.append(
            (reverse("commissions:charter_version_new"), _("Une nouvelle version de la charte"))
        )
    return links
