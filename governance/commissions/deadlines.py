"""Deadlines of commissions (core/deadlines.py): an ad hoc commission's end date (K1).

Imported from GovernanceConfig.ready(). Each source reads in a constant number of queries.
"""

import datetime

from django.utils.translation import gettext_lazy as _

from core.deadlines import Deadline, copil_user_ids, deadline_label, deadline_source
from core.roles import copil_group

from .models import Commission, CommissionStatus


@deadline_source("governance.commission_end", label=_("Fin d'une commission"), required=False)
def commission_end_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """Charter art. 8 (K1): an ad hoc commission ends on its date; its facilitator
    prepares the final report, the COPIL is informed."""
    commissions = Commission.objects.filter(
        status=CommissionStatus.ACTIVE, end_date__range=(start, end)
    ).select_related("facilitator")
    outside = viewer is not None and not viewer.has_role(copil_group())
    if outside:  # a person's list: the commissions they facilitate
        commissions = commissions.filter(facilitator__user_id=viewer.user_id)
    commissions = list(commissions)
    if not commissions:
        return
    copil = () if outside else copil_user_ids()
    for commission in commissions:
        facilitator = (commission.facilitator.user_id,) if commission.facilitator else ()
        yield Deadline(
            key=f"governance.commission_end:{commission.pk}:{commission.end_date.isoformat()}",
            kind="governance.commission_end",
            label=deadline_label(_("Fin de la commission %(name)s"), name=commission.name),
            due=commission.end_date,
            act_url=commission.get_absolute_url(),
            actors=facilitator or copil,
            informed=copil if facilitator else (),
            offsets=(30, 7, 0),
            required=False,
            act_hint=_(
                "L'animateur de la commission dépose son rapport final sur la page de la "
                "commission ; le COPIL le lit et clôt la commission."
            ),
        )
