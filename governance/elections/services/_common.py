"""What the steps of an election share: date formatting, the election commission's
role (V12), locking an election and checking its status, membership at a moment."""

from __future__ import annotations

import datetime

from django.utils import formats
from django.utils.translation import gettext as _

from governance.elections import selectors
from governance.elections.models import Election
from governance.exceptions import ElectionsError
from members.constants import Status
from members.models import Organisation
from members.selectors import organisation_status


def _fmt(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


# --- Roles --------------------------------------------------------------------------------


def _require_commission(actor) -> None:
    # Charter art. 6.2, 8 (V12): the election commission runs the ballot.
    if not selectors.is_election_commission(actor):
        raise ElectionsError(_("Seule la commission électorale peut faire cela."))


def _lock(election: Election) -> Election:
    return Election.objects.select_for_update().get(pk=election.pk)


def _require_status(election: Election, *statuses: str) -> None:
    if election.status not in statuses:
        raise ElectionsError(
            _("Impossible à ce stade de l'élection (%(status)s).")
            % {"status": election.get_status_display()}
        )


def _is_member(organisation: Organisation, now) -> bool:
    return organisation_status(organisation=organisation, at=now) == Status.MEMBER
