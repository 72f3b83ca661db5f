"""The seal with a CA-issued certificate and an RFC 3161 time stamp (PAdES B-T / B-LT),
checked by pyHanko's own command line against a local CA and TSA (certomancer)."""

import hashlib
import io
import logging
import socket
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse

from charters.certificates import (
    SigningKeyMissing,
    certificate_context,
    certificate_pdf,
    check_seal,
    seal_certificate,
)
from tests.charters.factories import signatory
from tests.charters.test_signatures import sign
from tests.core.pdf_markers import assert_archival_and_tagged

PYHANKO = Path(sys.executable).with_name("pyhanko")


def validate(pdf: bytes, folder: Path, root: Path) -> subprocess.CompletedProcess:
    """``pyhanko sign validate`` trusting the local root CA only."""
    path = folder / "certificat.pdf"
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603 - the venv's pyhanko on a file of the test's own
        [str(PYHANKO), "sign", "validate", "--pretty-print", "--trust", str(root),
         "--trust-replace", str(path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"


@pytest.fixture
def signature(version):
    return sign(signatory(job_title="Présidente"), version)


def test_the_downloaded_certificate_validates_with_pyhanko_and_shows_its_time_stamp(
    client, version, ca_seal, tmp_path
):
    rep = signatory()
    signature = sign(rep, version)
    client.force_login(rep.user)
    response = client.get(
        reverse("charters:certificate", kwargs={"code": signature.verification_code})
    )
    assert response.status_code == 200
    pdf = response.content

    result = validate(pdf, tmp_path, ca_seal.root)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "The signature is judged VALID." in out
    assert "The signer's certificate is trusted." in out
    assert 'Trust anchor: "Common Name: Racine de test' in out
    assert "Signature timestamp token: " in out
    assert "The TSA certificate is trusted." in out
    assert "The timestamp token is cryptographically sound." in out

    # B-LT: the chain and the OCSP/CRL answers travel with the file (its DSS).
    with pikepdf.open(io.BytesIO(pdf)) as document:
        dss = document.Root.DSS
        assert len(dss.Certs) >= 3
        assert len(dss.get("/OCSPs", [])) + len(dss.get("/CRLs", [])) >= 1
    # The seal is an incremental update: the file is still PDF/A-3a and PDF/UA-1.
    title = f"Certificat de signature — {version.title} {version.label}"
    assert_archival_and_tagged(pdf, tmp_path, title=title, lang="fr")

    check = check_seal(pdf)
    assert check.ok is True
    assert check.code == signature.verification_code
    assert check.timestamped_at is not None


def test_one_changed_byte_makes_pyhanko_reject_the_certificate(signature, ca_seal, tmp_path):
    pdf = bytearray(certificate_pdf(signature))
    position = len(pdf) // 3
    pdf[position] = (pdf[position] + 1) % 256
    result = validate(bytes(pdf), tmp_path, ca_seal.root)
    assert "The signature is judged VALID." not in result.stdout
    assert check_seal(bytes(pdf)).ok is False


def test_bytes_appended_after_the_validation_data_break_the_seal(signature, ca_seal):
    pdf = certificate_pdf(signature)
    assert check_seal(pdf).ok is True
    assert check_seal(pdf + b"\n% ajout\n").ok is False


def test_the_verification_page_shows_the_time_stamp(client, signature, ca_seal):
    upload = SimpleUploadedFile("c.pdf", certificate_pdf(signature), content_type="application/pdf")
    html = client.post(reverse("charters:verify"), {"certificate": upload}).content.decode()
    assert "Certificat valide." in html
    assert "Horodaté par l'autorité d'horodatage le" in html


def test_when_the_tsa_does_not_answer_the_certificate_is_sealed_without_time_stamp(
    signature, ca_seal, settings, tmp_path, caplog
):
    settings.CHARTER_TSA_URL = closed_port_url()
    with caplog.at_level(logging.WARNING, logger="charters.certificates"):
        pdf = certificate_pdf(signature)
    assert "unavailable, sealed without" in caplog.text
    check = check_seal(pdf)
    assert check.ok is True
    assert check.timestamped_at is None
    result = validate(pdf, tmp_path, ca_seal.root)
    assert "The signature is judged VALID." in result.stdout
    assert "Signature timestamp token" not in result.stdout


def test_without_long_term_data_the_seal_still_carries_its_time_stamp(
    signature, ca_seal, settings, signing_key, tmp_path, caplog
):
    """A self-signed seal certificate and a TSA of another CA: no full chain to embed
    (no B-LT), the time stamp (B-T) is kept."""
    settings.CHARTER_SIGNING_CHAIN = None
    settings.CHARTER_TSA_URL = ca_seal.tsa_url
    with caplog.at_level(logging.WARNING, logger="charters.certificates"):
        pdf = certificate_pdf(signature)
    assert "without long-term validation data" in caplog.text
    check = check_seal(pdf)
    assert check.ok is True
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert "/DSS" not in document.Root


def test_the_evidence_page_lists_the_seal_certificate_and_the_time_source(signature, ca_seal):
    seal = seal_certificate()
    html = render_to_string(
        "charters/pdf/certificate.html", certificate_context(signature, seal=seal)
    )
    for value in (
        signature.signer_name,
        signature.signer_email,
        signature.organisation_name,
        "Présidente",
        "mot de passe ressaisi",
        "203.0.113.7",
        signature.text_sha256,
        hashlib.sha256(signature.consent_text.encode()).hexdigest(),
        "Portail COS-GE — sceau des certificats",
        "Autorité intermédiaire de test",
        seal.serial,
        seal.sha256,
        ca_seal.tsa_url,
    ):
        assert value in html, value
    assert "Heure de l'horloge du serveur" not in html


def test_without_tsa_the_evidence_page_says_the_time_is_the_servers(signature, signing_key):
    html = render_to_string(
        "charters/pdf/certificate.html", certificate_context(signature, seal=seal_certificate())
    )
    assert "Heure de l'horloge du serveur du portail" in html


def test_a_missing_chain_file_is_reported_as_a_missing_key(signature, ca_seal, settings, tmp_path):
    pdf = certificate_pdf(signature)
    settings.CHARTER_SIGNING_CHAIN = str(tmp_path / "absente.pem")
    with pytest.raises(SigningKeyMissing):
        certificate_pdf(signature)
    with pytest.raises(SigningKeyMissing):
        check_seal(pdf)
