"""The ballot box is unlinkable while the vote is open (V6, V7).

During the vote the box holds only sealed envelopes: whatever order one reads them in
(the physical order, ``rowid`` on SQLite, ``ctid`` on PostgreSQL, or ``xmin``), they are
ciphertext of one length, and their key is nowhere in the database. The plaintext
ballots appear at closing, all written at once in a random order.
"""

import pytest
from django.db import connection
from django.urls import reverse
from freezegun import freeze_time

from governance.elections import services
from governance.elections.services import ballot_box
from governance.exceptions import ElectionsError
from governance.models import (
    Ballot,
    BallotBox,
    BallotChoice,
    Candidacy,
    ElectionStatus,
    SealedBallot,
    VoteRecord,
)
from tests.governance.elections.factories import PASSWORD, at, election_world, member_rep

pytestmark = pytest.mark.django_db
VOTING = at(2027, 5, 20, 14, 5)
SERVER_SECRET = "clé-secrète-du-serveur-pour-ce-test-0123456789-abcdefghijklmnop"  # noqa: S105
VOTERS = 30


def physical_order() -> str:
    return {"postgresql": "ctid", "sqlite": "rowid"}[connection.vendor]


def select(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def as_bytes(value) -> bytes:
    if isinstance(value, memoryview | bytearray):
        return bytes(value)
    if isinstance(value, bytes):
        return value
    return str(value).encode()


def whole_database() -> list[bytes]:
    """Every value of every table: what a dump of the database holds."""
    values = []
    for table in connection.introspection.table_names():
        for row in select(f"SELECT * FROM {connection.ops.quote_name(table)}"):  # noqa: S608
            values += [as_bytes(v) for v in row if v is not None]
    return values


@pytest.fixture
def world(settings):
    """Two seats, three candidates, 30 member organisations voting online (one of them
    also for the organisation whose validated proxy it holds), two paper ballots."""
    settings.SECRET_KEY = SERVER_SECRET
    with freeze_time(at(2027, 3, 1)):
        commission, _previous, election = election_world(seats_up=2)
        services.election_announce(election=election, actor=commission)
        election.refresh_from_db()
        candidacies = [
            services.candidacy_declare(election=election, user=member_rep().user, statement="P")
            for _ in range(3)
        ]
        voters = [member_rep() for _ in range(VOTERS)]
        giver, *on_paper = member_rep(), member_rep(), member_rep()
        proxy = services.proxy_give(
            election=election,
            giver=giver.organisation,
            holder=voters[0].organisation,
            signer=giver.user,
            password=PASSWORD,
        )
        services.proxy_decide(proxy=proxy, actor=commission, approve=True)
    return commission, election, candidacies, voters, giver, on_paper


@pytest.mark.rule("V6", "V7")
def test_v6_until_the_close_the_box_holds_only_sealed_envelopes_then_a_shuffled_box(client, world):
    commission, election, (a, b, c), voters, giver, on_paper = world
    patterns = [[a, b], [a], [b, c], [], [c], [a, c]]
    expected = {a.pk: 0, b.pk: 0, c.pk: 0}
    receipts = {}  # organisation -> the receipt shown to its voter
    vote_url = reverse("elections:vote", kwargs={"pk": election.pk})
    with freeze_time(VOTING):
        client.force_login(commission)
        client.post(reverse("elections:manage", kwargs={"pk": election.pk, "action": "ouvrir"}))
        ballots = [(v.user, v.organisation, patterns[i % 6]) for i, v in enumerate(voters)]
        ballots.append((voters[0].user, giver.organisation, [b]))  # through the proxy
        for user, organisation, choice in ballots:
            client.force_login(user)
            answer = client.post(
                vote_url,
                {
                    "organisation": organisation.pk,
                    "candidates": [x.pk for x in choice],
                    "password": PASSWORD,
                    "step": "confirm",
                },
            )
            assert answer.status_code == 200, answer.content.decode()
            receipts[organisation.pk] = answer.context["receipt"]
            for x in choice:
                expected[x.pk] += 1
        client.force_login(commission)
        for rep, choice in zip(on_paper, [[a], []], strict=True):
            entered = client.post(
                reverse("elections:paper_ballot", kwargs={"pk": election.pk}),
                {"organisation": rep.organisation.pk, "candidates": [x.pk for x in choice]},
            )
            assert entered.status_code == 302
            for x in choice:
                expected[x.pk] += 1
        total = VOTERS + 1 + 2

        # --- during the vote: what one SELECT, or a backup, would read -------------------
        register = list(VoteRecord.objects.order_by("pk").values_list("organisation_id", "pk"))
        assert len(register) == total
        # No plaintext ballot, whatever the order asked for.
        for table in (Ballot._meta.db_table, BallotChoice._meta.db_table):
            assert select(f"SELECT * FROM {table} ORDER BY {physical_order()}") == []  # noqa: S608
        # The envelopes, in physical order (and on PostgreSQL by transaction id too).
        table = SealedBallot._meta.db_table
        orders = [physical_order()]
        if connection.vendor == "postgresql":
            orders.append("xmin::text::bigint")
        for order in orders:
            rows = select(f"SELECT * FROM {table} ORDER BY {order}")  # noqa: S608
            assert len(rows) == total
            assert {len(row) for row in rows} == {3}  # id, election, ciphertext: nothing else
        with connection.cursor() as cursor:
            columns = {
                c.name for c in connection.introspection.get_table_description(cursor, table)
            }
        assert columns == {"id", "election_id", "ciphertext"}
        ciphertexts = [bytes(c) for c in SealedBallot.objects.values_list("ciphertext", flat=True)]
        # One length for all: a blank ballot, one approval and two look alike.
        assert len({len(c) for c in ciphertexts}) == 1
        assert len(set(ciphertexts)) == total
        readable = [r.encode() for r in receipts.values()]
        readable += [r.lower().encode() for r in receipts.values()]
        readable += [bytes.fromhex(r) for r in receipts.values()]
        readable += [str(x.candidate).encode() for x in (a, b, c)]
        readable += [f'"c":[{x.pk}'.encode() for x in (a, b, c)]
        for ciphertext in ciphertexts:
            assert not [r for r in readable if r in ciphertext]
        # The key of the envelopes is nowhere in the database, nor the server's secret.
        salt = bytes(BallotBox.objects.get(election=election).salt)
        key = ballot_box._key(SERVER_SECRET, salt)
        dump = whole_database()
        for secret in (key, key.hex().encode(), SERVER_SECRET.encode()):
            assert not [v for v in dump if secret in v]
        # And the receipts shown to the voters are nowhere in clear either.
        assert not [v for v in dump for r in readable[: len(receipts)] if r in v]

        # --- the close, from the commission's page ---------------------------------------
        closed = client.post(
            reverse("elections:manage", kwargs={"pk": election.pk, "action": "clore"})
        )
        assert closed.status_code == 302

    election.refresh_from_db()
    assert election.status == ElectionStatus.CLOSED
    assert SealedBallot.objects.count() == 0
    assert not BallotBox.objects.filter(election=election).exists()
    in_physical_order = f"SELECT receipt FROM governance_ballot ORDER BY {physical_order()}"  # noqa: S608
    stored = [r for (r,) in select(in_physical_order)]
    assert len(stored) == total
    assert set(receipts.values()) <= set(stored)
    # The physical order of the plaintext ballots is not the register's (1 chance in 31!).
    register_order = [receipts[org] for org, _pk in register if org in receipts]
    assert [r for r in stored if r in set(register_order)] != register_order
    assert BallotChoice.objects.count() == sum(expected.values())
    if connection.vendor == "postgresql":
        # All written by the close at once: one transaction id, none of the register's.
        ballot_xmins = {x for (x,) in select("SELECT DISTINCT xmin::text FROM governance_ballot")}
        choice_xmins = {
            x for (x,) in select("SELECT DISTINCT xmin::text FROM governance_ballotchoice")
        }
        register_xmins = {x for (x,) in select("SELECT xmin::text FROM governance_voterecord")}
        assert len(ballot_xmins) == 1 and choice_xmins == ballot_xmins
        assert not ballot_xmins & register_xmins

    with freeze_time(VOTING):
        client.post(reverse("elections:manage", kwargs={"pk": election.pk, "action": "depouiller"}))
    assert dict(Candidacy.objects.values_list("pk", "votes")) == expected
    assert services.selectors.ballot_counts(election=election) == {
        "total": total,
        "blank": sum(1 for _u, _o, choice in ballots if not choice) + 1,
    }
    assert services.selectors.receipt_list(election=election) == sorted(stored)


def cast_three(election, candidacies):
    voters = [member_rep() for _ in range(3)]
    for voter, choice in zip(voters, [candidacies[:2], [], candidacies[2:]], strict=True):
        services.ballot_cast(
            election=election,
            organisation=voter.organisation,
            voter=voter.user,
            candidacy_ids=[c.pk for c in choice],
            password=PASSWORD,
        )


@pytest.mark.rule("V6")
def test_v6_a_rotated_secret_key_still_opens_the_box_if_the_old_one_is_kept(world, settings):
    commission, election, candidacies, _voters, _giver, _paper = world
    with freeze_time(VOTING):
        services.election_voting_open(election=election, actor=commission)
        cast_three(election, candidacies)
        settings.SECRET_KEY = "une-toute-nouvelle-clé-secrète-après-rotation-0123456789"  # noqa: S105

        # The old key lost: the box stays sealed, the vote open, nothing written.
        with pytest.raises(ElectionsError) as refusal:
            services.election_voting_close(election=election, actor=commission)
        assert str(refusal.value.message) == (
            "Une enveloppe de l'urne ne s'ouvre pas : elle a été altérée, ou la clé secrète "
            "du serveur a changé sans que l'ancienne soit gardée dans SECRET_KEY_FALLBACKS. "
            "Le vote reste ouvert."
        )
        election.refresh_from_db()
        assert election.status == ElectionStatus.VOTING
        assert (SealedBallot.objects.count(), Ballot.objects.count()) == (3, 0)
        assert BallotBox.objects.filter(election=election).exists()

        # The old key kept among the fallbacks: the box opens.
        settings.SECRET_KEY_FALLBACKS = ["une-autre-ancienne-clé", SERVER_SECRET]
        services.election_voting_close(election=election, actor=commission)

    assert (SealedBallot.objects.count(), Ballot.objects.count()) == (0, 3)
    assert BallotChoice.objects.count() == 3
    assert services.selectors.ballot_counts(election=election) == {"total": 3, "blank": 1}


@pytest.mark.rule("V6")
def test_v6_an_altered_envelope_keeps_the_box_closed(world):
    commission, election, candidacies, _voters, _giver, _paper = world
    with freeze_time(VOTING):
        services.election_voting_open(election=election, actor=commission)
        cast_three(election, candidacies)
        envelope = SealedBallot.objects.order_by("id").first()
        altered = bytearray(envelope.ciphertext)
        altered[-1] ^= 1
        SealedBallot.objects.filter(pk=envelope.pk).update(ciphertext=bytes(altered))

        with pytest.raises(ElectionsError):
            services.election_voting_close(election=election, actor=commission)

    election.refresh_from_db()
    assert election.status == ElectionStatus.VOTING
    assert (SealedBallot.objects.count(), Ballot.objects.count()) == (3, 0)


@pytest.mark.rule("V6", "V7")
def test_v7_every_envelope_of_an_election_has_the_same_length_whatever_its_choices(world):
    commission, election, candidacies, _voters, _giver, _paper = world
    with freeze_time(VOTING):
        services.election_voting_open(election=election, actor=commission)
    box = BallotBox.objects.get(election=election)
    huge = 10**19  # the largest key a candidacy could have still fits
    lengths = {
        len(
            ballot_box.ballot_envelope(
                election=election, box=box, receipt="0123456789ABCDEF", candidacy_ids=ids
            )
        )
        for ids in ([], [candidacies[0].pk], [huge, huge - 1])
    }
    assert lengths == {12 + ballot_box.padded_size(election.seats_to_fill) + 16}
