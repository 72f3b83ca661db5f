"""The evidence of a signature: its canonical fields, their hash chain, verification codes.

Each signature row stores ``record_hash = SHA-256(previous_hash + canonical fields)``,
``previous_hash`` being the ``record_hash`` of the row signed just before (or
``GENESIS_HASH`` for the first one). Altering a row changes its hash; removing a row
breaks the link of the next one; the audit trail also keeps each hash, so removing the
last rows is detected too.
"""

import datetime
import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field

from .constants import GENESIS_HASH
from .models import text_hash

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud or retyped
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4


def new_verification_code() -> str:
    groups = [
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    ]
    return "COSGE-" + "-".join(groups)


def normalise_code(raw: str) -> str:
    """Accept the code typed with spaces, lower case or without dashes."""
    compact = re.sub(r"[^0-9A-Za-z]", "", raw or "").upper()
    compact = compact.removeprefix("COSGE")
    size = CODE_GROUPS * CODE_GROUP_LENGTH
    if len(compact) != size:
        return ""
    groups = [compact[i : i + CODE_GROUP_LENGTH] for i in range(0, size, CODE_GROUP_LENGTH)]
    return "COSGE-" + "-".join(groups)


def utc_iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


def record_fields(signature) -> dict:
    """The fields covered by the record hash, as plain JSON values."""
    return {
        "version_id": signature.version_id,
        "version_label": signature.version.label,
        "text_sha256": signature.text_sha256,
        "organisation_id": signature.organisation_id,
        "organisation_name": signature.organisation_name,
        "signer_id": signature.signer_id,
        "signer_name": signature.signer_name,
        "signer_email": signature.signer_email,
        "signer_role": signature.signer_role,
        "capacity": signature.capacity,
        "scope": signature.scope,
        "signed_at": utc_iso(signature.signed_at),
        "ip_address": signature.ip_address or "",
        "user_agent": signature.user_agent,
        "auth_method": signature.auth_method,
        "consent_text": signature.consent_text,
        "verification_code": signature.verification_code,
    }


def compute_record_hash(signature) -> str:
    payload = json.dumps(
        record_fields(signature), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256((signature.previous_hash + "\n" + payload).encode()).hexdigest()


@dataclass
class ChainReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(signatures, *, anchored_hashes=None) -> ChainReport:
    """Check the links and hashes of ``signatures`` (in insertion order).

    ``anchored_hashes``: record hashes written elsewhere (the audit trail); each must
    still be in the chain, so deleting the newest rows is detected as well.
    """
    report = ChainReport()
    expected_previous = GENESIS_HASH
    seen = set()
    for signature in signatures:
        report.checked += 1
        if signature.previous_hash != expected_previous:
            report.problems.append(
                f"signature #{signature.pk}: previous_hash does not match the record before it"
            )
        if compute_record_hash(signature) != signature.record_hash:
            report.problems.append(f"signature #{signature.pk}: fields altered (hash mismatch)")
        if signature.text_sha256 != signature.version.text_sha256:
            report.problems.append(
                f"signature #{signature.pk}: the signed text hash differs from the version's"
            )
        if text_hash(signature.version.body) != signature.text_sha256:
            report.problems.append(
                f"signature #{signature.pk}: the stored charter text no longer matches its hash"
            )
        expected_previous = signature.record_hash
        seen.add(signature.record_hash)
    for anchored in anchored_hashes or ():
        if anchored not in seen:
            report.problems.append(f"record {anchored[:12]}… is in the audit trail but missing")
    return report
