"""The audit codes (ARCHITECTURE §8): every decision ``audit_log`` records has a code
declared once, in its app's ``audit_actions.py``, as a ``TextChoices`` whose values are
the codes stored in ``AuditEntry.action`` and whose labels name them in the admin.

Each app registers its enums from ``AppConfig.ready()`` with ``audit_actions_register``:
core never imports a domain app, yet ``audit_log`` refuses a code nobody registered.
This module holds no model, so that the apps' ``apps.py`` may import it at load time.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Every registered code, with the enum member that declares it.
_REGISTERED: dict[str, models.TextChoices] = {}


def audit_actions_register(actions: type[models.TextChoices]) -> None:
    """Register the codes of one app (or governance subject); each app calls it from
    ``AppConfig.ready()``. A code two enums declare is refused."""
    for member in actions:
        known = _REGISTERED.get(member.value)
        if known is not None and known is not member:
            raise ValueError(
                f"Audit code {member.value!r} is declared by both "
                f"{type(known).__name__} and {actions.__name__}."
            )
        _REGISTERED[member.value] = member


def audit_action(code: str) -> models.TextChoices:
    """The registered member of ``code``; ``ValueError`` for a code nobody registered."""
    try:
        return _REGISTERED[str(code)]
    except KeyError:
        raise ValueError(
            f"Unknown audit code {code!r}: declare it in its app's audit_actions.py and "
            "register the enum from AppConfig.ready() (core.audit_actions)."
        ) from None


def registered_audit_actions() -> dict[str, models.TextChoices]:
    """Every registered code with its member, sorted by code (the admin's filter)."""
    return dict(sorted(_REGISTERED.items()))


class CoreAudit(models.TextChoices):
    """The decisions core records itself."""

    # The COPIL re-queues failed deadline reminders from the admin ("renvoyer").
    REMINDER_RESENT = "cos_portal.reminder.resent", _("Rappels renvoyés")
