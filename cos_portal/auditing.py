"""The audit trail of changes: which rows django-auditlog follows, registered in one place.

Two records complement each other:

- ``cos_portal.models.AuditEntry`` (written by ``cos_portal.audit.audit_log``) is the
  service-level decision log: one entry per governance decision, named in the charter's
  terms (``members.status.member``, ``members.user.deactivated``...), written by the
  service in the same transaction, whatever the path (page, admin, import, task).
- django-auditlog's ``LogEntry`` is the row-level trail: every create, update and delete
  of the models below, with the fields before and after, who made it (the request's user,
  through ``AuditlogMiddleware``) and from which address, including changes that bypass
  the services (the admin's plain forms, a shell).

Together they answer "what was decided" and "what exactly changed in the registry".
The COPIL reads both in the admin (view permission: cos_portal migration 0003).

Never ballot choices (ARCHITECTURE §8, secrecy of the vote): a governance model that holds
a vote or its choice is never registered, and ``registered_models`` refuses one by name.
"""

from django.apps import apps

# Timestamps change on every save; they add noise, not information.
NOISE = ["created_at", "updated_at"]

# Model names (lower case) never audited: they hold the secret of a vote. Any governance
# model whose name contains one of these words is left out, today's and tomorrow's.
SECRET_WORDS = ("ballot", "vote", "choice")


# Messages from the public to a zone referent: personal correspondence, not a governance
# change; copied into the trail they would outlive their own retention period.
NOT_AUDITED = {"governance.referentmessage"}


def is_secret(model) -> bool:
    name = model._meta.model_name
    return any(word in name for word in SECRET_WORDS)


def governance_models() -> list:
    """Every model of the governance app except those holding ballots or vote choices."""
    try:
        config = apps.get_app_config("governance")
    except LookupError:
        return []
    return [
        model
        for model in config.get_models()
        if not is_secret(model) and model._meta.label_lower not in NOT_AUDITED
    ]


def stored_fields(model, *, exclude=()) -> dict:
    """auditlog options that follow the row's own columns only.

    Without ``include_fields`` auditlog also walks reverse relations (an organisation's
    signatures, participations...), which adds noise to every entry.
    """
    names = [field.name for field in model._meta.concrete_fields if field.name not in exclude]
    return {"include_fields": names}


def registrations() -> list[tuple[type, dict]]:
    """(model, auditlog options) of every audited model."""
    from charters.models import CharterVersion, Signature
    from members.models import (
        Application,
        Establishment,
        ExclusionProcedure,
        Organisation,
        Representative,
        StatusChange,
    )

    return [
        (
            Organisation,
            {**stored_fields(Organisation, exclude=NOISE), "m2m_fields": {"offer_categories"}},
        ),
        (Establishment, stored_fields(Establishment, exclude=NOISE)),
        (Representative, stored_fields(Representative, exclude=NOISE)),
        (StatusChange, stored_fields(StatusChange)),
        # COPIL decisions on applications and exclusions (the form's raw data stays out).
        (Application, stored_fields(Application, exclude=[*NOISE, "data"])),
        (ExclusionProcedure, stored_fields(ExclusionProcedure, exclude=NOISE)),
        # The text is identified by its SHA-256 (kept); the full body would bloat each entry.
        (CharterVersion, stored_fields(CharterVersion, exclude=[*NOISE, "body"])),
        # The signature row itself is the evidence; the trail keeps who signed what, when,
        # without copying the signer's e-mail address, IP address and browser.
        (
            Signature,
            stored_fields(Signature, exclude=["signer_email", "ip_address", "user_agent"]),
        ),
        *((model, stored_fields(model, exclude=NOISE)) for model in governance_models()),
    ]


def registered_models() -> list:
    return [model for model, _options in registrations()]


def register_audited_models() -> None:
    """Called once from CosPortalConfig.ready()."""
    from auditlog.registry import auditlog

    for model, options in registrations():
        if is_secret(model):
            raise ValueError(f"{model._meta.label} holds a vote: it is never audited.")
        if not auditlog.contains(model):
            auditlog.register(model, **options)
