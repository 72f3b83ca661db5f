"""The audit trail (ARCHITECTURE §8): services call ``audit_log`` in their transaction.

``action`` is a code registered by its app (``core/audit_actions.py``): a member of the
app's ``TextChoices``; any other code raises ``ValueError`` before anything is written.
"""

from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from .audit_actions import CoreAudit, audit_action
from .models import AuditEntry

__all__ = ["CoreAudit", "audit_log", "audit_log_many"]


def audit_log(
    *,
    action: str,
    actor: Any = None,
    target: models.Model | None = None,
    data: dict | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    code = audit_action(action).value
    return AuditEntry.objects.create(
        created_at=now or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=code,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        data=data or {},
    )


def audit_log_many(entries: list[dict], *, actor: Any = None, now: datetime | None = None) -> int:
    """Many entries of one actor at once, in one INSERT (a check-in sync of hundreds of
    actions, A2). Each entry holds ``action``, and optionally ``target`` and ``data``, as
    ``audit_log``'s arguments; every code is checked before anything is written."""
    created_at = now or timezone.now()
    author = actor if getattr(actor, "pk", None) else None
    rows = []
    for entry in entries:
        target = entry.get("target")
        rows.append(
            AuditEntry(
                created_at=created_at,
                actor=author,
                action=audit_action(entry["action"]).value,
                object_type=target._meta.label_lower if target is not None else "",
                object_id=str(target.pk) if target is not None else "",
                data=entry.get("data") or {},
            )
        )
    AuditEntry.objects.bulk_create(rows)
    return len(rows)
