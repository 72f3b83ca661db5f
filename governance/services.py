"""What the services of the subjects share: the moment, the COPIL's role, the French
e-mails of commissions, referents and revision, and the site's address."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.emails import email_enqueue
from core.roles import is_copil

from .exceptions import NotAllowed


def resolve_now(now):
    """``now`` as given (tests pass a fixed time), or the current time."""
    return now or timezone.now()


def require_copil(actor) -> None:
    if not is_copil(actor):
        raise NotAllowed(_("Cette décision appartient au COPIL."))


def send_mail(*, to: list[str], subject: str, template: str, context: dict, reply_to=None):
    """A French e-mail, plain text and HTML, queued through Celery once the transaction
    has committed (the outbox keeps it if Redis is down)."""
    with translation.override("fr"):
        text = render_to_string(f"governance/commissions/email/{template}.txt", context)
        html = render_to_string(f"governance/commissions/email/{template}.html", context)
    email_enqueue(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=text,
        html=html,
        to=to,
        reply_to=reply_to or (),
    )


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
