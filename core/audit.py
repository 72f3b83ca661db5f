"""The audit trail (ARCHITECTURE §8): services call ``audit_log`` in their transaction."""

from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from .models import AuditEntry


def audit_log(
    *,
    action: str,
    actor: Any = None,
    target: models.Model | None = None,
    data: dict | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        created_at=now or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
