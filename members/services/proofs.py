"""Proof of commitments (N1): the COPIL asks, the organisation uploads; uploads are checked
on their content."""

import datetime

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.site import absolute_url
from core.uploads import content_starts_with, image_format

from ..audit_actions import MembersAudit
from ..exceptions import InvalidUpload, MembersError
from ..models import Organisation, ProofDocument, ProofRequest
from ._common import (
    _representative_emails,
    _require_copil,
    _require_representative,
    _send_on_commit,
)

# Uploaded proofs: PDF or images, checked on their content, never on their name.
PROOF_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_FORMATS: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}
UPLOAD_CONTENT_TYPES = dict(UPLOAD_FORMATS.values())


def upload_name_check(name: str) -> str:
    """The uploaded file's name for display; MembersError when it tries a path trick."""
    import unicodedata

    if (
        not name
        or "/" in name
        or "\\" in name
        or name.startswith(".")
        or ".." in name
        or any(unicodedata.category(char) == "Cc" for char in name)
    ):
        raise InvalidUpload(
            _("Le nom du fichier n'est pas accepté : renommez-le (lettres, chiffres, tirets).")
        )
    return get_valid_filename(name)[:200]


def upload_check(*, file, formats=("pdf", "PNG", "JPEG", "WEBP")) -> tuple[str, str]:
    """(extension, content type) of an acceptable upload; InvalidUpload otherwise (N1).

    The type is read from the content (the PDF signature, or Pillow for images); the
    size is limited; the name is never used as a path.
    """
    max_bytes = getattr(settings, "PROOF_MAX_BYTES", PROOF_MAX_BYTES)
    if file.size > max_bytes:
        raise InvalidUpload(_("Le fichier dépasse %(size)s.") % {"size": filesizeformat(max_bytes)})
    upload_name_check(file.name)
    if "pdf" in formats and content_starts_with(file, b"%PDF-"):
        return UPLOAD_FORMATS["pdf"]
    found = image_format(file)
    if found in formats:
        return UPLOAD_FORMATS[found]
    accepted = ", ".join("PDF" if f == "pdf" else f for f in formats)
    raise InvalidUpload(
        _("Ce type de fichier n'est pas accepté : %(formats)s uniquement.") % {"formats": accepted}
    )


@transaction.atomic
def proof_request_create(
    *,
    organisation: Organisation,
    actor,
    description: str,
    due_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> ProofRequest:
    """N1: the COPIL asks a member for proof of its commitments."""
    _require_copil(actor)
    now = now or timezone.now()
    if not description.strip():
        raise MembersError(_("Précisez les documents demandés."), field="description")
    proof_request = ProofRequest.objects.create(
        organisation=organisation,
        description=description.strip(),
        due_on=due_on,
        requested_by=actor,
        requested_at=now,
    )
    audit_log(action=MembersAudit.PROOF_REQUESTED, actor=actor, target=proof_request, now=now)
    recipients = _representative_emails(organisation, on=timezone.localdate(now))
    slug = organisation.slug

    def member_email():
        return {
            "to": recipients,
            "subject": _("Justificatifs demandés par le COPIL"),
            "paragraphs": [
                _("Bonjour,"),
                _("Le COPIL vous demande les documents suivants :"),
                proof_request.description,
                _("Déposez-les dans votre espace membre : %(url)s")
                % {"url": absolute_url(reverse("member_space:organisation", args=[slug]))},
            ],
        }

    _send_on_commit(member_email)
    return proof_request


@transaction.atomic
def proof_document_upload(
    *, proof_request: ProofRequest, file, actor, now: datetime.datetime | None = None
) -> ProofDocument:
    """N1: a representative uploads a document; stored privately, never under a public URL.

    A refused file (type, size, name) stores nothing: checks run before any write.
    """
    now = now or timezone.now()
    _require_representative(actor, proof_request.organisation, on=timezone.localdate(now))
    if proof_request.closed_at is not None:
        raise MembersError(_("Cette demande est close."))
    extension, content_type = upload_check(file=file)
    original_name = upload_name_check(file.name)
    document = ProofDocument(
        request=proof_request,
        original_name=original_name,
        content_type=content_type,
        size=file.size,
        uploaded_by=actor,
        uploaded_at=now,
    )
    document.file.save(f"justificatif.{extension}", file, save=False)
    stored = document.file.name
    try:
        document.save()
        audit_log(
            action=MembersAudit.PROOF_UPLOADED,
            actor=actor,
            target=document,
            data={"request": proof_request.pk, "size": file.size, "type": content_type},
            now=now,
        )
    except Exception:
        document.file.storage.delete(stored)
        raise
    return document
