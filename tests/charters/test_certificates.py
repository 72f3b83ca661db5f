"""PDF certificates: rendering, pyHanko seal, tamper detection, key creation."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.loader import render_to_string

from charters.certificates import (
    SigningKeyMissing,
    certificate_context,
    certificate_pdf,
    check_seal,
    create_signing_key,
)
from charters.constants import SignatureScope
from members.constants import Status
from tests.charters.factories import signatory
from tests.charters.test_signatures import sign
from tests.members.factories import member_organisation


@pytest.fixture
def signature(version):
    return sign(signatory(job_title="Présidente"), version)


def test_certificate_is_a_sealed_pdf_that_verifies(signature, signing_key):
    pdf = certificate_pdf(signature)
    assert pdf.startswith(b"%PDF-")
    check = check_seal(pdf)
    assert check.readable is True
    assert check.sealed is True
    assert check.intact is True
    assert check.by_portal is True
    assert check.whole_file is True
    assert check.code == signature.verification_code
    assert check.ok is True


def test_changing_one_byte_of_the_certificate_breaks_the_seal(signature, signing_key):
    pdf = bytearray(certificate_pdf(signature))
    # A byte in the middle of the rendered content (inside the signed byte range).
    position = len(pdf) // 3
    pdf[position] = (pdf[position] + 1) % 256
    assert check_seal(bytes(pdf)).ok is False


def test_appending_to_the_certificate_breaks_the_seal(signature, signing_key):
    pdf = certificate_pdf(signature) + b"\n% ajout\n"
    assert check_seal(pdf).ok is False


def test_a_pdf_sealed_by_another_key_is_not_ours(signature, signing_key, tmp_path, settings):
    pdf = certificate_pdf(signature)
    create_signing_key(key_path=tmp_path / "k.pem", cert_path=tmp_path / "c.pem")
    settings.CHARTER_SIGNING_KEY = str(tmp_path / "k.pem")
    settings.CHARTER_SIGNING_CERT = str(tmp_path / "c.pem")
    check = check_seal(pdf)
    assert check.intact is True
    assert check.by_portal is False
    assert check.ok is False


def test_an_unsealed_pdf_is_refused(signing_key):
    from core.pdf import html_to_pdf

    check = check_seal(html_to_pdf("<p>Faux certificat</p>"))
    assert check.readable is True
    assert check.sealed is False
    assert check.ok is False


def test_garbage_is_not_readable(signing_key):
    assert check_seal(b"%PDF-1.7 n'importe quoi").ok is False


def test_evidence_page_shows_every_field(signature):
    html = render_to_string("charters/pdf/certificate.html", certificate_context(signature))
    for value in (
        signature.organisation_name,
        signature.signer_name,
        signature.signer_email,
        "Présidente",
        signature.text_sha256,
        signature.record_hash,
        signature.previous_hash,
        signature.verification_code,
        "mot de passe ressaisi",
        "203.0.113.7",
        "Firefox/140.0",
        signature.signed_at.strftime("%Y-%m-%d %H:%M:%S") + " UTC",
        "Article 12 – Droit applicable",
    ):
        assert value in html, value
    assert "Éthique et confidentialité" in html


@pytest.mark.rule("E1")
def test_an_ethics_only_certificate_holds_article_3_3_only(version):
    rep = signatory(member_organisation(status=Status.INVITEE))
    signature = sign(rep, version)
    assert signature.scope == SignatureScope.ETHICS
    html = render_to_string("charters/pdf/certificate.html", certificate_context(signature))
    assert "3.3 Éthique et confidentialité" in html
    assert "3.4 Perte du statut de membre" not in html
    assert "Article 12 – Droit applicable" not in html


def test_missing_key_is_reported(signature, settings, tmp_path):
    settings.CHARTER_SIGNING_KEY = str(tmp_path / "absente.pem")
    settings.CHARTER_SIGNING_CERT = str(tmp_path / "absent.pem")
    with pytest.raises(SigningKeyMissing):
        certificate_pdf(signature)


def test_create_signing_key_command(tmp_path, settings, capsys):
    settings.CHARTER_SIGNING_KEY = str(tmp_path / "cle" / "key.pem")
    settings.CHARTER_SIGNING_CERT = str(tmp_path / "cle" / "cert.pem")
    call_command("create_signing_key")
    out = capsys.readouterr().out
    assert "Empreinte SHA-256" in out
    assert (tmp_path / "cle" / "key.pem").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "cle" / "cert.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    with pytest.raises(CommandError, match="existe déjà"):
        call_command("create_signing_key")
