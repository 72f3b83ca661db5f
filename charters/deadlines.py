"""The charter's deadlines (core/deadlines.py): re-signature (X4), end of a version (X1).

Imported from ChartersConfig.ready(). charters imports neither members nor governance
(see charters/selectors.py); the reads below go through its selectors.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.deadlines import (
    Deadline,
    copil_user_ids,
    deadline_label,
    deadline_now,
    deadline_source,
    viewer_fact,
)
from core.roles import copil_group

from . import organisations, selectors
from .constants import EXPIRY_REMINDER_DAYS, RESIGNATURE_REMINDER_DAYS

# X4: reminders 0, 30, 60 and 90 days after the organisation started to owe the signature;
# the deadline is the last of them, the offsets count back from it.
RESIGNATURE_DEADLINE_DAYS = max(RESIGNATURE_REMINDER_DAYS)
RESIGNATURE_OFFSETS = tuple(RESIGNATURE_DEADLINE_DAYS - days for days in RESIGNATURE_REMINDER_DAYS)


RESIGNATURE_HINT = _(
    "Un signataire autorisé de l'entité signe la charte (page « Signer la charte ») ; "
    "l'entité sans signataire autorisé en fait désigner un par le COPIL, qui coche "
    "« signataire autorisé » sur la fiche de son représentant."
)


# X4 for a viewer: since when each of their organisations holds a status that owes the
# charter, read with their representations (members' status history, one query less).
viewer_fact(
    "charter_owing_since",
    lambda moment: organisations.status_held_since_subquery(
        statuses=selectors.SIGNATURE_OWING_STATUSES, at=moment, of="organisation_id"
    ),
)


@deadline_source(
    "charters.resignature", label=_("Signature de la charte en vigueur"), required=True
)
def resignature_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """Charter art. 10 (X4): every organisation that owes a signature of the version in
    force; its authorised signatories act (all its representatives when it has none).
    For a viewer: their organisations only, from what the viewer knows of them."""
    if viewer is not None:
        yield from _viewer_resignature_deadlines(start=start, end=end, viewer=viewer)
        return
    # Due RESIGNATURE_DEADLINE_DAYS after it is owed: only those owing it since a day
    # that puts the deadline in the window are read.
    delay = datetime.timedelta(days=RESIGNATURE_DEADLINE_DAYS)
    rows = selectors.signatures_owed(
        at=deadline_now(),
        with_representatives=True,
        with_reminders=False,
        people_as_ids=True,
        owed_since_between=(start - delay, end - delay),
    )
    for row in rows:
        due = row.owed_since + delay
        if not start <= due <= end:
            continue
        # Only an authorised signatory signs (charter art. 3.1): with none, the
        # representatives are told how to get one, and the link is not offered to them.
        actors = tuple(row.signatories)  # user ids (people_as_ids)
        informed = () if actors else tuple(row.representatives)
        if not actors and not informed:
            continue  # M9: the organisation with no representative has its own deadline
        yield _resignature_deadline(
            version=row.version,
            organisation_id=row.organisation.pk,
            organisation_name=row.organisation.legal_name,
            due=due,
            actors=actors,
            informed=informed,
        )


def _viewer_resignature_deadlines(*, start, end, viewer):
    """The viewer's organisations that owe a signature, where they sign (an authorised
    signatory) or are told (none has one); two queries besides the version in force."""
    concerned = {
        pk: viewer.organisations[pk]
        for pk in viewer.organisations_with(selectors.SIGNATURE_OWING_STATUSES)
        if pk in viewer.signatory_of or pk not in viewer.with_signatory
    }
    if not concerned:
        return
    version, owed = selectors.signatures_owed_since(
        statuses=concerned, at=deadline_now(), held_since=viewer.fact("charter_owing_since")
    )
    for pk, owed_since in sorted(owed.items()):
        due = owed_since + datetime.timedelta(days=RESIGNATURE_DEADLINE_DAYS)
        if not start <= due <= end:
            continue
        signs = pk in viewer.signatory_of
        yield _resignature_deadline(
            version=version,
            organisation_id=pk,
            organisation_name=viewer.names.get(pk, ""),
            due=due,
            actors=(viewer.user_id,) if signs else (),
            informed=() if signs else (viewer.user_id,),
        )


def _resignature_deadline(*, version, organisation_id, organisation_name, due, actors, informed):
    return Deadline(
        key=f"charters.resignature:{version.pk}:org:{organisation_id}",
        kind="charters.resignature",
        label=deadline_label(
            _("Signer la charte %(label)s pour %(organisation)s"),
            label=version.label,
            organisation=organisation_name,
        ),
        due=due,
        act_url="/charte/signer/",
        actors=actors,
        informed=informed,
        offsets=RESIGNATURE_OFFSETS,
        required=True,
        organisation_id=organisation_id,
        act_hint=RESIGNATURE_HINT,
    )


@deadline_source("charters.version_end", label=_("Fin de la version de la charte"), required=True)
def version_end_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """Charter art. 10 (X1): the COPIL is reminded before the last published version ends
    (at the latest on the date its parameters set), so that a revision is adopted in time."""
    if viewer is not None and not viewer.has_role(copil_group()):
        return
    latest = selectors.charter_version_latest(on=timezone.localdate(deadline_now()))
    if latest is None or not start <= latest.end_date <= end:
        return
    copil = copil_user_ids()
    yield Deadline(
        key=f"charters.version_end:{latest.pk}",
        kind="charters.version_end",
        label=deadline_label(_("Fin de la charte %(label)s"), label=latest.label),
        due=latest.end_date,
        act_url="/revision/",
        actors=copil,
        informed=(),
        offsets=EXPIRY_REMINDER_DAYS,
        required=True,
    )
