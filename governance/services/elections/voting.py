"""Voting (V6, V7): opening and closing the vote, checking and casting a ballot.

Threat model of the secret ballot (V6: "nobody, administrators included, can learn
how an organisation voted, from the portal, the database or the logs")
-------------------------------------------------------------------------------
Two tables are written in the same transaction when a vote is cast:

* ``VoteRecord`` (the register, "émargement"): election, organisation, the person
  who cast it, the proxy used, paper or not. It is what a paper ballot box's
  signature list is: public to the commission, needed to refuse a second vote
  (unique constraint + ``select_for_update`` on the election).
* ``Ballot`` + ``BallotChoice`` (the box): election, a random receipt and the
  approved candidacies. No foreign key, timestamp, IP, user agent or sequence:
  both keys are random UUIDs, so neither the key nor ``ORDER BY`` reveals the
  insertion order.

What an attacker could still try, and why it fails:

* Join the tables: there is no column to join on (``tests/governance/
  test_ballots_secrecy.py`` inspects the schema and the stored rows).
* Match insertion orders: the register has an auto-increment key, the box has
  none. The physical order of rows (PostgreSQL ``ctid``, SQLite ``rowid``) would
  still follow insertion, so closing the vote rewrites the box in random order
  (``_ballot_box_shuffle``); after the next VACUUM nothing of the old order is left.
  An administrator watching the live database *during* the vote, statement by
  statement, is outside what this portal can defend against (as is someone
  standing behind the voter): that is the residual risk, stated here.
* Read the logs or the audit trail: no log line is written with the choices; the
  audit entry says "a ballot was cast" for the organisation, without choices and
  without the receipt. SQL statements are not logged (``django.db.backends`` at
  WARNING in settings).
* Match the receipt: it is shown once to the voter and stored only on the ballot;
  the published list of receipts lets each voter check that theirs was counted,
  and says nothing about who holds which.
* Small elections: results are aggregates; no per-ballot export is offered at all.
"""

from __future__ import annotations

import datetime
import random

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cos_portal.audit import audit_log
from governance import selectors_elections as selectors
from governance.exceptions import ElectionsError, ElectionsWrongPassword
from governance.models import (
    Ballot,
    BallotChoice,
    Election,
    ElectionStatus,
    Proxy,
    ProxyStatus,
    VoteRecord,
)
from members.models import Organisation

from ._common import _fmt, _is_member, _lock, _require_commission, _require_status

# --- Voting (V6, V7) ----------------------------------------------------------------------


@transaction.atomic
def election_voting_open(
    *, election: Election, actor, now: datetime.datetime | None = None
) -> Election:
    now = now or timezone.now()
    _require_commission(actor)
    election = _lock(election)
    _require_status(election, ElectionStatus.ANNOUNCED)
    if timezone.localdate(now) != election.election_date:
        raise ElectionsError(
            _("Le vote s'ouvre le jour de la réunion plénière (%(date)s).")
            % {"date": _fmt(election.election_date)}
        )
    if not selectors.candidacy_list(election=election).exists():
        raise ElectionsError(_("Aucune candidature : le vote ne peut pas s'ouvrir."))
    election.status = ElectionStatus.VOTING
    election.voting_opened_at = now
    election.save(update_fields=["status", "voting_opened_at", "updated_at"])
    audit_log(action="governance.election.voting_opened", actor=actor, target=election, now=now)
    return election


def _ballot_box_shuffle(election: Election) -> None:
    """Rewrite the box in random order so that no physical order follows the votes."""
    ballots = list(Ballot.objects.filter(election=election).values_list("pk", "receipt"))
    choices = list(
        BallotChoice.objects.filter(ballot__election=election).values_list(
            "ballot_id", "candidacy_id"
        )
    )
    by_ballot: dict = {}
    for ballot_id, candidacy_id in choices:
        by_ballot.setdefault(ballot_id, []).append(candidacy_id)
    rng = random.SystemRandom()
    rng.shuffle(ballots)
    BallotChoice.objects.filter(ballot__election=election).delete()
    Ballot.objects.filter(election=election).delete()
    Ballot.objects.bulk_create(
        [Ballot(pk=pk, election=election, receipt=receipt) for pk, receipt in ballots]
    )
    rows = [
        BallotChoice(ballot_id=pk, candidacy_id=c)
        for pk, _r in ballots
        for c in by_ballot.get(pk, [])
    ]
    rng.shuffle(rows)
    BallotChoice.objects.bulk_create(rows)


@transaction.atomic
def election_voting_close(
    *, election: Election, actor, now: datetime.datetime | None = None
) -> Election:
    """Close the ballot; the entitled voters are frozen (V6)."""
    now = now or timezone.now()
    _require_commission(actor)
    election = _lock(election)
    _require_status(election, ElectionStatus.VOTING)
    election.status = ElectionStatus.CLOSED
    election.voting_closed_at = now
    election.save(update_fields=["status", "voting_closed_at", "updated_at"])
    election.electorate.set(
        list(selectors.member_organisations(at=now).values_list("pk", flat=True))
    )
    _ballot_box_shuffle(election)
    audit_log(
        action="governance.election.voting_closed",
        actor=actor,
        target=election,
        data={"electorate": election.electorate.count()},
        now=now,
    )
    return election


def _ballot_checks(
    *,
    election: Election,
    organisation: Organisation,
    voter,
    choices: list[int],
    on_paper: bool,
    now: datetime.datetime,
) -> Proxy | None:
    """Everything a ballot must satisfy before it is written (V6, V7); returns the proxy
    it is cast under, if any. Raises ElectionsError with the reason otherwise."""
    _require_status(election, ElectionStatus.VOTING)
    if not _is_member(organisation, now):
        raise ElectionsError(_("Seules les entités membres votent."))
    proxy = None
    live = (
        Proxy.objects.filter(
            election=election, giver=organisation, status__in=selectors.LIVE_PROXY_STATUSES
        )
        .select_related("holder")
        .first()
    )
    if not on_paper:
        signatory_of = set(
            selectors.member_signatory_representations(user=voter).values_list(
                "organisation_id", flat=True
            )
        )
        if organisation.pk in signatory_of:
            if live is not None:
                # V6: a giver who gave its proxy does not vote itself.
                raise ElectionsError(
                    _("Votre entité a donné procuration à %(org)s : c'est elle qui vote pour vous.")
                    % {"org": live.holder.legal_name}
                )
        elif (
            live is not None
            and live.status == ProxyStatus.VALIDATED
            and live.holder_id in signatory_of
        ):
            proxy = live
        else:
            raise ElectionsError(
                _(
                    "Vous ne pouvez pas voter pour cette entité : il faut en être signataire habilité ou porter sa procuration validée."
                )
            )
    elif live is not None and live.status == ProxyStatus.VALIDATED:
        proxy = live
    if len(set(choices)) != len(choices):
        raise ElectionsError(_("Un candidat ne peut être coché qu'une fois."))
    # Charter art. 6.2 (V7): at most as many candidates as seats to fill.
    if len(choices) > election.seats_to_fill:
        raise ElectionsError(
            _(
                "Vous pouvez approuver au plus %(n)s candidat(s) : votre bulletin n'a pas été enregistré."
            )
            % {"n": election.seats_to_fill}
        )
    valid = set(selectors.candidacy_list(election=election).values_list("pk", flat=True))
    if not set(choices) <= valid:
        raise ElectionsError(_("Ce bulletin désigne une personne qui n'est pas candidate."))
    if selectors.has_voted(election=election, organisation=organisation):
        raise ElectionsError(
            _("%(org)s a déjà voté : un bulletin ne se dépose qu'une fois.")
            % {"org": organisation.legal_name}
        )
    return proxy


def ballot_check(
    *,
    election: Election,
    organisation: Organisation,
    voter,
    candidacy_ids,
    now: datetime.datetime | None = None,
) -> None:
    """The review step of an online vote (V6, V7): the ballot ``ballot_cast`` would accept
    at this moment, checked without writing anything and without the password.

    The voter then confirms the ballot shown back to them with their password: the
    password is re-entered for the one request that casts the ballot (as for a charter
    signature), and the choices travel in that request's form, never in the session.
    """
    _ballot_checks(
        election=election,
        organisation=organisation,
        voter=voter,
        choices=[int(c) for c in candidacy_ids],
        on_paper=False,
        now=now or timezone.now(),
    )


@transaction.atomic
def ballot_cast(
    *,
    election: Election,
    organisation: Organisation,
    voter,
    candidacy_ids,
    password: str | None = None,
    on_paper: bool = False,
    now: datetime.datetime | None = None,
) -> str:
    """Cast one ballot for ``organisation`` (V6, V7) and return its random receipt.

    Online, ``voter`` is an authorised signatory of ``organisation`` or of the holder of
    its validated proxy, and re-enters their password. On paper, ``voter`` is the
    commission member who enters the ballot. Either way: one vote per organisation,
    cast once, never changed; the register row and the anonymous ballot are written
    together or not at all.
    """
    now = now or timezone.now()
    choices = [int(c) for c in candidacy_ids]
    if on_paper:
        _require_commission(voter)
    elif not password or not voter.check_password(password):
        raise ElectionsWrongPassword(
            _("Mot de passe incorrect : votre vote n'a pas été enregistré.")
        )
    election = _lock(election)  # serialises with the closing of the ballot
    proxy = _ballot_checks(
        election=election,
        organisation=organisation,
        voter=voter,
        choices=choices,
        on_paper=on_paper,
        now=now,
    )
    try:
        with transaction.atomic():
            VoteRecord.objects.create(
                election=election,
                organisation=organisation,
                cast_by=voter,
                via_proxy=proxy,
                on_paper=on_paper,
            )
    except IntegrityError:
        raise ElectionsError(
            _("%(org)s a déjà voté : un bulletin ne se dépose qu'une fois.")
            % {"org": organisation.legal_name}
        ) from None
    ballot = Ballot.objects.create(election=election)
    BallotChoice.objects.bulk_create(
        [
            BallotChoice(ballot=ballot, candidacy_id=c)
            for c in random.SystemRandom().sample(choices, len(choices))
        ]
    )
    # Never the choices nor the receipt next to the voter (V6).
    audit_log(
        action="governance.election.ballot_cast",
        actor=voter,
        target=election,
        data={
            "organisation": organisation.pk,
            "via_proxy": proxy is not None,
            "on_paper": on_paper,
        },
        now=now,
    )
    return ballot.receipt
