"""Secrecy by design (V6): no column, row, audit entry or log line links a voter to a choice."""

import logging

import pytest
from django.db import connection
from freezegun import freeze_time

from core.models import AuditEntry
from governance.elections import services
from governance.models import Ballot, BallotBox, BallotChoice, SealedBallot, VoteRecord
from tests.governance.elections.factories import PASSWORD, at, election_world, member_rep

pytestmark = pytest.mark.django_db


def columns(table):
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
        relations = connection.introspection.get_relations(cursor, table)
    return {c.name for c in description}, {
        column: target_table for column, (_target_column, target_table) in relations.items()
    }


@pytest.mark.rule("V6")
def test_v6_the_ballot_tables_have_no_column_that_points_to_a_voter():
    ballot_columns, ballot_relations = columns(Ballot._meta.db_table)
    choice_columns, choice_relations = columns(BallotChoice._meta.db_table)

    # Random UUID keys, the election, the random receipt, the approved candidacies: nothing else.
    assert ballot_columns == {"id", "election_id", "receipt"}
    assert ballot_relations == {"election_id": "governance_election"}
    assert choice_columns == {"id", "ballot_id", "candidacy_id"}
    assert choice_relations == {
        "ballot_id": "governance_ballot",
        "candidacy_id": "governance_candidacy",
    }
    # While the vote is open: the envelopes (random key, election, ciphertext) and the
    # box (the salt of their key, one per election); the key itself is stored nowhere.
    envelope_columns, envelope_relations = columns(SealedBallot._meta.db_table)
    assert envelope_columns == {"id", "election_id", "ciphertext"}
    assert envelope_relations == {"election_id": "governance_election"}
    box_columns, box_relations = columns(BallotBox._meta.db_table)
    assert box_columns == {"election_id", "salt"}
    assert box_relations == {"election_id": "governance_election"}
    # No sequence and no timestamp: the keys are UUIDs, no field is a date.
    for model in (Ballot, BallotChoice, SealedBallot):
        assert model._meta.pk.get_internal_type() == "UUIDField"
        assert not [
            f for f in model._meta.concrete_fields
            if f.get_internal_type() in {"DateTimeField", "DateField", "AutoField", "BigAutoField", "GenericIPAddressField"}
        ]  # fmt: skip
    # And the register holds no choice: no column points to a ballot or a candidacy.
    record_columns, record_relations = columns(VoteRecord._meta.db_table)
    assert record_columns == {
        "id",
        "election_id",
        "organisation_id",
        "cast_by_id",
        "via_proxy_id",
        "on_paper",
    }
    assert set(record_relations.values()) == {
        "governance_election",
        "members_organisation",
        "members_user",
        "governance_proxy",
    }


@pytest.mark.rule("V6")
def test_v6_after_an_election_no_stored_row_audit_entry_or_log_line_links_voter_and_choice(caplog):
    caplog.set_level(logging.DEBUG)
    with freeze_time(at(2027, 3, 1)):
        commission, _previous, election = election_world()
        services.election_announce(election=election, actor=commission)
        election.refresh_from_db()
        candidates = [member_rep() for _ in range(2)]
        candidacies = [
            services.candidacy_declare(election=election, user=c.user, statement="Programme")
            for c in candidates
        ]
        voters = [member_rep() for _ in range(4)]
    with freeze_time(at(2027, 5, 20, 14, 5)):
        services.election_voting_open(election=election, actor=commission)
        receipts = [
            services.ballot_cast(
                election=election,
                organisation=voter.organisation,
                voter=voter.user,
                candidacy_ids=[candidacies[i % 2].pk],
                password=PASSWORD,
            )
            for i, voter in enumerate(voters)
        ]
        services.election_voting_close(election=election, actor=commission)

    voter_ids = {str(v.user_id) for v in voters} | {str(v.organisation_id) for v in voters}
    voter_ids |= {str(r.pk) for r in VoteRecord.objects.all()}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Ballot._meta.db_table}")  # noqa: S608
        ballot_rows = cursor.fetchall()
        cursor.execute(f"SELECT * FROM {BallotChoice._meta.db_table}")  # noqa: S608
        choice_rows = cursor.fetchall()
    stored = {str(value) for row in ballot_rows + choice_rows for value in row}

    assert len(ballot_rows) == 4 and len(choice_rows) == 4
    # The envelopes and the salt of their key are gone with the close.
    assert (SealedBallot.objects.count(), BallotBox.objects.count()) == (0, 0)
    # No stored value of the box is the id of a voter, its organisation or its register row
    # (the only integers stored are the election's and the candidacies' ids).
    integers = {v for v in stored if v.isdigit()}
    assert integers <= {str(election.pk)} | {str(c.pk) for c in candidacies}
    assert not (voter_ids - integers) & stored
    # The audit trail says "a ballot was cast" for an organisation: never what, never the receipt.
    cast_entries = AuditEntry.objects.filter(action="governance.election.ballot_cast")
    assert cast_entries.count() == 4
    for entry in cast_entries:
        assert set(entry.data) == {"organisation", "via_proxy", "on_paper"}
    everything_audited = " ".join(str(e.data) for e in AuditEntry.objects.all())
    assert not any(receipt in everything_audited for receipt in receipts)
    # No log line carries a receipt or a choice.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not any(receipt in logged for receipt in receipts)
    for candidacy in candidacies:
        assert f"candidacy_id={candidacy.pk}" not in logged
        assert str(candidacy.candidate) not in logged
