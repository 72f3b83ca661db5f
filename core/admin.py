"""The audit trail in the admin: read-only, for the COPIL to see who decided what."""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

from .admin_readonly import ReadOnlyAdmin
from .audit_actions import audit_action, registered_audit_actions
from .models import AuditEntry, OutboxJob, Reminder


class AuditActionFilter(admin.SimpleListFilter):
    """The registered codes (core/audit_actions.py) by their labels, grouped by app."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(code, member.label) for code, member in registered_audit_actions().items()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """ARCHITECTURE §8: entries are written by services, in their transaction, never here."""

    list_display = ("created_at", "action_label", "action", "actor", "object_type", "object_id")
    list_filter = (AuditActionFilter, "object_type", "created_at")
    list_select_related = ("actor",)
    search_fields = ("=object_id", "action")
    search_help_text = _("Identifiant exact de l'objet, ou code de l'action.")
    date_hierarchy = "created_at"
    fields = ("created_at", "action", "actor", "object_type", "object_id", "data_display")
    readonly_fields = fields

    @admin.display(description=_("décision"), ordering="action")
    def action_label(self, obj):
        try:
            return audit_action(obj.action).label
        except ValueError:  # a code no app declares any more: shown as stored
            return obj.action

    @admin.display(description=_("données"))
    def data_display(self, obj):
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.data, ensure_ascii=False, indent=2, sort_keys=True)
        )


@admin.register(OutboxJob)
class OutboxJobAdmin(admin.ModelAdmin):
    """Jobs the broker refused while Redis was down; re-sent every minute by
    ``outbox_flush_task``. Read-only: one that stays here says what failed."""

    list_display = ("created_at", "task_name", "attempts", "last_attempt_at", "last_error")
    list_filter = ("task_name",)
    fields = (
        "task_name",
        "args",
        "kwargs",
        "created_at",
        "attempts",
        "last_attempt_at",
        "last_error",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    """Deadline reminders (core/deadlines.py): a failed one stays here with its error
    once its retries are spent; "renvoyer" queues it again."""

    list_display = ("created_at", "kind", "deadline_key", "recipient", "offset", "due", "status")
    list_filter = ("status", "kind", "informed_only")
    list_select_related = ("recipient",)
    search_fields = ("deadline_key", "recipient__email")
    date_hierarchy = "created_at"
    actions = ("resend",)
    fields = (
        "deadline_key",
        "kind",
        "recipient",
        "offset",
        "due",
        "informed_only",
        "labels",
        "act_url",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields

    @admin.action(description=_("Renvoyer les rappels sélectionnés"))
    def resend(self, request, queryset):
        from .deadlines import reminders_resend

        count = reminders_resend(
            reminder_ids=queryset.values_list("pk", flat=True), actor=request.user
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d rappel remis en file d'envoi.",
                "%(count)d rappels remis en file d'envoi.",
                count,
            )
            % {"count": count},
        )


# The scheduled jobs' list on a 1280 px screen: the schedule column says when each runs
# (interval or crontab); the start time and the one-off flag are on each job's page.
admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class CompactPeriodicTaskAdmin(PeriodicTaskAdmin):
    list_display = ("name", "enabled", "scheduler", "last_run_at")
