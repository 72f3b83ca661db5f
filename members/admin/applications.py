"""Applications (M1 to M7): opinions, AIF check, approval and rejection."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_readonly import ReadOnlyInline

from .. import selectors, services
from ..constants import ApplicationState
from ..models import Application, ApplicationOpinion
from .decisions import DecisionActionsMixin, ReasonForm, can_decide

# --- Applications (M1 to M7) -------------------------------------------------------------


class ApplicationOpinionInline(ReadOnlyInline):
    """Members' opinions (M7): read by the COPIL only, never shown on the site."""

    model = ApplicationOpinion
    fields = ("author", "author_organisation", "text", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "author_organisation")

    def has_view_permission(self, request, obj=None):
        return can_decide(request)


@admin.register(Application)
class ApplicationAdmin(DecisionActionsMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "applicant",
        "state",
        "submitted_at",
        "aif_verified",
        "signed",
        "opinion_count_display",
        "decided_at",
    )
    list_filter = ("state",)
    search_fields = ("organisation__legal_name", "applicant__email", "aif_reference")
    ordering = ("-submitted_at",)
    fieldsets = (
        (
            None,
            {"fields": ("organisation_link", "applicant", "state", "submitted_at", "motivation")},
        ),
        (_("Conditions de l'article 3.1"), {"fields": ("checklist", "aif_reference")}),
        (_("Décision"), {"fields": ("decided_by", "decided_at", "decision_reason")}),
    )
    readonly_fields = (
        "organisation_link",
        "applicant",
        "state",
        "submitted_at",
        "motivation",
        "checklist",
        "aif_reference",
        "decided_by",
        "decided_at",
        "decision_reason",
    )
    inlines = (ApplicationOpinionInline,)
    actions = ("verify_aif", "approve", "reject")

    def get_queryset(self, request):
        return selectors.application_admin_list()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("entité"), ordering="organisation__legal_name")
    def name(self, obj):
        return str(obj)

    @admin.display(description=_("AIF vérifiée"), boolean=True)
    def aif_verified(self, obj):
        return obj.aif_verified_at is not None

    @admin.display(description=_("charte signée"), boolean=True)
    def signed(self, obj):
        return obj.signature_id is not None

    @admin.display(description=_("avis"), ordering="opinion_count")
    def opinion_count_display(self, obj):
        return obj.opinion_count

    @admin.display(description=_("entité"))
    def organisation_link(self, obj):
        if obj.organisation_id is None:
            return "—"
        url = reverse("admin:members_organisation_change", args=[obj.organisation_id])
        return format_html('<a href="{}">{}</a>', url, obj.organisation.legal_name)

    @admin.display(description=_("Liste de contrôle"))
    def checklist(self, obj):
        if obj.state == ApplicationState.DRAFT:
            return _("Brouillon : pas encore déposée.")
        rows = format_html_join(
            "",
            '<li class="{}"><strong>{} {}</strong> — {}{}</li>',
            (
                (
                    "check-ok" if check.ok else "check-missing",
                    "✔" if check.ok else "✘",
                    check.label,
                    check.detail,
                    format_html(
                        "<ul>{}</ul>",
                        format_html_join("", "<li>{}</li>", ((i,) for i in check.items)),
                    )
                    if check.items
                    else "",
                )
                for check in selectors.application_checklist(application=obj)
            ),
        )
        return format_html('<ul class="application-checklist">{}</ul>', rows)

    @admin.action(description=_("Référence AIF vérifiée"), permissions=["decide"])
    def verify_aif(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda obj: services.application_aif_verify(application=obj, actor=request.user),
            gettext("Référence AIF vérifiée pour %(count)d candidature(s)."),
        )

    @admin.action(description=_("Valider la candidature"), permissions=["decide"])
    def approve(self, request, queryset):
        return self._decide(
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Valider la candidature"),
            explanation=_(
                "L'entité devient membre ; elle reçoit un courriel et désigne ses représentants. "
                "La validation est refusée, avec sa raison, si une condition manque."
            ),
            action_name="approve",
            apply=lambda obj, data: services.application_approve(
                application=obj, actor=request.user, reason=data["reason"]
            ),
        )

    @admin.action(description=_("Refuser la candidature"), permissions=["decide"])
    def reject(self, request, queryset):
        return self._decide(
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Refuser la candidature"),
            explanation=_("Le candidat reçoit un courriel ; il pourra être invité (article 5)."),
            action_name="reject",
            apply=lambda obj, data: services.application_reject(
                application=obj, actor=request.user, reason=data["reason"]
            ),
        )
