"""Writes of referents (art. 9: R1-R4): appointment, end, contacts logged, and the
public contact form of the zone referents with its limits against abuse.

Every change is checked here, whatever the caller (page, admin action), and written
with its audit entry in one transaction (ARCHITECTURE §2, §5, §8).
"""

import datetime
import re
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charters.selectors import charter_parameters
from core.audit import audit_log
from core.public_cache import public_pages_changed
from core.roles import is_copil
from core.throttle import over_limit
from governance.audit_actions import REFERENT_ENDED, ReferentsAudit
from governance.exceptions import NotAllowed, ReferentError
from governance.selectors import organisation_is_member
from governance.services import email_notify_in_french, require_copil, resolve_now
from members.models import Representative

from .models import (
    BodyKind,
    HierarchyAgreement,
    Referent,
    ReferentBody,
    ReferentContact,
    ReferentEndReason,
    ReferentMessage,
)

# --- Referents (art. 9: R1-R4) ----------------------------------------------------------------------


@transaction.atomic
def referent_appoint(
    *,
    representative: Representative,
    bodies: Iterable[tuple[str, str]],
    hierarchy_agreement: str,
    available_min_years: bool,
    actor,
    hierarchy_agreement_on: datetime.date | None = None,
    start_date: datetime.date | None = None,
    is_zone_referent: bool = False,
    zone_departments: Iterable[str] = (),
    notes: str = "",
    now=None,
) -> Referent:
    """Charter art. 9 (R1, R2, R4): the COPIL appoints a referent among the representatives
    of members, with no end date."""
    now = resolve_now(now)
    require_copil(actor)
    day = start_date or timezone.localdate(now)
    params = charter_parameters(on=day)
    if not representative.is_active_on(day) or not organisation_is_member(
        organisation=representative.organisation, at=now
    ):
        raise ReferentError(_("Un référent est un représentant actif d'une entité membre."))
    bodies = [(kind, (name or "").strip()) for kind, name in bodies]
    if not bodies:
        raise ReferentError(
            _("Indiquez au moins un organisme avec lequel le référent est en relation.")
        )
    if any(kind not in BodyKind.values for kind, _name in bodies):
        raise ReferentError(_("Type d'organisme inconnu."))
    if hierarchy_agreement not in HierarchyAgreement.values:
        raise ReferentError(_("Indiquez si l'accord de la hiérarchie est nécessaire."))
    if hierarchy_agreement == HierarchyAgreement.OBTAINED and not hierarchy_agreement_on:
        raise ReferentError(_("Indiquez la date de l'accord de la hiérarchie."))
    if not available_min_years:
        raise ReferentError(
            _("Le référent doit pouvoir servir de point de contact pendant au moins %(n)s an(s).")
            % {"n": params.referent_min_years}
        )
    departments = sorted(set(zone_departments))
    if is_zone_referent:
        if not departments:
            raise ReferentError(_("Un référent de zone couvre au moins un département."))
        outside = [d for d in departments if d not in params.grand_est_departments]
        if outside:
            raise ReferentError(
                _("Départements hors du Grand Est : %(list)s.") % {"list": ", ".join(outside)}
            )
    elif departments:
        raise ReferentError(_("Seul un référent de zone couvre des départements."))
    if Referent.objects.filter(representative=representative, end_date__isnull=True).exists():
        raise ReferentError(_("Cette personne est déjà référente pour cette entité."))
    referent = Referent.objects.create(
        representative=representative,
        hierarchy_agreement=hierarchy_agreement,
        hierarchy_agreement_on=hierarchy_agreement_on
        if hierarchy_agreement == HierarchyAgreement.OBTAINED
        else None,
        available_min_years=True,
        start_date=day,
        appointed_by=actor if getattr(actor, "pk", None) else None,
        is_zone_referent=is_zone_referent,
        zone_departments=departments,
        notes=notes,
    )
    for kind, name in bodies:
        ReferentBody.objects.create(referent=referent, kind=kind, name=name[:200])
    public_pages_changed()  # R4: a zone referent shows on /referents/ at once
    audit_log(
        action=ReferentsAudit.APPOINTED,
        actor=actor,
        target=referent,
        data={
            "representative": representative.pk,
            "bodies": [kind for kind, _name in bodies],
            "zone": departments,
        },
        now=now,
    )
    return referent


@transaction.atomic
def referent_end(
    *, referent: Referent, reason: str, actor, end_date: datetime.date | None = None, now=None
) -> Referent:
    """Charter art. 9 (R2): the mission ends by COPIL decision or by resignation."""
    now = resolve_now(now)
    referent = (
        Referent.objects.select_for_update().select_related("representative").get(pk=referent.pk)
    )
    if reason == ReferentEndReason.RESIGNATION:
        if getattr(actor, "pk", None) != referent.representative.user_id:
            raise NotAllowed(_("Seul le référent lui-même peut démissionner."))
    elif reason == ReferentEndReason.COPIL_DECISION:
        require_copil(actor)
    else:
        raise ReferentError(_("Motif de fin inconnu."))
    if referent.end_date is not None:
        raise ReferentError(_("Cette mission a déjà pris fin."))
    day = end_date or timezone.localdate(now)
    if day < referent.start_date:
        raise ReferentError(_("La fin ne peut précéder le début de la mission."))
    referent.end_date, referent.end_reason, referent.ended_by = day, reason, actor
    referent.save(update_fields=["end_date", "end_reason", "ended_by", "updated_at"])
    public_pages_changed()
    audit_log(
        action=REFERENT_ENDED[reason],
        actor=actor,
        target=referent,
        data={"end_date": day.isoformat()},
        now=now,
    )
    if reason == ReferentEndReason.RESIGNATION:
        email_notify_in_french(
            to=[settings.COPIL_EMAIL],
            subject=_("Démission d'un référent"),
            template="referent_resigned",
            context={"referent": referent, "date": day},
        )
    return referent


@transaction.atomic
def referent_contact_log(
    *,
    referent: Referent,
    date: datetime.date,
    body_kind: str,
    body_name: str,
    subject: str,
    actor,
    outcome: str = "",
    now=None,
) -> ReferentContact:
    """Charter art. 9 (R3): referents keep the COPIL informed of their contacts."""
    now = resolve_now(now)
    if getattr(actor, "pk", None) != referent.representative.user_id and not is_copil(actor):
        raise NotAllowed(_("Seul le référent tient son journal de contacts."))
    if referent.end_date is not None and date > referent.end_date:
        raise ReferentError(_("Cette mission a pris fin avant cette date."))
    if date > timezone.localdate(now):
        raise ReferentError(_("Un contact se consigne une fois qu'il a eu lieu."))
    contact = ReferentContact(
        referent=referent,
        date=date,
        body_kind=body_kind,
        body_name=body_name.strip(),
        subject=subject.strip(),
        outcome=outcome.strip(),
        logged_by=actor,
    )
    try:
        contact.full_clean()
    except ValidationError as error:
        raise ReferentError(" ".join(error.messages)) from error
    contact.save()
    audit_log(
        action=ReferentsAudit.CONTACT_LOGGED,
        actor=actor,
        target=referent,
        data={"contact": contact.pk, "body_kind": body_kind},
        now=now,
    )
    return contact


# The public contact form (R4): limits against abuse.
CONTACT_MESSAGE_MAX_CHARS = 3000
CONTACT_RATE_LIMIT = 5  # messages per address...
CONTACT_RATE_WINDOW = 60 * 60  # ...per hour
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def contact_token_new() -> str:
    """The one-time token a contact form carries: a resubmission sends nothing twice."""
    return secrets.token_urlsafe(24)


def contact_rate_limited(*, client_key: str) -> bool:
    """Count one submission from ``client_key``; True once over the limit (cache-based)."""
    return over_limit(
        f"governance:referent-contact:{client_key}",
        limit=CONTACT_RATE_LIMIT,
        window=CONTACT_RATE_WINDOW,
    )


@transaction.atomic
def referent_message_send(
    *,
    referent: Referent,
    submission_token: str,
    sender_name: str,
    sender_email: str,
    message: str,
    sender_organisation: str = "",
    now=None,
) -> tuple[ReferentMessage, bool]:
    """Charter art. 9 (R4): relay a message to a zone referent by e-mail; the referent's
    address is never shown. Returns (message, sent): a submission already received (same
    token) is not sent a second time."""
    now = resolve_now(now)
    if not _TOKEN_RE.match(submission_token or ""):
        raise ReferentError(
            _("Le formulaire a expiré : rechargez la page et renvoyez votre message.")
        )
    existing = ReferentMessage.objects.filter(submission_token=submission_token).first()
    if existing is not None:
        return existing, False
    if not referent.is_zone_referent or referent.end_date is not None:
        raise ReferentError(_("Ce référent de zone n'est plus joignable par ce formulaire."))
    message = message.strip()
    if not message or not sender_name.strip() or not sender_email.strip():
        raise ReferentError(
            _("Votre nom, votre adresse e-mail et votre message sont obligatoires.")
        )
    if len(message) > CONTACT_MESSAGE_MAX_CHARS:
        raise ReferentError(
            _("Votre message dépasse %(n)s caractères.") % {"n": CONTACT_MESSAGE_MAX_CHARS}
        )
    try:
        with transaction.atomic():
            relayed = ReferentMessage.objects.create(
                referent=referent,
                submission_token=submission_token,
                sender_name=sender_name.strip(),
                sender_email=sender_email.strip(),
                sender_organisation=sender_organisation.strip(),
                message=message,
                received_at=now,
            )
    except IntegrityError:
        # The same submission, posted twice at once: the first one sends.
        return ReferentMessage.objects.get(submission_token=submission_token), False
    email_notify_in_french(
        to=[referent.representative.user.email],
        subject=_("Message reçu via la page des référents de zone"),
        template="referent_message",
        context={"relayed": relayed, "referent": referent},
        reply_to=[relayed.sender_email],
    )
    return relayed, True
