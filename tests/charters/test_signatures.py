"""Signing the charter: evidence, scopes, two signatures, append-only, hash chain."""

import datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from charters import selectors, services
from charters.constants import AUTH_METHOD_REENTERED_PASSWORD, SignatureCapacity, SignatureScope
from charters.evidence import compute_record_hash
from charters.exceptions import (
    AlreadySigned,
    ConsentMissing,
    NotASignatory,
    SameSignerTwice,
    ScopeNotAllowed,
    VersionNotInForce,
    WrongPassword,
)
from charters.models import Signature
from core.models import AuditEntry
from members.constants import Status
from tests.charters.factories import PASSWORD, CharterVersionFactory, signatory
from tests.members.factories import RepresentativeFactory, member_organisation

NOW = timezone.now().replace(microsecond=0)


def sign(representative, version, **kwargs):
    kwargs.setdefault("password", PASSWORD)
    kwargs.setdefault("consent_given", True)
    kwargs.setdefault("ip_address", "203.0.113.7")
    kwargs.setdefault("user_agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
    kwargs.setdefault("now", NOW)
    return services.signature_record(
        version=version,
        organisation=representative.organisation,
        signer=representative.user,
        **kwargs,
    )


@pytest.mark.rule("M4", "E1")
def test_signature_records_the_full_evidence(version):
    rep = signatory(job_title="Présidente")
    signature = sign(rep, version)

    signature.refresh_from_db()
    assert signature.version == version
    assert signature.text_sha256 == version.text_sha256
    assert len(signature.text_sha256) == 64
    assert signature.organisation == rep.organisation
    assert signature.organisation_name == rep.organisation.legal_name
    assert signature.signer == rep.user
    assert signature.signer_email == rep.user.email
    assert signature.signer_role == "Présidente"
    assert signature.signed_at == NOW
    assert signature.ip_address == "203.0.113.7"
    assert signature.user_agent == "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
    assert signature.auth_method == AUTH_METHOD_REENTERED_PASSWORD == "mot de passe ressaisi"
    assert signature.scope == SignatureScope.FULL
    assert signature.capacity == SignatureCapacity.SIGNATORY
    assert rep.organisation.legal_name in signature.consent_text
    assert "version V1 R001" in signature.consent_text
    assert signature.verification_code.startswith("COSGE-")
    assert signature.record_hash == compute_record_hash(signature)
    entry = AuditEntry.objects.get(action="charters.signature.recorded")
    assert entry.data["record_hash"] == signature.record_hash
    assert entry.actor == rep.user


@pytest.mark.rule("E1")
@pytest.mark.parametrize(
    ("status", "scope"),
    [
        (Status.MEMBER, SignatureScope.FULL),
        (Status.APPLICANT, SignatureScope.FULL),
        (Status.PARTNER, SignatureScope.ETHICS),
        (Status.INVITEE, SignatureScope.ETHICS),
    ],
)
def test_scope_follows_the_status(version, status, scope):
    rep = signatory(member_organisation(status=status))
    assert sign(rep, version).scope == scope


@pytest.mark.rule("E1")
def test_member_cannot_commit_to_article_3_3_only(version):
    rep = signatory()
    with pytest.raises(ScopeNotAllowed):
        sign(rep, version, scope=SignatureScope.ETHICS)
    assert Signature.objects.count() == 0


@pytest.mark.rule("E1")
def test_partner_may_sign_the_full_charter_which_covers_article_3_3(version):
    rep = signatory(member_organisation(status=Status.PARTNER))
    sign(rep, version, scope=SignatureScope.FULL)
    with pytest.raises(AlreadySigned):
        sign(rep, version, scope=SignatureScope.ETHICS)
    (row,) = selectors.campaign_rows(at=NOW)
    assert row.complete is True


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"consent_given": False}, ConsentMissing),
        ({"password": "pas-le-bon-mot-de-passe"}, WrongPassword),
        ({"password": ""}, WrongPassword),
    ],
)
def test_bad_input_records_nothing(version, kwargs, error):
    rep = signatory()
    with pytest.raises(error) as raised:
        sign(rep, version, **kwargs)
    assert str(raised.value.message)  # a French message for the form
    assert Signature.objects.count() == 0
    assert AuditEntry.objects.filter(action="charters.signature.recorded").count() == 0


@pytest.mark.rule("M4")
def test_a_representative_who_is_not_an_authorised_signatory_cannot_sign(version):
    rep = RepresentativeFactory(organisation=member_organisation(), is_authorised_signatory=False)
    with pytest.raises(NotASignatory):
        sign(rep, version)
    assert Signature.objects.count() == 0


def test_a_former_representative_cannot_sign(version):
    rep = signatory(end_date=datetime.date(2025, 12, 31))
    with pytest.raises(NotASignatory):
        sign(rep, version)
    assert Signature.objects.count() == 0


def test_someone_else_cannot_sign_for_an_organisation(version):
    rep = signatory()
    other = signatory()
    with pytest.raises(NotASignatory):
        services.signature_record(
            version=version,
            organisation=other.organisation,
            signer=rep.user,
            password=PASSWORD,
            consent_given=True,
            now=NOW,
        )
    assert Signature.objects.count() == 0


@pytest.mark.rule("X4")
def test_only_the_version_in_force_can_be_signed(version):
    old = CharterVersionFactory(
        label="V0", effective_date=datetime.date(2020, 1, 1), end_date=datetime.date(2021, 12, 1)
    )
    draft = CharterVersionFactory(
        label="V2 brouillon", effective_date=datetime.date(2026, 1, 1), published_at=None
    )
    rep = signatory()
    for wrong in (old, draft):
        with pytest.raises(VersionNotInForce):
            sign(rep, wrong)
    assert Signature.objects.count() == 0


def test_double_submit_is_refused_and_records_once(version):
    rep = signatory()
    first = sign(rep, version)
    with pytest.raises(AlreadySigned):
        sign(rep, version, now=NOW + datetime.timedelta(seconds=1))
    assert list(Signature.objects.all()) == [first]


def test_the_database_refuses_a_duplicate_commitment(version):
    rep = signatory()
    first = sign(rep, version)
    duplicate = Signature(
        version=version,
        text_sha256=version.text_sha256,
        organisation=rep.organisation,
        organisation_name="x",
        signer=rep.user,
        signer_name="x",
        signer_email=rep.user.email,
        signed_at=NOW,
        auth_method="x",
        consent_text="x",
        verification_code="COSGE-AAAA-AAAA-AAAA",
        previous_hash=first.record_hash,
        record_hash="f" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.rule("W2")
def test_two_signatures_are_needed_when_the_version_requires_the_head(db):
    version = CharterVersionFactory(label="V2", requires_head_signature=True)
    participant = signatory(job_title="Ingénieur")
    head = signatory(participant.organisation, job_title="Directrice générale")

    sign(participant, version)
    (row,) = selectors.campaign_rows(at=NOW)
    assert row.complete is False
    assert row.missing_capacities == [SignatureCapacity.HEAD]
    assert row.missing_capacity_labels == ["Dirigeant de l'entité"]
    assert sorted(row.signatories, key=lambda u: u.pk) == [participant.user, head.user]

    # The same person cannot give both signatures.
    with pytest.raises(SameSignerTwice):
        sign(participant, version, capacity=SignatureCapacity.HEAD)

    second = sign(head, version, capacity=SignatureCapacity.HEAD)
    assert "dirigeant" in second.consent_text
    (row,) = selectors.campaign_rows(at=NOW)
    assert row.complete is True
    assert row.completed_at == second.signed_at


@pytest.mark.rule("W2")
def test_a_single_signature_completes_a_version_without_the_head_requirement(version):
    sign(signatory(), version)
    (row,) = selectors.campaign_rows(at=NOW)
    assert row.complete is True


# --- Append-only at the database level -------------------------------------------------


def test_signature_rows_cannot_be_updated_through_the_orm(version):
    signature = sign(signatory(), version)
    signature.signer_role = "Autre"
    with pytest.raises(ValueError, match="append-only"):
        signature.save()
    with pytest.raises(ValueError, match="append-only"):
        signature.delete()


def test_the_database_refuses_update_and_delete_of_a_signature(version):
    """The trigger of migration 0003: PostgreSQL in CI, SQLite locally."""
    assert connection.vendor in {"postgresql", "sqlite"}
    signature = sign(signatory(), version)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Signature.objects.filter(pk=signature.pk).update(signer_role="Falsifié")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Signature.objects.filter(pk=signature.pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM charters_signature")
    signature.refresh_from_db()
    assert signature.signer_role == "Directeur"
    assert Signature.objects.count() == 1


# --- Hash chain -----------------------------------------------------------------------------


def _three_signatures(version):
    return [sign(signatory(), version, now=NOW + datetime.timedelta(minutes=i)) for i in range(3)]


def test_signatures_form_a_hash_chain(version):
    first, second, third = _three_signatures(version)
    assert first.previous_hash == "0" * 64
    assert second.previous_hash == first.record_hash
    assert third.previous_hash == second.record_hash
    report = selectors.signature_chain_verify()
    assert report.intact is True
    assert report.checked == 3


def _without_triggers(sql, params=()):
    """Simulate someone with raw database access (the triggers dropped)."""
    from tests.charters.conftest import TRIGGERS

    drop = {"sqlite": TRIGGERS.SQLITE_BACKWARD, "postgresql": TRIGGERS.POSTGRESQL_BACKWARD}
    create = {"sqlite": TRIGGERS.SQLITE_FORWARD, "postgresql": TRIGGERS.POSTGRESQL_FORWARD}
    with connection.cursor() as cursor:
        for statement in drop[connection.vendor]:
            cursor.execute(statement)
        cursor.execute(sql, params)
        for statement in create[connection.vendor]:
            cursor.execute(statement)


def test_altering_a_signature_breaks_the_chain(version):
    _, second, _ = _three_signatures(version)
    _without_triggers(
        "UPDATE charters_signature SET signer_role = %s WHERE id = %s", ["Falsifié", second.pk]
    )
    report = selectors.signature_chain_verify()
    assert report.intact is False
    assert report.problems == [f"signature #{second.pk}: fields altered (hash mismatch)"]


def test_removing_a_signature_breaks_the_chain(version):
    _, second, third = _three_signatures(version)
    _without_triggers("DELETE FROM charters_signature WHERE id = %s", [second.pk])
    report = selectors.signature_chain_verify()
    assert report.problems[0] == (
        f"signature #{third.pk}: previous_hash does not match the record before it"
    )
    assert any("in the audit trail but missing" in p for p in report.problems)


def test_removing_the_last_signature_is_detected_by_the_audit_anchor(version):
    *_, third = _three_signatures(version)
    _without_triggers("DELETE FROM charters_signature WHERE id = %s", [third.pk])
    report = selectors.signature_chain_verify()
    assert report.problems == [
        f"record {third.record_hash[:12]}… is in the audit trail but missing"
    ]


def test_changing_the_stored_text_breaks_verification(version):
    signature = sign(signatory(), version)
    _without_triggers(
        "UPDATE charters_charterversion SET body = body || 'x' WHERE id = %s", [version.pk]
    )
    signature = Signature.objects.select_related("version").get(pk=signature.pk)
    check = selectors.signature_check(signature=signature)
    assert check.text_matches is False
    assert check.valid is False


def test_verify_signature_chain_command(version, capsys):
    _three_signatures(version)
    call_command("verify_signature_chain")
    assert "3 signature(s) vérifiée(s) : chaîne intacte." in capsys.readouterr().out


def test_verify_signature_chain_command_fails_on_tampering(version):
    _, second, _ = _three_signatures(version)
    _without_triggers(
        "UPDATE charters_signature SET ip_address = %s WHERE id = %s", ["198.51.100.1", second.pk]
    )
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="chaîne rompue"):
        call_command("verify_signature_chain")


def test_user_signatures_lists_the_organisations_signatures(version):
    rep = signatory()
    signature = sign(rep, version)
    sign(signatory(), version, now=NOW + datetime.timedelta(minutes=1))
    assert list(selectors.user_signatures(user=rep.user, on=timezone.localdate(NOW))) == [signature]
