from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .audit_actions import CoreAudit, audit_actions_register


class CoreConfig(AppConfig):
    name = "core"
    # The label of the app that first held these models: their tables, permissions and
    # migration history keep their names (cos_portal_auditentry, cos_portal.0010...).
    label = "cos_portal"
    verbose_name = _("Portail")

    def ready(self):
        # The engine's own deadlines' task (reminders) joins Celery's registry.
        from . import tasks, tasks_reminders  # noqa: F401

        # The codes core writes in the audit trail (core/audit_actions.py).
        audit_actions_register(CoreAudit)
