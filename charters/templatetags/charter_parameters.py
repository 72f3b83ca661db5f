"""``{% charter_parameters as parameters %}``: the charter's numbers in any template.

RULES.md: the bold numbers of the rule book are parameters of the charter version, never
literals. A template that states one ("5 sièges", "12 mois") reads it here, from the
version in force on the given day (today by default), so that a revised charter changes
the text with the rule. Views that already pass ``parameters`` need not use it.
"""

import datetime

from django import template
from django.utils import timezone

from charters.constants import CharterParameters
from charters.selectors import charter_parameters as parameters_on

register = template.Library()


@register.simple_tag
def charter_parameters(on: datetime.date | datetime.datetime | None = None) -> CharterParameters:
    """The parameters of the version in force on ``on`` (a date, or a moment read in the
    portal's time zone); V1 R001's values before any version. Anything else (a missing
    variable renders as "") means today, as templates fail silently on missing values."""
    if not isinstance(on, datetime.date):
        on = None
    elif isinstance(on, datetime.datetime):
        on = timezone.localdate(on) if timezone.is_aware(on) else on.date()
    return parameters_on(on=on)
