"""Applications (M1 to M7): opinions, AIF check, approval and rejection."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_readonly import ReadOnlyInline

from .. import selectors, services
from ..constants import ApplicationState
from ..exceptions import MembersError
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
    # The change page carries the decision buttons (decision_view), below the checklist.
    change_form_template = "admin/members/application/change_form.html"

    # The buttons of the change page: each calls the same service as the admin action.
    DECISIONS = {
        "verify_aif": (_("Référence AIF vérifiée"), _("Référence AIF vérifiée.")),
        "approve": (_("Valider la candidature"), _("Candidature validée : l'entité est membre.")),
        "reject": (
            _("Refuser la candidature"),
            _("Candidature refusée : le candidat est prévenu."),
        ),
    }

    def get_urls(self):
        decide = self.admin_site.admin_view(self.decision_view)
        return [
            path(
                "<path:object_id>/decision/",
                decide,
                name=f"{self.opts.app_label}_{self.opts.model_name}_decide",
            ),
            *super().get_urls(),
        ]

    def _reason_key(self, object_id) -> str:
        return f"members.application_reason:{object_id}"

    def _decisions_for(self, request, application) -> list[dict]:
        """The buttons the person may press on this application (none once decided)."""
        if not can_decide(request) or application.state != ApplicationState.SUBMITTED:
            return []
        codes = ["approve", "reject"]
        if application.aif_verified_at is None:
            codes.insert(0, "verify_aif")
        return [{"code": code, "label": self.DECISIONS[code][0]} for code in codes]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if application is not None:
            decisions = self._decisions_for(request, application)
            checks = selectors.application_checklist(application=application) if decisions else []
            extra.update(
                decisions=decisions,
                approval_blocked_by=[c for c in checks if c.blocking and not c.ok],
                # What was typed before a refused decision, shown again once.
                decision_reason=request.session.pop(self._reason_key(application.pk), ""),
            )
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def decision_view(self, request, object_id):
        """The buttons of the change page (POST): verify the AIF reference, approve or
        reject through the services the admin actions call (M1, M5, M6, G2). A refused
        decision says why in French and saves nothing; the reason typed is kept."""
        if request.method != "POST":
            raise Http404(gettext("Choisissez une décision sur la page de la candidature."))
        application = self.get_object(request, unquote(object_id))
        if application is None:
            raise Http404(gettext("Cette candidature n'existe pas."))
        if not can_decide(request):
            raise PermissionDenied(gettext("Seul le COPIL décide des candidatures."))
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[application.pk]
        )
        code = request.POST.get("decision", "")
        reason = request.POST.get("reason", "").strip()
        services_by_code = {
            "verify_aif": lambda: services.application_aif_verify(
                application=application, actor=request.user
            ),
            "approve": lambda: services.application_approve(
                application=application, actor=request.user, reason=reason
            ),
            "reject": lambda: services.application_reject(
                application=application, actor=request.user, reason=reason
            ),
        }
        if code not in services_by_code:
            messages.error(request, gettext("Choisissez une des décisions proposées."))
            request.session[self._reason_key(application.pk)] = reason
            return HttpResponseRedirect(change_url)
        try:
            services_by_code[code]()
        except MembersError as error:
            messages.error(request, error.message)
            request.session[self._reason_key(application.pk)] = reason
        else:
            messages.success(request, self.DECISIONS[code][1])
        return HttpResponseRedirect(change_url)

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
