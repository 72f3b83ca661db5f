"""PDF certificates of signatures: rendered by WeasyPrint, sealed by pyHanko.

The seal is a PAdES signature made with the portal's key and certificate, their paths
read from the environment (CHARTER_SIGNING_KEY, CHARTER_SIGNING_CERT, and
CHARTER_SIGNING_CHAIN for the CA certificates of a certificate issued by a CA;
``create_signing_key`` makes a self-signed one for development). With CHARTER_TSA_URL,
an RFC 3161 time stamp proves when it was sealed. It covers the whole file: any later
change of a byte makes validation fail. The verification code is written in the
seal's ``/Reason`` too, inside the signed bytes, so an uploaded PDF can be tied to
its recorded signature.
"""

import datetime
import functools
import hashlib
import io
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils import timezone

from core.pdf import render_pdf
from core.site import site_root

from .constants import SignatureScope
from .text import ARTICLE_3_3, parse_charter

SEAL_FIELD = "SceauCOSGE"
REASON_PREFIX = "Certificat de signature de la charte COS-GE"
CODE_IN_REASON_RE = re.compile(r"code (COSGE-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")
TSA_TIMEOUT_SECONDS = 10

logger = logging.getLogger(__name__)


class SigningKeyMissing(Exception):
    """The portal's signing key or certificate is not where the environment says."""


def signing_paths() -> tuple[Path, Path]:
    """Key and certificate paths: settings (tests), then environment, then dev defaults."""
    default_dir = Path(settings.BASE_DIR) / "secrets"
    key = getattr(settings, "CHARTER_SIGNING_KEY", None) or os.environ.get(
        "CHARTER_SIGNING_KEY", default_dir / "charter-signing-key.pem"
    )
    cert = getattr(settings, "CHARTER_SIGNING_CERT", None) or os.environ.get(
        "CHARTER_SIGNING_CERT", default_dir / "charter-signing-cert.pem"
    )
    return Path(key), Path(cert)


def create_signing_key(
    *,
    key_path: Path,
    cert_path: Path,
    common_name: str = "Portail COS-GE — sceau des certificats",
    years: int = 10,
) -> x509.Certificate:
    """Create an ECDSA P-256 key and a self-signed certificate usable to seal PDFs.

    ECDSA rather than RSA: as strong as RSA-3072, and loading and signing take a
    millisecond, which keeps a certificate under the 2 s budget of issue 4.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "COS-GE"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = timezone.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate


def signing_chain_path() -> Path | None:
    """The CA certificates between the seal certificate and its root (PEM), if any."""
    chain = getattr(settings, "CHARTER_SIGNING_CHAIN", None) or os.environ.get(
        "CHARTER_SIGNING_CHAIN"
    )
    return Path(chain) if chain else None


def _signer():
    key_path, cert_path = signing_paths()
    chain_path = signing_chain_path()
    for path in (key_path, cert_path, chain_path):
        if path is not None and not path.is_file():
            raise SigningKeyMissing(
                f"No signing key, certificate or chain at {path}: run manage.py create_signing_key."
            )
    return _load_signer(
        str(key_path), str(cert_path), str(chain_path or ""), key_path.stat().st_mtime_ns
    )


@functools.lru_cache(maxsize=4)
def _load_signer(key_path: str, cert_path: str, chain_path: str, _mtime: int):
    from pyhanko.sign import signers

    return signers.SimpleSigner.load(
        key_path, cert_path, ca_chain_files=(chain_path,) if chain_path else None
    )


def _portal_certificate():
    from pyhanko.keys import load_cert_from_pemder

    _, cert_path = signing_paths()
    if not cert_path.is_file():
        raise SigningKeyMissing(f"No signing certificate at {cert_path}.")
    return load_cert_from_pemder(str(cert_path))


def _chain_certificates() -> list:
    from pyhanko.keys import load_certs_from_pemder

    chain_path = signing_chain_path()
    if chain_path is None:
        return []
    if not chain_path.is_file():
        raise SigningKeyMissing(f"No signing certificate chain at {chain_path}.")
    return list(load_certs_from_pemder([str(chain_path)]))


def _validation_context(*, fetch: bool):
    """Trust the portal's certificate and the roots of its chain (self-issued CAs)."""
    from pyhanko_certvalidator import ValidationContext

    chain = _chain_certificates()
    roots = [cert for cert in chain if cert.self_signed != "no"]
    return ValidationContext(
        trust_roots=[_portal_certificate(), *roots],
        other_certs=chain,
        allow_fetching=fetch,
    )


@dataclass
class SealCertificate:
    """What the evidence page says of the certificate that seals the file."""

    subject: str
    issuer: str
    serial: str
    sha256: str
    timestamp_url: str


def seal_certificate() -> SealCertificate:
    certificate = _signer().signing_cert
    return SealCertificate(
        subject=certificate.subject.human_friendly,
        issuer=certificate.issuer.human_friendly,
        serial=format(certificate.serial_number, "X"),
        sha256=certificate.sha256.hex(),
        timestamp_url=settings.CHARTER_TSA_URL,
    )


@functools.cache
def _pdfa3_signer_class():
    from pyhanko.pdf_utils.writer import BasePdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.signers import constants

    class PdfA3Signer(signers.PdfSigner):
        """Keep the file PDF 1.7, as PDF/A-3 requires.

        pyHanko declares PDF 2.0 (ISO 32002) for an ECDSA seal; PDF/A-3 is PDF 1.7, and
        PAdES allows ECDSA there through the ETSI extension it declares anyway.
        """

        def register_extensions(self, pdf_out: BasePdfFileWriter, *, md_algorithm: str):
            pdf_out.ensure_output_version(version=(1, 7))
            pdf_out.register_extension(constants.ESIC_EXTENSION_1)

    return PdfA3Signer


def _sign(pdf: bytes, *, code: str, timestamper=None, long_term: bool = False) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        reason=f"{REASON_PREFIX} — code {code}",
        location="Grand Est, France",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=long_term,
        validation_context=_validation_context(fetch=True) if long_term else None,
    )
    pdf_signer = _pdfa3_signer_class()(meta, signer=_signer(), timestamper=timestamper)
    return pdf_signer.sign_pdf(writer).getvalue()


def seal_pdf(pdf: bytes, *, code: str) -> bytes:
    """Seal ``pdf`` in an incremental update (the PDF/A rendering stays untouched).

    With CHARTER_TSA_URL: PAdES B-LT (time stamp, plus the certificates and OCSP/CRL
    answers that prove the chain at that time), else B-T when those cannot be fetched.
    When the time-stamping authority does not answer, the file is sealed without a time
    stamp rather than not delivered: the signature itself is already recorded, and the
    next download of the certificate asks the authority again.
    """
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

    url = settings.CHARTER_TSA_URL
    if not url:
        return _sign(pdf, code=code)
    timestamper = HTTPTimeStamper(url, timeout=TSA_TIMEOUT_SECONDS)
    try:
        try:
            return _sign(pdf, code=code, timestamper=timestamper, long_term=True)
        except (SigningError, PathBuildingError, PathValidationError) as error:
            logger.warning("Seal without long-term validation data (%s): %s", url, error)
            return _sign(pdf, code=code, timestamper=timestamper)
    except TimestampRequestError as error:
        logger.warning("Time-stamping authority %s unavailable, sealed without: %s", url, error)
        return _sign(pdf, code=code)


def certificate_context(signature, *, seal: SealCertificate | None = None) -> dict:
    document = parse_charter(signature.version.body)
    if signature.scope == SignatureScope.ETHICS:
        document = document.section(ARTICLE_3_3)
    return {
        "signature": signature,
        "version": signature.version,
        "document": document,
        "consent_sha256": hashlib.sha256(signature.consent_text.encode()).hexdigest(),
        "seal": seal,
        "site_url": site_root(),
        "generated_at": timezone.now(),
    }


def certificate_pdf(signature, *, language: str = "fr") -> bytes:
    """The sealed certificate: the signed text, then the evidence page."""
    pdf = render_pdf(
        "charters/pdf/certificate.html",
        certificate_context(signature, seal=seal_certificate()),
        language=language,
        metadata={
            "title": f"Certificat de signature — {signature.version.title} {signature.version.label}",
            "authors": ["COS-GE"],
            "description": f"Code de vérification {signature.verification_code}",
            "keywords": [signature.verification_code, signature.text_sha256],
        },
    )
    return seal_pdf(pdf, code=signature.verification_code)


@dataclass
class SealCheck:
    readable: bool = False
    sealed: bool = False
    intact: bool = False
    by_portal: bool = False
    whole_file: bool = False
    code: str = ""
    # The time certified by the time-stamping authority, when the seal carries a token.
    timestamped_at: datetime.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.readable and self.sealed and self.intact and self.by_portal and self.whole_file


def check_seal(data: bytes) -> SealCheck:
    """Is ``data`` a PDF sealed by the portal's key, unchanged since, and which code?"""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    check = SealCheck()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
        check.readable = True
    except Exception:  # noqa: BLE001 - any parsing failure means "not a valid certificate"
        return check
    seals = [s for s in signatures if s.field_name == SEAL_FIELD]
    if len(seals) != 1 or len(signatures) != 1:
        return check
    seal = seals[0]
    check.sealed = True
    try:
        portal_cert = _portal_certificate()
        status = validate_pdf_signature(seal, _validation_context(fetch=False))
    except SigningKeyMissing:
        raise
    except Exception:  # noqa: BLE001 - a damaged signature is an invalid certificate
        return check
    check.intact = bool(status.intact and status.valid)
    check.by_portal = bool(status.trusted and status.signing_cert.sha256 == portal_cert.sha256)
    # A long-term (B-LT) seal is followed by one revision that only adds validation data,
    # and nothing after that revision's end.
    check.whole_file = status.coverage.name == "ENTIRE_FILE" or (
        status.coverage.name == "ENTIRE_REVISION"
        and getattr(status.modification_level, "name", "") == "LTA_UPDATES"
        and data.rstrip().endswith(b"%%EOF")
    )
    stamp = status.timestamp_validity
    if check.intact and stamp is not None and stamp.intact and stamp.valid:
        check.timestamped_at = stamp.timestamp
    reason = str(seal.sig_object.get("/Reason", ""))
    match = CODE_IN_REASON_RE.search(reason)
    check.code = match.group(1) if match else ""
    return check


def seal_key_warning() -> str | None:
    """What /healthz says while certificates cannot be sealed, None when they can."""
    key_path, cert_path = signing_paths()
    if key_path.is_file() and cert_path.is_file():
        return None
    return (
        f"Sceau des certificats non configuré ({key_path}, {cert_path}) : aucun certificat "
        "de signature ne peut être produit. Définissez CHARTER_SIGNING_KEY et "
        "CHARTER_SIGNING_CERT, ou lancez manage.py create_signing_key."
    )
