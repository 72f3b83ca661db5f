"""The public contact form of the referents (R4) and its limits against abuse."""

import re
import secrets

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ...exceptions import ReferentError
from ...models.commissions import Referent, ReferentMessage
from ._common import _now, _send_mail

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
    key = f"governance:referent-contact:{client_key}"
    cache.add(key, 0, CONTACT_RATE_WINDOW)
    try:
        hits = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, CONTACT_RATE_WINDOW)
        hits = 1
    return hits > CONTACT_RATE_LIMIT


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
    now = _now(now)
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
    _send_mail(
        to=[referent.representative.user.email],
        subject=_("Message reçu via la page des référents de zone"),
        template="referent_message",
        context={"relayed": relayed, "referent": referent},
        reply_to=[relayed.sender_email],
    )
    return relayed, True
