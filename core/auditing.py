"""The audit trail of changes: which rows django-auditlog follows, registered in one place.

Two records complement each other:

- ``core.models.AuditEntry`` (written by ``core.audit.audit_log``) is the
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


def stored_fields(model, *, exclude=()) -> dict:
    """auditlog options that follow the row's own columns only.

    Without ``include_fields`` auditlog also walks reverse relations (an organisation's
    signatures, participations...), which adds noise to every entry.
    """
    names = [field.name for field in model._meta.concrete_fields if field.name not in exclude]
    return {"include_fields": names}


# (model, auditlog options) of every audited model, in the order the apps registered them.
_REGISTERED: list[tuple[type, dict]] = []


def follow(model, **options) -> None:
    """Follow ``model`` in the row-level trail; each app calls it from ``AppConfig.ready()``.

    Without options, the row's own columns minus the timestamps (``stored_fields``).
    """
    from auditlog.registry import auditlog

    if is_secret(model):
        raise ValueError(f"{model._meta.label} holds a vote: it is never audited.")
    options = options or stored_fields(model, exclude=NOISE)
    if not auditlog.contains(model):
        auditlog.register(model, **options)
    if model not in registered_models():
        _REGISTERED.append((model, options))


def follow_app(config) -> None:
    """Follow every model of an app except those holding a vote and those in NOT_AUDITED."""
    for model in config.get_models():
        if not is_secret(model) and model._meta.label_lower not in NOT_AUDITED:
            follow(model)


def registered_models() -> list:
    return [model for model, _options in _REGISTERED]
