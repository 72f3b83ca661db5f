"""Voting (V6, V7): opening and closing the vote, checking and casting a ballot.

Threat model of the secret ballot (V6: "nobody, administrators included, can learn
how an organisation voted, from the portal, the database or the logs")
-------------------------------------------------------------------------------
Two things are written in the same transaction when a vote is cast:

* ``VoteRecord`` (the register, "émargement"): election, organisation, the person
  who cast it, the proxy used, paper or not. It is what a paper ballot box's
  signature list is: public to the commission, needed to refuse a second vote
  (unique constraint + ``select_for_update`` on the election).
* ``SealedBallot`` (the envelope in the box): a random UUID, the election, and a
  ciphertext. Nothing else: no voter, no timestamp, no IP, no receipt in clear.

Why envelopes and not the ballot itself: rows written one vote at a time keep the
order of the votes whatever their keys. The physical order (PostgreSQL ``ctid``,
SQLite ``rowid``) follows the insertion order, hence the register's ids and the audit
trail's timestamps; on PostgreSQL the ``xmin`` of a row (its transaction id) is that
of its register row, written in the same transaction. One ``SELECT ... ORDER BY
ctid`` or a backup taken during the vote would link every ballot to its organisation.
So, while the vote is open, nothing readable is stored in an order that can be matched
to the register:

* The envelope holds the receipt and the choices encrypted with AES-256-GCM under a
  per-election key derived (HKDF-SHA256) from the server's ``SECRET_KEY`` and a random
  salt drawn when the vote opens (``BallotBox``). The key itself is stored nowhere: a
  database dump, a backup or a ``SELECT`` during the vote yields only ciphertext,
  which the envelopes' order, ``ctid`` or ``xmin`` can link to the register to no
  avail. The plaintext is padded to one length per election, so the envelope's size
  does not tell a blank ballot from a full one.
* Closing the vote opens every envelope (with ``SECRET_KEY``, or one of
  ``SECRET_KEY_FALLBACKS`` after a rotation; it refuses to close, in so many words,
  if one does not open), shuffles them with ``secrets.SystemRandom`` and writes the
  plaintext ``Ballot``/``BallotChoice`` rows in that random order, all in the closing's
  transaction: they share one ``xmin``, have no time order, and their physical order
  is a random permutation. The envelopes and the salt are deleted in the same
  transaction (``ballot_box``). The tally and the results read those plaintext rows,
  which exist only once the vote is closed.

What an attacker could still try, and why it fails:

* Join the tables: there is no column to join on (``tests/governance/elections/
  test_ballots_secrecy.py`` inspects the schema and the stored rows).
* Match orders or transaction ids during the vote: only envelopes exist, and they are
  ciphertext (``tests/governance/elections/test_ballots_sealed.py`` reads them by ``rowid``,
  ``ctid`` and ``xmin``). After the close: the plaintext rows were all written at once,
  in random order (the same test checks that their order is not the register's).
* Read the logs or the audit trail: no log line is written with the choices; the
  audit entry says "a ballot was cast" for the organisation, without choices and
  without the receipt. SQL statements are not logged (``django.db.backends`` at
  WARNING in settings). Neither the box nor the envelopes are in the row-level trail
  (their names contain "ballot": ``core.auditing`` never follows them).
* Match the receipt: it is shown once to the voter and stored only inside the envelope,
  then on the plaintext ballot; the published list of receipts lets each voter check
  that theirs was counted, and says nothing about who holds which.
* Small elections: results are aggregates; no per-ballot export is offered at all.

Residual risk, stated honestly:

* Whoever holds both the database (or a backup taken during the vote, salt included)
  and the server's secret key (its environment) during the vote can open the envelopes
  and, with their physical order or ``xmin``, link them to the register. Deleting the
  salt at closing ends this for the live database; the deleted envelopes and the salt
  linger in the table files until VACUUM and in WAL archives and backups, so those
  must be kept as safe as the secret key.
* Whoever reads the live database statement by statement (or sits in the server's
  memory) sees each ballot as it is cast, whatever is stored: as someone standing
  behind the voter, outside what this portal can defend against.
* After the close, nothing stored links a ballot to an organisation.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from governance.audit_actions import ElectionsAudit
from governance.elections import selectors
from governance.elections.models import (
    Election,
    ElectionStatus,
    Proxy,
    ProxyStatus,
    VoteRecord,
    new_receipt,
)
from governance.exceptions import ElectionsError, ElectionsWrongPassword
from governance.selectors import member_organisations, member_signatory_representations
from members.constants import Status
from members.models import Organisation
from members.selectors import active_representatives, status_subquery

from ._common import _fmt, _lock, _require_commission, _require_status
from .ballot_box import ballot_box_ensure, ballot_box_open, ballot_seal

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
    ballot_box_ensure(election=election)  # the salt of the envelopes' key (V6)
    audit_log(action=ElectionsAudit.ELECTION_VOTING_OPENED, actor=actor, target=election, now=now)
    return election


@transaction.atomic
def election_voting_close(
    *, election: Election, actor, now: datetime.datetime | None = None
) -> Election:
    """Close the ballot; the entitled voters are frozen and the box is opened (V6).

    The envelopes become plaintext ballots in a random order, in this transaction; if
    one cannot be opened (the server's secret key changed without keeping the old one
    in ``SECRET_KEY_FALLBACKS``), nothing changes and the vote stays open.
    """
    now = now or timezone.now()
    _require_commission(actor)
    election = _lock(election)
    _require_status(election, ElectionStatus.VOTING)
    ballots = ballot_box_open(election=election)
    election.status = ElectionStatus.CLOSED
    election.voting_closed_at = now
    election.save(update_fields=["status", "voting_closed_at", "updated_at"])
    election.electorate.set(list(member_organisations(at=now).values_list("pk", flat=True)))
    audit_log(
        action=ElectionsAudit.ELECTION_VOTING_CLOSED,
        actor=actor,
        target=election,
        data={"electorate": election.electorate.count(), "ballots": ballots},
        now=now,
    )
    return election


def _ballot_facts(
    *,
    election: Election,
    organisation: Organisation,
    voter,
    choices: list[int],
    on_paper: bool,
    now,
) -> dict:
    """What the checks of a ballot read, in one query whatever the number of voters and
    candidates: the organisation's status at ``now``, whether it voted, its live proxy
    (its id), how many of ``choices`` are standing candidacies, and, online, whether
    ``voter`` is one of its authorised signatories."""
    facts = {
        "status": status_subquery(at=now),
        "voted": Exists(VoteRecord.objects.filter(election=election, organisation=OuterRef("pk"))),
        "live_proxy": Subquery(
            Proxy.objects.filter(
                election=election, giver=OuterRef("pk"), status__in=selectors.LIVE_PROXY_STATUSES
            )
            .order_by("pk")
            .values("pk")[:1]
        ),
        "standing": Subquery(
            selectors.candidacy_list(election=election)
            .filter(pk__in=choices)
            .order_by()
            .values("election_id")
            .annotate(n=Count("pk"))
            .values("n")
        ),
    }
    if not on_paper:
        # Its authorised signatory today (the organisation's membership is read above).
        facts["signs"] = Exists(
            active_representatives(on=timezone.localdate()).filter(
                user=voter, is_authorised_signatory=True, organisation=OuterRef("pk")
            )
        )
    return Organisation.objects.filter(pk=organisation.pk).values(**facts).get()


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
    facts = _ballot_facts(
        election=election,
        organisation=organisation,
        voter=voter,
        choices=choices,
        on_paper=on_paper,
        now=now,
    )
    if facts["status"] != Status.MEMBER:
        raise ElectionsError(_("Seules les entités membres votent."))
    proxy = None
    live = (
        Proxy.objects.select_related("holder").get(pk=facts["live_proxy"])
        if facts["live_proxy"] is not None
        else None
    )
    if not on_paper:
        if facts["signs"]:
            if live is not None:
                # V6: a giver who gave its proxy does not vote itself.
                raise ElectionsError(
                    _("Votre entité a donné procuration à %(org)s : c'est elle qui vote pour vous.")
                    % {"org": live.holder.legal_name}
                )
        elif (
            live is not None
            and live.status == ProxyStatus.VALIDATED
            and member_signatory_representations(user=voter)
            .filter(organisation_id=live.holder_id)
            .exists()
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
    if (facts["standing"] or 0) != len(set(choices)):
        raise ElectionsError(_("Ce bulletin désigne une personne qui n'est pas candidate."))
    if facts["voted"]:
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
    cast once, never changed; the register row and the sealed envelope of the ballot
    are written together or not at all. The receipt exists in clear only in the answer.
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
        # No savepoint: a clash (a second vote the lock did not serialise) aborts the
        # whole cast, which raises and rolls back; nothing is written after it.
        with transaction.atomic(savepoint=False):
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
    # Unique among plaintext ballots, written at the close: 64 random bits make a clash
    # negligible (about 1e-12 for 5,000 ballots), so it is not checked against the box.
    receipt = new_receipt()
    ballot_seal(
        election=election,
        box=ballot_box_ensure(election=election),
        receipt=receipt,
        candidacy_ids=choices,
    )
    # Never the choices nor the receipt next to the voter (V6).
    audit_log(
        action=ElectionsAudit.ELECTION_BALLOT_CAST,
        actor=voter,
        target=election,
        data={
            "organisation": organisation.pk,
            "via_proxy": proxy is not None,
            "on_paper": on_paper,
        },
        now=now,
    )
    return receipt
