"""Tally and results (V8): ranking, ties, publication."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from governance.audit_actions import ElectionsAudit
from governance.elections import selectors
from governance.elections.models import (
    Candidacy,
    Election,
    ElectionStatus,
    Mandate,
    MandateEndReason,
)
from governance.exceptions import ElectionsError

from ._common import _lock, _require_commission, _require_status
from .seats import mandate_end, mandate_start, seats_to_renew

# --- Tally and results (V8) ---------------------------------------------------------------


@dataclass(frozen=True)
class Ranking:
    elected: list[int]
    tied: list[int]
    tied_seats: int

    @property
    def has_tie(self) -> bool:
        return bool(self.tied)


def rank_candidates(votes: dict[int, int], seats: int) -> Ranking:
    """V8: elected in decreasing order of votes until the seats are filled; a tie for
    the last seat leaves the tied candidates and the seats they compete for."""
    ordered = sorted(votes.items(), key=lambda item: -item[1])
    if len(ordered) <= seats:
        return Ranking(elected=[c for c, _v in ordered], tied=[], tied_seats=0)
    last = ordered[seats - 1][1]
    if ordered[seats][1] != last:
        return Ranking(elected=[c for c, _v in ordered[:seats]], tied=[], tied_seats=0)
    above = [c for c, v in ordered if v > last]
    tied = [c for c, v in ordered if v == last]
    return Ranking(elected=above, tied=tied, tied_seats=seats - len(above))


@transaction.atomic
def election_tally(*, election: Election, actor, now: datetime.datetime | None = None) -> Ranking:
    """Count in the database (constant number of queries) and flag a tie (V8)."""
    now = now or timezone.now()
    _require_commission(actor)
    election = _lock(election)
    _require_status(election, ElectionStatus.CLOSED)
    votes = selectors.votes_per_candidacy(election=election)
    live = set(selectors.candidacy_list(election=election).values_list("pk", flat=True))
    votes = {c: v for c, v in votes.items() if c in live}
    ranking = rank_candidates(votes, election.seats_to_fill)
    candidacies = list(Candidacy.objects.filter(pk__in=votes))
    for candidacy in candidacies:
        candidacy.votes = votes[candidacy.pk]
        candidacy.is_elected = candidacy.pk in ranking.elected
    Candidacy.objects.bulk_update(candidacies, ["votes", "is_elected"])
    election.status = ElectionStatus.TALLIED
    election.tie_flagged = ranking.has_tie
    election.save(update_fields=["status", "tie_flagged", "updated_at"])
    counts = selectors.ballot_counts(election=election)
    audit_log(
        action=ElectionsAudit.ELECTION_TALLIED,
        actor=actor,
        target=election,
        data={"ballots": counts["total"], "blank": counts["blank"], "tie": ranking.has_tie},
        now=now,
    )
    return ranking


@transaction.atomic
def election_tie_resolve(
    *,
    election: Election,
    actor,
    winner_ids,
    note: str,
    now: datetime.datetime | None = None,
) -> Election:
    """V8 (interpretation): the commission resolves a tie for the last seat(s), with a note."""
    now = now or timezone.now()
    _require_commission(actor)
    election = _lock(election)
    _require_status(election, ElectionStatus.TALLIED)
    if not election.tie_flagged or election.tie_resolved_at:
        raise ElectionsError(_("Aucune égalité à trancher."))
    if not note.strip():
        raise ElectionsError(_("Décrivez comment l'égalité a été tranchée (tirage au sort...)."))
    votes = {c.pk: c.votes or 0 for c in selectors.candidacy_list(election=election)}
    ranking = rank_candidates(votes, election.seats_to_fill)
    winners = [int(w) for w in winner_ids]
    if len(set(winners)) != ranking.tied_seats or not set(winners) <= set(ranking.tied):
        raise ElectionsError(
            _("Choisissez %(n)s candidat(s) parmi ceux à égalité.") % {"n": ranking.tied_seats}
        )
    Candidacy.objects.filter(pk__in=winners).update(is_elected=True)
    election.tie_resolution = note.strip()
    election.tie_resolved_by = actor
    election.tie_resolved_at = now
    election.save(
        update_fields=["tie_resolution", "tie_resolved_by", "tie_resolved_at", "updated_at"]
    )
    audit_log(
        action=ElectionsAudit.ELECTION_TIE_RESOLVED,
        actor=actor,
        target=election,
        data={"winners": winners, "note": election.tie_resolution},
        now=now,
    )
    return election


@transaction.atomic
def election_results_publish(
    *, election: Election, actor, now: datetime.datetime | None = None
) -> Election:
    """Publish the results; the elected take the seats that were up (V3, V8)."""
    now = now or timezone.now()
    _require_commission(actor)
    election = _lock(election)
    _require_status(election, ElectionStatus.TALLIED)
    if election.tie_flagged and not election.tie_resolved_at:
        raise ElectionsError(_("Tranchez d'abord l'égalité pour le dernier siège."))
    day = election.election_date
    up = [row for row in seats_to_renew(on=day) if row.is_up]
    elected = list(
        Candidacy.objects.filter(election=election, is_elected=True, withdrawn_at__isnull=True)
        .select_related("candidate", "organisation")
        .order_by("-votes", "candidate__last_name")
    )
    for row, candidacy in zip(up, elected, strict=False):
        if row.mandate is not None and row.mandate.end_date is None:
            mandate_end(
                mandate=row.mandate,
                end_date=day,
                reason=MandateEndReason.TERM,
                actor=actor,
                now=now,
            )
        # An outgoing holder re-elected (V5) holds their new seat from this day on.
        for other in Mandate.objects.filter(holder=candidacy.candidate, end_date__isnull=True):
            mandate_end(
                mandate=other, end_date=day, reason=MandateEndReason.TERM, actor=actor, now=now
            )
        mandate_start(
            seat=row.seat,
            holder=candidacy.candidate,
            organisation=candidacy.organisation,
            start_date=day,
            actor=actor,
            election=election,
            now=now,
        )
    election.status = ElectionStatus.PUBLISHED
    election.published_at = now
    election.save(update_fields=["status", "published_at", "updated_at"])
    audit_log(
        action=ElectionsAudit.ELECTION_PUBLISHED,
        actor=actor,
        target=election,
        data={"elected": [c.candidate_id for c in elected]},
        now=now,
    )
    return election
