"""The sealed ballot box (V6): envelopes while the vote is open, plaintext ballots after.

Why and against whom: see the threat model in ``voting``. Here, the mechanics:

* When the vote opens, the election gets a ``BallotBox`` holding a random 32-byte salt.
  The key of its envelopes is HKDF-SHA256(``settings.SECRET_KEY``, salt): the database
  holds the salt, the server's environment holds the secret, neither alone gives the key.
* ``ballot_seal`` encrypts the receipt and the choices of one ballot with AES-256-GCM
  (random 96-bit nonce; the election's id as associated data, so an envelope moved to
  another election does not open). The plaintext is padded to one length per election
  (from its number of seats), so a blank ballot and a full one have the same length.
* ``ballot_box_open`` (called by the closing of the vote, in its transaction) opens every
  envelope with ``SECRET_KEY`` or, after a rotation, one of ``SECRET_KEY_FALLBACKS``;
  refuses to close if one does not open; then writes the plaintext ballots and their
  choices in a random order (``secrets.SystemRandom``), in one transaction, and deletes
  the envelopes and the box (the salt with it: the key cannot be derived again).
"""

from __future__ import annotations

import json
import secrets
import struct
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

from governance.elections.models import Ballot, BallotBox, BallotChoice, Election, SealedBallot
from governance.exceptions import ElectionsError

SALT_BYTES = 32
NONCE_BYTES = 12
KEY_INFO = b"cos-ge/governance/ballot-box/v1"


def _key(secret: str, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=KEY_INFO).derive(
        secret.encode()
    )


def _server_secrets() -> list[str]:
    """The current secret first, then the previous ones kept after a rotation."""
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def _associated_data(election_id: int) -> bytes:
    return b"governance.sealedballot:%d" % election_id


def padded_size(seats: int) -> int:
    """Length of every plaintext of an election with ``seats`` seats to fill.

    ``{"r":"<16 hex>","c":[...]}`` is 29 bytes plus, per approved candidacy, at most
    20 digits and a comma; 2 bytes of length in front; rounded up to 64 bytes.
    """
    need = 2 + 32 + 21 * seats
    return -(-need // 64) * 64


def _pack(receipt: str, choices: Iterable[int], *, seats: int) -> bytes:
    body = json.dumps({"r": receipt, "c": sorted(choices)}, separators=(",", ":")).encode()
    size = padded_size(seats)
    if 2 + len(body) > size:
        raise ValueError("The ballot does not fit its envelope.")
    return struct.pack(">H", len(body)) + body + bytes(size - 2 - len(body))


def _unpack(plaintext: bytes) -> tuple[str, list[int]]:
    (length,) = struct.unpack(">H", plaintext[:2])
    data = json.loads(plaintext[2 : 2 + length])
    return data["r"], [int(c) for c in data["c"]]


def ballot_box_ensure(*, election: Election) -> BallotBox:
    """The election's box, created with a fresh random salt if it has none yet.

    Normally created when the vote opens; an election put in the voting state by other
    means (a benchmark, data from before the sealed box) gets its box at its first ballot.
    Callers hold the election's row lock, so two first ballots cannot create two salts.
    """
    box, _created = BallotBox.objects.get_or_create(
        election=election, defaults={"salt": secrets.token_bytes(SALT_BYTES)}
    )
    return box


def ballot_seal(
    *, election: Election, box: BallotBox, receipt: str, candidacy_ids: Iterable[int]
) -> SealedBallot:
    """Store one ballot as an envelope; nothing of it is readable without the key."""
    return SealedBallot.objects.create(
        election=election,
        ciphertext=ballot_envelope(
            election=election, box=box, receipt=receipt, candidacy_ids=candidacy_ids
        ),
    )


def ballot_envelope(
    *, election: Election, box: BallotBox, receipt: str, candidacy_ids: Iterable[int]
) -> bytes:
    """The ciphertext of one ballot: nonce, then AES-GCM of the padded plaintext."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(_key(settings.SECRET_KEY, bytes(box.salt))).encrypt(
        nonce,
        _pack(receipt, candidacy_ids, seats=election.seats_to_fill),
        _associated_data(election.pk),
    )
    return nonce + sealed


def _open_all(election: Election, box: BallotBox | None, envelopes: list[bytes]):
    refusal = ElectionsError(
        _(
            "Une enveloppe de l'urne ne s'ouvre pas : elle a été altérée, ou la clé secrète du "
            "serveur a changé sans que l'ancienne soit gardée dans SECRET_KEY_FALLBACKS. Le "
            "vote reste ouvert."
        )
    )
    if not envelopes:
        return []
    if box is None:
        raise refusal
    salt = bytes(box.salt)
    ciphers = [AESGCM(_key(secret, salt)) for secret in _server_secrets()]
    data = _associated_data(election.pk)
    opened = []
    for envelope in envelopes:
        nonce, sealed = envelope[:NONCE_BYTES], envelope[NONCE_BYTES:]
        for cipher in ciphers:
            try:
                plaintext = cipher.decrypt(nonce, sealed, data)
            except InvalidTag:
                continue
            opened.append(_unpack(plaintext))
            break
        else:
            raise refusal
    return opened


def ballot_box_open(*, election: Election) -> int:
    """Open the box of a vote being closed (V6): envelopes out, plaintext ballots in.

    Runs inside the closing's transaction: all the plaintext rows share its transaction
    id and are inserted in a random order; the envelopes and the salt are deleted with
    them. Returns the number of ballots.
    """
    box = BallotBox.objects.filter(election=election).first()
    envelopes = [
        bytes(c)
        for c in SealedBallot.objects.filter(election=election).values_list("ciphertext", flat=True)
    ]
    ballots = _open_all(election, box, envelopes)
    # Ballots already in clear (cast by an earlier version of the portal, before the box
    # was sealed) are taken out and shuffled in with the others.
    by_ballot: dict = {}
    for ballot_id, candidacy_id in BallotChoice.objects.filter(
        ballot__election=election
    ).values_list("ballot_id", "candidacy_id"):
        by_ballot.setdefault(ballot_id, []).append(candidacy_id)
    ballots += [
        (receipt, by_ballot.get(pk, []))
        for pk, receipt in Ballot.objects.filter(election=election).values_list("pk", "receipt")
    ]
    BallotChoice.objects.filter(ballot__election=election).delete()
    Ballot.objects.filter(election=election).delete()

    rng = secrets.SystemRandom()
    rng.shuffle(ballots)
    rows = [Ballot(election=election, receipt=receipt) for receipt, _choices in ballots]
    choices = [
        BallotChoice(ballot=row, candidacy_id=candidacy_id)
        for row, (_receipt, candidacy_ids) in zip(rows, ballots, strict=True)
        for candidacy_id in candidacy_ids
    ]
    rng.shuffle(choices)
    Ballot.objects.bulk_create(rows)
    BallotChoice.objects.bulk_create(choices)
    SealedBallot.objects.filter(election=election).delete()
    BallotBox.objects.filter(election=election).delete()
    return len(rows)
