"""Correcting the status history by hand (S1): a wrong date, a status recorded by mistake.

History is never overwritten: a correction adds records (reason "Correction de
l'historique"), each signed by the COPIL member, with the written justification, and one
audit entry. The status at a date is the latest record by then (ties: the latest
recorded), so a record added at the moment of the corrected one replaces it from there.

A correction is not a short cut: it cannot touch an exclusion (L4) nor give back a
status during the ban that follows one (I4), end a membership validated on application
(L2, L4), or make an organisation a member (M3 to M6).
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.dates import local_midnight
from core.public_cache import public_pages_changed

from .. import selectors
from ..audit_actions import MembersAudit
from ..constants import (
    ALLOWED_TRANSITIONS,
    STATUSES_WITH_END_DATE,
    Status,
    StatusReason,
)
from ..exceptions import MembersError, TransitionNotAllowed
from ..hooks import MembershipChange, membership_changed
from ..models import Organisation, StatusChange
from ._common import _date, _require_copil
from .registry import RETURN_STATUSES, return_ban_check

# The memberships a correction may annul: taken over from the former registry, or granted
# by the status screen before it was closed to memberships. One validated on application
# ends by resignation or exclusion only (art. 3.4).
ANNULLABLE_MEMBERSHIPS = (StatusReason.IMPORTED, StatusReason.GRANTED)
# The ends of a membership a correction may date earlier: a resignation (L2), or one taken
# over from the former registry. An exclusion is never corrected (L4).
REDATABLE_DEPARTURES = (StatusReason.RESIGNED, StatusReason.IMPORTED)


def _label(change: StatusChange) -> dict:
    return {"status": Status(change.status).label, "date": _date(change.effective_at)}


@transaction.atomic
def organisation_status_correct(
    *,
    organisation: Organisation,
    change: StatusChange,
    status: str,
    effective_on: datetime.date,
    justification: str,
    actor,
    notice_reference: str = "",
    now: datetime.datetime | None = None,
) -> list[StatusChange]:
    """The COPIL corrects one record of the history (S1, G2): the organisation had
    ``status`` from ``effective_on`` until the next record. Returns the records added."""
    _require_copil(actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    justification = (justification or "").strip()
    if not justification:
        raise MembersError(
            _("Indiquez pourquoi l'historique doit être corrigé."), field="justification"
        )
    history = list(
        StatusChange.objects.filter(organisation=organisation).order_by("effective_at", "id")
    )
    position = next((i for i, c in enumerate(history) if c.pk == getattr(change, "pk", None)), None)
    if position is None:
        raise MembersError(
            _("Cet enregistrement n'appartient pas à l'historique de cette entité."), field="change"
        )
    record = history[position]
    previous = history[position - 1] if position > 0 else None
    following = history[position + 1] if position + 1 < len(history) else None
    before = previous.status if previous else Status.NONE
    if record.reason == StatusReason.EXCLUDED:
        # Charter art. 3.4 (L4): the date is the COPIL's decision, notified in writing;
        # the ban of art. 5 (I4) runs from it.
        raise MembersError(
            _(
                "Une exclusion prononcée au terme de la procédure de l'article 3.4 ne se "
                "corrige pas : sa date est celle de la décision du COPIL, notifiée par écrit, "
                "et l'interdiction de l'article 5 court à partir d'elle."
            ),
            field="change",
        )
    if status not in Status.values:
        raise TransitionNotAllowed(field="status")
    if effective_on > today:
        raise MembersError(
            _(
                "Une correction porte sur le passé : pour une décision à venir, suivez la "
                "démarche prévue."
            ),
            field="effective_on",
        )
    if status == Status.MEMBER and record.status != Status.MEMBER:
        # Charter art. 3.1 (M3 to M6).
        raise MembersError(
            _(
                "Une correction ne fait pas d'une entité un membre : l'adhésion passe par une "
                "candidature déposée en ligne avec la signature de la charte, puis validée par "
                "le COPIL (article 3.1)."
            ),
            field="status",
        )
    if (
        record.status == Status.MEMBER
        and status != Status.MEMBER
        and record.reason not in ANNULLABLE_MEMBERSHIPS
    ):
        # Charter art. 3.4 (L2, L4).
        raise MembersError(
            _(
                "Une adhésion validée sur candidature ne s'annule pas : elle prend fin par la "
                "démission, donnée en ligne, ou au terme de la procédure d'exclusion "
                "(article 3.4)."
            ),
            field="status",
        )
    record_day = timezone.localdate(record.effective_at)
    moment = record.effective_at if effective_on == record_day else local_midnight(effective_on)
    if previous is not None and moment <= previous.effective_at:
        raise MembersError(
            _(
                "La date doit suivre celle de l'enregistrement précédent (%(status)s, le "
                "%(date)s) : corrigez d'abord celui-ci."
            )
            % _label(previous),
            field="effective_on",
        )
    if following is not None and moment >= following.effective_at:
        raise MembersError(
            _(
                "La date doit précéder celle de l'enregistrement suivant (%(status)s, le "
                "%(date)s) : corrigez d'abord celui-ci."
            )
            % _label(following),
            field="effective_on",
        )
    if (
        before == Status.MEMBER
        and moment < record.effective_at
        and status != Status.MEMBER
        and record.reason not in REDATABLE_DEPARTURES
    ):
        # Charter art. 3.4 (L2, L4): only a resignation is dated earlier.
        raise MembersError(
            _(
                "Une correction n'avance la fin d'une adhésion que pour dater une démission ; "
                "une exclusion suit la procédure de l'article 3.4."
            ),
            field="effective_on",
        )

    # What to add: the corrected status from its date; the status before the record over
    # the days the record wrongly covered, when its true date is later.
    if moment == record.effective_at:
        writes = [(moment, status)] if status != record.status else []
    elif moment < record.effective_at:
        writes = [(moment, status)] if status != before else []
        if status != record.status:
            writes.append((record.effective_at, status))
    else:
        writes = [(record.effective_at, before)] if before != record.status else []
        if status != before:
            writes.append((moment, status))
    if not writes:
        raise MembersError(
            _("Rien à corriger : l'historique donne déjà ce statut à cette date."), field="status"
        )

    # S1: the corrected history passes only through transitions the charter allows.
    sequence = [before, *(s for _moment, s in writes)]
    if following is not None:
        sequence.append(following.status)
    steps = [s for i, s in enumerate(sequence) if i == 0 or s != sequence[i - 1]]
    for left, right in zip(steps, steps[1:], strict=False):
        if right not in ALLOWED_TRANSITIONS.get(left, set()):
            raise TransitionNotAllowed(
                _(
                    "Après correction, l'historique passerait du statut « %(from)s » au statut "
                    "« %(to)s », ce que la charte ne permet pas."
                )
                % {"from": Status(left).label, "to": Status(right).label},
                field="status",
            )
    identity = selectors.organisation_identity(organisation=organisation)
    for when, written in writes:
        if written in RETURN_STATUSES:
            # Charter art. 5 (I4): no status back during the ban, under any name.
            return_ban_check(
                candidate=identity,
                on=timezone.localdate(when),
                purpose="invitation" if written == Status.INVITEE else "status",
            )

    current = selectors.organisation_status(organisation=organisation, at=now)
    created = []
    for when, written in writes:
        if written == record.status:
            ends_on = record.ends_on
        elif previous is not None and written == previous.status:
            ends_on = previous.ends_on
        else:
            ends_on = None
        created.append(
            StatusChange.objects.create(
                organisation=organisation,
                status=written,
                reason=StatusReason.CORRECTED,
                effective_at=when,
                ends_on=ends_on if written in STATUSES_WITH_END_DATE else None,
                decided_by=actor if getattr(actor, "pk", None) else None,
                explanation=justification,
                notice_reference=notice_reference.strip(),
                recorded_at=now,
            )
        )
    public_pages_changed()  # S2: the directory reads the corrected history
    audit_log(
        action=MembersAudit.STATUS_CORRECTED,
        actor=actor,
        target=organisation,
        data={
            "corrected": {
                "record": record.pk,
                "status": record.status,
                "effective_on": record_day.isoformat(),
            },
            "correction": {"status": status, "effective_on": effective_on.isoformat()},
            "justification": justification,
            "notice": notice_reference.strip(),
            "records": [c.pk for c in created],
        },
        now=now,
    )
    latest = selectors.organisation_status(organisation=organisation, at=now)
    if latest != current:
        # The present status changed: what follows a change of membership follows now
        # (members/hooks.py), as after any decision.
        in_force = max(created, key=lambda c: (c.effective_at, c.pk))
        membership_changed(
            change=MembershipChange(
                organisation=organisation,
                change=in_force,
                previous_status=current,
                actor=actor,
                now=now,
            )
        )
    return created
