"""The COPIL's administration of commissions (art. 8).

Thin: decisions go through the services (creating a commission, naming its facilitator,
ending it), so the rules hold here as on the pages. Imported by ``governance/admin.py``.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_readonly import ReadOnlyAdmin, ReadOnlyInline
from governance.exceptions import GovernanceError
from governance.forms import ServiceForm, ServiceFormAdminMixin

from . import services
from .models import (
    Commission,
    CommissionMembership,
    ProgressReport,
    ReportAttachment,
    RoadmapAction,
)


class MembershipInline(ReadOnlyInline):
    model = CommissionMembership
    fields = ("representative", "status", "volunteered_at", "decided_at", "decided_by")
    readonly_fields = fields


class RoadmapActionInline(ReadOnlyInline):
    model = RoadmapAction
    fields = ("code", "action", "target_year", "target_quarter", "status")
    readonly_fields = fields


class CommissionAdminForm(ServiceForm):
    class Meta:
        model = Commission
        fields = (
            "name",
            "purpose",
            "start_date",
            "end_date",
            "max_members",
            "keeps_roadmap",
            "facilitator",
        )

    def apply(self, data):
        if self.instance.pk is None:
            self.instance = services.commission_create(
                name=data["name"],
                purpose=data["purpose"],
                start_date=data["start_date"],
                end_date=data.get("end_date"),
                max_members=data["max_members"],
                keeps_roadmap=data.get("keeps_roadmap", False),
                facilitator=data.get("facilitator"),
                actor=self.actor,
            )
        elif "facilitator" in self.changed_data and data.get("facilitator"):
            services.commission_facilitator_set(
                commission=self.instance, representative=data["facilitator"], actor=self.actor
            )


@admin.register(Commission)
class CommissionAdmin(ServiceFormAdminMixin, admin.ModelAdmin):
    """Charter art. 8 (K1, K2, K3): created and given a facilitator through the services."""

    form = CommissionAdminForm
    list_display = ("name", "standing_role", "status", "start_date", "end_date", "facilitator")
    list_filter = ("status", "standing_role")
    search_fields = ("name", "purpose")
    list_select_related = ("facilitator__user", "facilitator__organisation")
    autocomplete_fields = ("facilitator",)
    inlines = (MembershipInline, RoadmapActionInline)
    actions = ("end_commissions",)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # Name and purpose stay as decided; the facilitator changes through the service.
        return ("name", "purpose", "start_date", "end_date", "max_members", "keeps_roadmap")

    def get_inlines(self, request, obj):
        # Members and roadmap belong to an existing commission.
        return () if obj is None else super().get_inlines(request, obj)

    def save_model(self, request, obj, form, change):
        pass  # the form's service saved it (commission_create, commission_facilitator_set)

    @admin.action(description=_("Terminer les commissions sélectionnées"))
    def end_commissions(self, request, queryset):
        done = 0
        for commission in queryset:
            try:
                services.commission_end(commission=commission, actor=request.user)
                done += 1
            except GovernanceError as error:
                self.message_user(request, f"{commission} : {error.message}", messages.ERROR)
        if done:
            self.message_user(
                request,
                ngettext("%d commission terminée.", "%d commissions terminées.", done) % done,
            )


class ReportAttachmentInline(ReadOnlyInline):
    model = ReportAttachment
    fields = ("original_name", "content_type", "size")
    readonly_fields = fields


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    """Charter art. 8 (K2): reports are kept; read here, written from the commission page."""

    list_display = ("title", "commission", "author", "submitted_at", "shown_at")
    list_filter = ("commission",)
    list_select_related = ("commission", "author", "shown_at")
    readonly_fields = ("commission", "author", "title", "text", "submitted_at", "shown_at")
    inlines = (ReportAttachmentInline,)
