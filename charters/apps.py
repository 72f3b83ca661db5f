from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.audit_actions import audit_actions_register
from core.auditing import NOISE, follow, stored_fields
from core.email_kinds import email_kind_register
from core.health import health_warning_register

from .audit_actions import ChartersAudit


class ChartersConfig(AppConfig):
    name = "charters"
    verbose_name = _("Charte")

    def ready(self):
        # The app's deadlines join the engine's registry (core/deadlines.py).
        from . import deadlines  # noqa: F401
        from .certificates import seal_key_warning
        from .models import CharterVersion, Signature

        # /healthz says when certificates cannot be sealed (no key configured).
        health_warning_register("charter_seal", seal_key_warning)

        # The app's decisions in the audit trail (core/audit_actions.py).
        audit_actions_register(ChartersAudit)

        # The signer's receipt (core/email_kinds.py): an answer to their act, mandatory.
        email_kind_register("signature_receipt")

        # The text is identified by its SHA-256 (kept); the full body would bloat each entry.
        follow(CharterVersion, **stored_fields(CharterVersion, exclude=[*NOISE, "body"]))
        # The signature row itself is the evidence; the trail keeps who signed what, when,
        # without copying the signer's e-mail address, IP address and browser.
        follow(
            Signature,
            **stored_fields(Signature, exclude=["signer_email", "ip_address", "user_agent"]),
        )
