"""The exclusion procedure (L3, L4): opened from the add form, then the exclusion
pronounced or the procedure closed."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import services
from ..constants import ExclusionOutcome
from ..models import ExclusionProcedure
from .decisions import (
    DecisionActionsMixin,
    RequiredReasonForm,
    ServiceCreateAdminMixin,
    ServiceCreateForm,
)

# --- Exclusion procedure (L3, L4) --------------------------------------------------------


class ExclusionOpenForm(ServiceCreateForm):
    class Meta:
        model = ExclusionProcedure
        fields = ("organisation", "ground", "facts")

    def create(self, data):
        return services.exclusion_open(
            organisation=data["organisation"],
            actor=self.request.user,
            ground=data["ground"],
            facts=data["facts"],
        )


@admin.register(ExclusionProcedure)
class ExclusionProcedureAdmin(ServiceCreateAdminMixin, DecisionActionsMixin, admin.ModelAdmin):
    add_form = ExclusionOpenForm
    list_display = (
        "organisation",
        "ground",
        "opened_at",
        "response_due_on",
        "responded_at",
        "outcome",
        "decided_at",
    )
    list_filter = ("ground", "outcome")
    list_select_related = ("organisation",)
    search_fields = ("organisation__legal_name",)
    fields = (
        "organisation",
        "ground",
        "facts",
        "attendance_display",
        "opened_by",
        "opened_at",
        "response_due_on",
        "response",
        "responded_by",
        "responded_at",
        "outcome",
        "decided_by",
        "decided_at",
        "decision_reason",
    )
    actions = ("exclusion_pronounce", "procedure_close")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.fields

    @admin.display(description=_("présence (ratio et période)"))
    def attendance_display(self, obj):
        # Charter art. 3.4 (L3): the ratio and its period, from the activities' snapshot.
        if obj.attendance_convened is None:
            return "—"
        return _(
            "%(attended)s / %(convened)s activités (%(percent)s %%), du %(start)s au %(end)s"
        ) % {
            "attended": obj.attendance_attended,
            "convened": obj.attendance_convened,
            "percent": obj.attendance_percent,
            "start": timezone.localtime(obj.attendance_window_start).strftime("%d/%m/%Y"),
            "end": timezone.localtime(obj.attendance_window_end).strftime("%d/%m/%Y"),
        }

    def _decision(self, request, queryset, outcome, title):
        return self._decide(
            request,
            queryset,
            form_class=RequiredReasonForm,
            title=title,
            explanation=_(
                "La décision est notifiée au membre par une lettre datée (PDF) et un courriel."
            ),
            action_name=(
                "exclusion_pronounce" if outcome == ExclusionOutcome.EXCLUDED else "procedure_close"
            ),
            apply=lambda obj, data: services.exclusion_decide(
                procedure=obj, actor=request.user, outcome=outcome, reason=data["reason"]
            ),
        )

    @admin.action(description=_("Prononcer l'exclusion"), permissions=["decide"])
    def exclusion_pronounce(self, request, queryset):
        return self._decision(
            request, queryset, ExclusionOutcome.EXCLUDED, _("Prononcer l'exclusion")
        )

    @admin.action(description=_("Clore la procédure sans exclusion"), permissions=["decide"])
    def procedure_close(self, request, queryset):
        return self._decision(
            request, queryset, ExclusionOutcome.CLOSED, _("Clore la procédure sans exclusion")
        )
