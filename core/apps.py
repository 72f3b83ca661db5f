import sqlite3

from django.apps import AppConfig
from django.core import checks
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from . import lookups  # noqa: F401  (registers ``__among`` on every field)
from .audit_actions import CoreAudit, audit_actions_register
from .email_kinds import email_kind_register


def sqlite_variable_limit(sender, connection, **kwargs) -> None:
    """SQLite's own limit of bound variables (32,766 since 3.32), not Django's cautious
    999: a bulk write of hundreds of rows (a check-in sync) stays one statement on the
    embedded default, as on PostgreSQL."""
    if connection.vendor == "sqlite":
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        connection.features.max_query_params = limit


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

        # The kinds of mail core sends (core/email_kinds.py): a reminder the charter does
        # not require may be muted from its own link; the error reports go to ADMINS.
        from . import deadlines, emails

        email_kind_register(
            "deadline_reminder",
            mutable=True,
            label=_("les rappels facultatifs d'échéance"),
            unsubscribe=deadlines.reminder_unsubscribe,
            describe=deadlines.reminder_kind_label,
        )
        email_kind_register("deadline_reminder_required")
        email_kind_register("error_report")
        checks.register(emails.message_id_domain_check, "email", deploy=True)
        connection_created.connect(sqlite_variable_limit, dispatch_uid="sqlite_variable_limit")
