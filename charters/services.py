"""Writes of the charter: versions (W1, X1), signatures (M4, E1, W2).

Reminders (X1, X4) are deadlines of the engine: charters/deadlines.py."""

import datetime
import logging

from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.emails import email_notify
from core.public_cache import public_pages_changed
from core.site import absolute_url

from . import organisations, selectors
from .audit_actions import ChartersAudit
from .constants import (
    AUTH_METHOD_REENTERED_PASSWORD,
    GENESIS_HASH,
    SignatureCapacity,
    SignatureScope,
)
from .evidence import compute_record_hash, new_verification_code
from .exceptions import (
    AlreadySigned,
    ConsentMissing,
    InvalidVersion,
    NotASignatory,
    SameSignerTwice,
    ScopeNotAllowed,
    VersionFrozen,
    VersionNotInForce,
    WrongPassword,
)
from .models import CharterVersion, Signature

logger = logging.getLogger(__name__)

_MAX_CHAIN_RETRIES = 5


# --- Versions (W1, X1) -------------------------------------------------------------------


@transaction.atomic
def charter_version_revise(
    *,
    version: CharterVersion,
    label: str,
    effective_date: datetime.date,
    change_note: str,
    actor,
    body: str | None = None,
    title: str | None = None,
    end_date: datetime.date | None = None,
    parameters: dict | None = None,
    requires_head_signature: bool | None = None,
    now: datetime.datetime | None = None,
) -> CharterVersion:
    """Charter art. 10 (W1): editing a published version creates a new draft version."""
    draft = CharterVersion(
        label=label.strip(),
        title=title if title is not None else version.title,
        body=body if body is not None else version.body,
        effective_date=effective_date,
        change_note=change_note,
        parameters=parameters if parameters is not None else dict(version.parameters),
        requires_head_signature=(
            version.requires_head_signature
            if requires_head_signature is None
            else requires_head_signature
        ),
        published_at=None,
    )
    try:
        # X1: unless given, the latest end date its parameters allow.
        draft.end_date = end_date if end_date is not None else draft.governance.latest_end_date
        draft.full_clean()
    except Exception as error:  # a label taken, an end date after the latest, bad parameters
        raise InvalidVersion(_("Version invalide : %(error)s") % {"error": error}) from error
    draft.save()
    audit_log(
        action=ChartersAudit.VERSION_DRAFTED,
        actor=actor,
        target=draft,
        data={"from": version.label, "label": draft.label},
        now=now,
    )
    return draft


@transaction.atomic
def charter_version_publish(
    *, version: CharterVersion, actor, now: datetime.datetime | None = None
) -> CharterVersion:
    """Publish a draft: its text is frozen from now on (W1); the version it replaces
    ends the day before it comes into force (X1, X4: members then sign the new one)."""
    now = now or timezone.now()
    version = CharterVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise VersionFrozen()
    replaced = list(
        selectors.published_versions().filter(
            effective_date__lt=version.effective_date, end_date__gte=version.effective_date
        )
    )
    for old in replaced:
        old.end_date = version.effective_date - datetime.timedelta(days=1)
        old.save(update_fields=["end_date", "updated_at"])
    version.published_at = now
    version.save(update_fields=["published_at", "updated_at"])
    public_pages_changed()  # the public charter pages and the parameters the directory reads
    audit_log(
        action=ChartersAudit.VERSION_PUBLISHED,
        actor=actor,
        target=version,
        data={
            "label": version.label,
            "text_sha256": version.text_sha256,
            "effective_date": version.effective_date.isoformat(),
            "end_date": version.end_date.isoformat(),
            "replaces": [old.label for old in replaced],
        },
        now=now,
    )
    return version


# --- Signatures (M4, E1, W2) ---------------------------------------------------------------


def consent_sentence(
    *, version: CharterVersion, organisation, signer, scope: str, capacity: str
) -> str:
    """The sentence the signer ticks; it names the organisation and the version."""
    role = (
        _("en qualité de dirigeant de l'entité")
        if capacity == SignatureCapacity.HEAD
        else _("en qualité de signataire habilité")
    )
    params = {
        "name": signer.get_full_name() or signer.email,
        "role": role,
        "organisation": organisation.legal_name,
        "label": version.label,
        "title": version.title,
    }
    if scope == SignatureScope.ETHICS:
        return (
            _(
                "Je soussigné(e) %(name)s, %(role)s, déclare avoir lu l'article 3.3 "
                "(éthique et confidentialité) de la charte « %(title)s », version %(label)s, "
                "et engage %(organisation)s à le respecter. Je reconnais que cette signature "
                "électronique m'engage au même titre qu'une signature manuscrite."
            )
            % params
        )
    return (
        _(
            "Je soussigné(e) %(name)s, %(role)s, déclare avoir lu la charte « %(title)s », "
            "version %(label)s, et engage %(organisation)s à la respecter. Je reconnais que "
            "cette signature électronique m'engage au même titre qu'une signature manuscrite."
        )
        % params
    )


def _normalise_ip(ip_address: str | None) -> str | None:
    if not ip_address:
        return None
    try:
        return models.GenericIPAddressField().get_prep_value(ip_address.strip())
    except Exception:  # a malformed address is not evidence: keep none rather than fail
        return None


@transaction.atomic
def signature_record(
    *,
    version: CharterVersion,
    organisation,
    signer,
    password: str,
    consent_given: bool,
    scope: str | None = None,
    capacity: str = SignatureCapacity.SIGNATORY,
    ip_address: str | None = None,
    user_agent: str = "",
    now: datetime.datetime | None = None,
    notify: bool = True,
) -> Signature:
    """Record one signature of a charter version, with its evidence.

    ``notify`` e-mails the signer a receipt with the verification code, after commit
    (the membership application sends its own confirmation instead).

    Charter art. 3.1 (M4): this is the step the membership application calls, in the
    same transaction as the application, so that no application exists unsigned.
    Every check runs before anything is written: a refused signature records nothing.
    """
    now = (now or timezone.now()).replace(microsecond=0)
    if not consent_given:
        raise ConsentMissing()
    # Re-authentication: the evidence says the signer re-entered their password.
    if not password or not signer.check_password(password):
        raise WrongPassword()
    in_force = selectors.charter_version_in_force(on=timezone.localdate(now))
    if in_force is None or in_force.pk != version.pk:
        raise VersionNotInForce()
    representation = (
        selectors.signatory_representations(user=signer, on=timezone.localdate(now))
        .filter(organisation=organisation)
        .first()
    )
    if representation is None:
        raise NotASignatory()
    if capacity not in SignatureCapacity.values:
        raise InvalidVersion(_("Qualité de signataire inconnue."))
    if capacity == SignatureCapacity.HEAD and not version.requires_head_signature:
        raise InvalidVersion(_("Cette version ne demande pas de seconde signature du dirigeant."))
    # Charter art. 3.3, 4, 5 (E1): members sign the whole charter, partners and invitees
    # may commit to art. 3.3 only.
    status = organisations.organisation_status(organisation=organisation, at=now)
    required = selectors.scope_required_for(status)
    scope = scope or required
    if scope not in SignatureScope.values or (
        scope == SignatureScope.ETHICS and required == SignatureScope.FULL
    ):
        raise ScopeNotAllowed()
    existing = list(Signature.objects.filter(organisation=organisation, version=version))
    if any(
        s.capacity == capacity and (s.scope == scope or s.scope == SignatureScope.FULL)
        for s in existing
    ):
        raise AlreadySigned()
    # W2: the head of the organisation and the participant are two different persons.
    if any(s.signer_id == signer.pk and s.capacity != capacity for s in existing):
        raise SameSignerTwice()

    consent = consent_sentence(
        version=version, organisation=organisation, signer=signer, scope=scope, capacity=capacity
    )
    for _attempt in range(_MAX_CHAIN_RETRIES):
        last = Signature.objects.select_for_update().order_by("-id").first()
        signature = Signature(
            version=version,
            text_sha256=version.text_sha256,
            organisation=organisation,
            organisation_name=organisation.legal_name,
            signer=signer,
            signer_name=signer.get_full_name() or signer.email,
            signer_email=signer.email,
            signer_role=representation.job_title,
            capacity=capacity,
            scope=scope,
            signed_at=now,
            ip_address=_normalise_ip(ip_address),
            user_agent=(user_agent or "")[:1000],
            auth_method=AUTH_METHOD_REENTERED_PASSWORD,
            consent_text=consent,
            verification_code=new_verification_code(),
            previous_hash=last.record_hash if last else GENESIS_HASH,
        )
        signature.record_hash = compute_record_hash(signature)
        try:
            with transaction.atomic():
                signature.save()
        except IntegrityError:
            # A double submit racing this one, or another signature taking the same link.
            if Signature.objects.filter(
                organisation=organisation, version=version, scope=scope, capacity=capacity
            ).exists():
                raise AlreadySigned() from None
            continue
        break
    else:  # pragma: no cover - only under sustained contention
        raise AlreadySigned(_("La signature n'a pas pu être enregistrée, réessayez."))
    audit_log(
        action=ChartersAudit.SIGNATURE_RECORDED,
        actor=signer,
        target=signature,
        data={
            "organisation": organisation.pk,
            "version": version.label,
            "scope": scope,
            "capacity": capacity,
            "verification_code": signature.verification_code,
            "record_hash": signature.record_hash,
        },
        now=now,
    )
    if notify:
        _signature_receipt_enqueue(signature)
    return signature


def _signature_receipt_enqueue(signature: Signature) -> None:
    """The signer's receipt, in their language, queued through Celery after commit (the
    outbox keeps it if Redis is down: the signature itself never waits for the broker)."""
    url = absolute_url(reverse("charters:signature", kwargs={"code": signature.verification_code}))
    email_notify(
        kind="signature_receipt",
        to=[signature.signer_email],
        subject=lambda: (
            _("Votre signature de la charte %(label)s") % {"label": signature.version.label}
        ),
        template="charters/email/signature_receipt",
        context={"signature": signature, "url": url},
        language=getattr(signature.signer, "language", ""),
    )
