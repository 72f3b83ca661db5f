"""The organisations: filters, establishments, representatives and the status history
shown inline, the status recorded through the services (S1, M2), and the status
history on its own."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminDateWidget, AdminURLFieldWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from charters.selectors import charter_parameters, organisation_commitment_end_date
from core.admin_long_lists import LongListAdminMixin
from core.admin_readonly import ReadOnlyAdmin, ReadOnlyInline

from .. import selectors, services
from ..constants import Status, StatusReason
from ..exceptions import MembersError, NotInGrandEst
from ..filters import department_label
from ..models import (
    Establishment,
    Organisation,
    PartnershipAgreement,
    Representative,
    StatusChange,
)
from ..resources import OrganisationResource
from ..validators import department_of
from ._common import RegistryImportExportAdmin

# --- Organisations ------------------------------------------------------------------


# The organisations one status decision takes: each is listed on its form, then decided
# by its own service call within the request.
STATUS_DECISION_MAX = 500


class CurrentStatusFilter(admin.SimpleListFilter):
    title = _("statut actuel")
    parameter_name = "statut"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == Status.NONE:
            # No record yet also means no status (S1).
            return queryset.filter(Q(current_status__isnull=True) | Q(current_status=value))
        return queryset.filter(current_status=value)


class DepartmentFilter(admin.SimpleListFilter):
    """Departments of the active establishments (M2: Grand Est ones are named)."""

    title = _("département")
    parameter_name = "departement"

    def lookups(self, request, model_admin):
        departments = selectors.active_establishment_departments()
        return [(code, department_label(code)) for code in departments]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(
            establishments__department=value, establishments__is_active=True
        ).distinct()


class EstablishmentInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        organisation = self.instance
        if any(self.errors) or organisation.pk is None:
            return
        status = selectors.organisation_status(organisation=organisation)
        if status not in services.GRAND_EST_STATUSES:
            return
        # Charter art. 3.1 (M2): a member (or applicant) keeps an active establishment
        # in the Grand Est; check the establishments as they will be after this save.
        departments = set(charter_parameters().grand_est_departments)
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or (self.can_delete and self._should_delete_form(form)):
                continue
            if data.get("is_active") and department_of(data.get("postcode", "")) in departments:
                return
        raise ValidationError(
            NotInGrandEst(departments=sorted(departments)).message, code="not_in_grand_est"
        )


class EstablishmentInline(admin.TabularInline):
    model = Establishment
    formset = EstablishmentInlineFormSet
    fields = ("name", "siret", "address", "postcode", "city", "department", "is_active")
    readonly_fields = ("department",)
    extra = 0


class RepresentativeInline(admin.TabularInline):
    model = Representative
    fields = (
        "user",
        "job_title",
        "start_date",
        "end_date",
        "is_authorised_signatory",
        "public_consent",
    )
    # Only the person gives or withdraws consent to appear publicly.
    readonly_fields = ("public_consent",)
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class StatusChangeInline(ReadOnlyInline):
    """The status history (S1): shown, never added to, changed or deleted here."""

    model = StatusChange
    fields = (
        "status",
        "reason",
        "effective_at",
        "ends_on",
        "decided_by",
        "explanation",
        "notice_reference",
    )
    readonly_fields = fields
    ordering = ("-effective_at", "-id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("decided_by")


class OrganisationAdminForm(forms.ModelForm):
    website = forms.URLField(
        label=_("site web"),
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=AdminURLFieldWidget,
    )

    class Meta:
        model = Organisation
        fields = (
            "legal_name",
            "kind",
            "siren",
            "website",
            "description",
            "logo",
            "offer_categories",
            "aif_reference",
        )

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):  # a new upload
            try:
                services.logo_check(file=logo)
            except MembersError as error:
                raise ValidationError(error.message, code="logo") from error
        return logo


class StatusDecisionForm(forms.Form):
    """A COPIL decision on the status of one or several organisations (S1)."""

    status = forms.ChoiceField(label=_("Nouveau statut"), choices=Status.choices)
    reason = forms.ChoiceField(label=_("Motif"), choices=StatusReason.choices)
    explanation = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Pourquoi le COPIL prend cette décision ; obligatoire pour une exclusion."),
    )
    notice_reference = forms.CharField(
        label=_("Référence de la notification écrite"), max_length=100, required=False
    )
    ends_on = forms.DateField(
        label=_("Prend fin le"),
        required=False,
        widget=AdminDateWidget,
        help_text=_("Pour un partenariat ou une invitation à durée déterminée."),
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # The rules live in the services (S1, L3); the form only places the error. A
        # decision with a path of its own (application, invitation, resignation,
        # exclusion, import, correction) is refused here, with the path to use.
        try:
            services.status_decision_path_check(status=data["status"], reason=data["reason"])
            services.status_change_check(
                status=data["status"],
                reason=data["reason"],
                explanation=data.get("explanation", ""),
                ends_on=data.get("ends_on"),
            )
        except MembersError as error:
            self.add_error(error.field, error.message)
        return data


@admin.register(Organisation)
class OrganisationAdmin(LongListAdminMixin, RegistryImportExportAdmin):
    form = OrganisationAdminForm
    resource_classes = [OrganisationResource]
    import_help = (
        _(
            "Une ligne par établissement : les colonnes de l'entité se répètent sur chaque "
            "ligne de ses établissements. Une raison sociale déjà connue (quelle que soit la "
            "casse) met à jour l'entité ; un établissement est reconnu à son SIRET, ou à son "
            "adresse et son code postal."
        ),
        _(
            "kind : company, association, administration ou independent (ou Entreprise, "
            "Association...). offer_categories : identifiants séparés par « ; », par exemple "
            "robotique;automatisme."
        ),
        _(
            "status : applicant, member, partner, invitee ou none (ou Candidat, Membre...), "
            "vide pour ne rien changer. Le statut est enregistré comme « Repris de l'ancien "
            "registre », avec les contrôles de toute décision : un membre doit avoir un "
            "établissement actif en Grand Est, une entité exclue ne revient pas avant la fin "
            "de son interdiction (article 5)."
        ),
        _(
            "C'est un statut de départ : il ne s'applique qu'à une entité sans décision "
            "enregistrée dans le portail. Ensuite, le statut change par la démarche prévue "
            "(candidature, invitation, partenariat, démission, procédure d'exclusion) ou, "
            "pour une erreur, par « Corriger l'historique »."
        ),
        _(
            "Rien n'est enregistré avant votre confirmation, et rien du tout si une seule "
            "ligne est invalide."
        ),
    )
    list_display = ("legal_name", "kind", "current_status_display", "departments")
    # At 20,000 organisations: the first page read from the index of this order (legal
    # name, then newest); the count and the check boxes of LongListAdminMixin.
    ordering = ("legal_name", "-id")
    list_filter = (CurrentStatusFilter, DepartmentFilter, "kind", "offer_categories")
    search_fields = (
        "legal_name",
        "siren",
        "establishments__city",
        "establishments__postcode",
        "establishments__siret",
    )
    search_help_text = _(
        "Raison sociale, SIREN, ou ville, code postal ou SIRET d'un établissement."
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "legal_name",
                    "slug",
                    "kind",
                    "siren",
                    "current_status_display",
                    "commitment_end_display",
                )
            },
        ),
        (_("Fiche publique"), {"fields": ("website", "description", "logo", "offer_categories")}),
        (_("Adhésion"), {"fields": ("aif_reference",)}),
        (_("Suivi"), {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "slug", "current_status_display", "commitment_end_display", "created_at", "updated_at",
    )  # fmt: skip
    filter_horizontal = ("offer_categories",)
    inlines = (EstablishmentInline, RepresentativeInline, StatusChangeInline)
    actions = ("record_status_change",)
    change_form_template = "admin/members/organisation/change_form.html"

    def get_queryset(self, request):
        return selectors.organisation_registry_list()

    @admin.display(description=_("statut actuel"), ordering="current_status")
    def current_status_display(self, obj):
        # Translated here, once: the admin compares a lazy label with each of its five
        # empty values, translating it five times per row.
        return str(Status(getattr(obj, "current_status", None) or Status.NONE).label)

    @admin.display(description=_("fin de l'engagement de confidentialité"))
    def commitment_end_display(self, obj):
        # Charter art. 3.3 (E2): the commitment lasts 12 months after the loss of status.
        if obj is None or obj.pk is None:
            return "—"
        end = organisation_commitment_end_date(organisation=obj)
        if end is None:
            return _("Sans objet : aucune perte de statut")
        return _("Jusqu'au %(date)s") % {"date": end.strftime("%d/%m/%Y")}

    @admin.display(description=_("départements"))
    def departments(self, obj):
        codes = sorted({e.department for e in obj.active_establishments if e.department})
        return ", ".join(codes) or "—"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            # The slug and the audit entry come from the service.
            services.organisation_create_from(organisation=obj, actor=request.user)

    # Status changes: through the service only (S1, M2).

    def has_record_status_permission(self, request):
        return request.user.has_perm("members.add_statuschange")

    def get_urls(self):
        return [
            path(
                "<path:object_id>/statut/",
                self.admin_site.admin_view(self.status_change_view),
                name="members_organisation_status",
            ),
            *super().get_urls(),
        ]

    @admin.action(
        description=_("Enregistrer un changement de statut"), permissions=["record_status"]
    )
    def record_status_change(self, request, queryset):
        chosen = queryset.count()
        if chosen > STATUS_DECISION_MAX:
            self.message_user(
                request,
                gettext(
                    "%(count)s entités sont choisies : une décision de statut en prend au plus "
                    "%(max)s à la fois. Filtrez la liste ou cochez-en moins."
                )
                % {"count": chosen, "max": STATUS_DECISION_MAX},
                messages.ERROR,
            )
            return None  # back to the list
        return self._status_decision(request, list(queryset), from_action=True)

    def status_change_view(self, request, object_id):
        if not self.has_record_status_permission(request):
            raise PermissionDenied
        organisation = get_object_or_404(self.get_queryset(request), pk=object_id)
        return self._status_decision(request, [organisation], from_action=False)

    def _status_decision(self, request, organisations, *, from_action):
        if "apply" in request.POST:
            form = StatusDecisionForm(request.POST)
            if form.is_valid():
                self._apply_status_decision(request, organisations, form.cleaned_data)
                if from_action:
                    return None  # back to the list
                return HttpResponseRedirect(
                    reverse("admin:members_organisation_change", args=[organisations[0].pk])
                )
        else:
            form = StatusDecisionForm()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Enregistrer un changement de statut"),
            "opts": self.opts,
            "form": form,
            "organisations": organisations,
            "rows": [
                (organisation, Status(organisation.current_status or Status.NONE).label)
                for organisation in organisations
            ],
            "from_action": from_action,
            "action_name": "record_status_change",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/members/organisation/status_change.html", context)

    def _apply_status_decision(self, request, organisations, data):
        recorded = []
        for organisation in organisations:
            try:
                # Atomic per organisation: a refusal leaves the others' decisions. The
                # service calls the path's own service (approval, partner decisions...).
                result = services.organisation_status_decide(
                    organisation=organisation,
                    status=data["status"],
                    reason=data["reason"],
                    explanation=data["explanation"],
                    notice_reference=data["notice_reference"],
                    ends_on=data["ends_on"],
                    actor=request.user,
                )
            except MembersError as error:
                messages.error(
                    request,
                    gettext("%(organisation)s : %(error)s")
                    % {"organisation": organisation.legal_name, "error": error.message},
                )
            else:
                if isinstance(result, PartnershipAgreement):
                    # P5: the agreement's notice prevails; the status ends on its date.
                    messages.success(
                        request,
                        gettext(
                            "%(organisation)s : préavis enregistré selon la convention ; le "
                            "partenariat prend fin le %(date)s."
                        )
                        % {
                            "organisation": organisation.legal_name,
                            "date": result.ends_on.strftime("%d/%m/%Y"),
                        },
                    )
                    continue
                recorded.append(organisation.legal_name)
        if recorded:
            messages.success(
                request,
                ngettext(
                    "Statut « %(status)s » enregistré pour %(count)d entité : %(names)s.",
                    "Statut « %(status)s » enregistré pour %(count)d entités : %(names)s.",
                    len(recorded),
                )
                % {
                    "status": Status(data["status"]).label,
                    "count": len(recorded),
                    "names": ", ".join(recorded),
                },
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_record_status_permission": self.has_record_status_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    """The status history of every organisation (S1); decisions go through the action."""

    list_display = (
        "organisation",
        "status",
        "reason",
        "effective_at",
        "ends_on",
        "decided_by",
        "notice_reference",
    )
    list_filter = ("status", "reason", "effective_at")
    list_select_related = ("organisation", "decided_by")
    search_fields = ("organisation__legal_name", "notice_reference")
    date_hierarchy = "effective_at"
    ordering = ("-effective_at", "-id")
