"""What the services of the subjects share: the moment, the COPIL's role, the French
e-mails of commissions, referents and revision, and the site's address."""

from django.utils import timezone
from django.utils.translation import gettext as _

from core.emails import email_notify
from core.roles import is_copil

from .exceptions import NotAllowed


def resolve_now(now):
    """``now`` as given (tests pass a fixed time), or the current time."""
    return now or timezone.now()


def require_copil(actor) -> None:
    if not is_copil(actor):
        raise NotAllowed(_("Cette décision appartient au COPIL."))


def email_notify_in_french(
    *, to: list[str], subject: str, template: str, context: dict, reply_to=None
):
    """A French e-mail of the commissions' templates, plain text and HTML, queued through
    the mail funnel once the transaction has committed (the outbox keeps it if Redis is
    down). Each template is its own kind of mail (governance/apps.py)."""
    email_notify(
        kind=template,
        to=to,
        subject=subject,
        template=f"governance/commissions/email/{template}",
        context=context,
        language="fr",
        reply_to=reply_to or (),
    )
