"""The "Élections" link of the main navigation, for the people who may see elections."""

from django import template

from governance.elections import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def elections_link_visible(context) -> bool:
    """Members' representatives, the election commission and the COPIL (once per request;
    a member's representation answers in one query). A page that already knows the person
    represents a member says so in its context (``represents_member``): no query."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    visible = getattr(request, "_elections_link_visible", None)
    if visible is None and context.get("represents_member"):
        visible = True
    if visible is None:
        visible = selectors.can_see_elections(user)
        request._elections_link_visible = visible
    return visible
