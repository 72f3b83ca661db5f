"""The COPIL's administration of the members registry.

The admin stays thin: statuses change only through ``services.organisation_status_change``
(S1, M2), new organisations are created by ``services.organisation_create``, and the
CSV import goes through the resources of ``members.resources`` (which call the same
services). The status history is shown, never edited.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminDateWidget, AdminURLFieldWidget
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV
from import_export.results import RowResult

from charters.selectors import charter_parameters, is_copil, organisation_commitment_end_date
from cos_portal.admin_privacy import PersonErasureAdminMixin
from cos_portal.admin_readonly import ReadOnlyAdmin, ReadOnlyInline
from cos_portal.public_cache import PublicPagesAdminMixin

from . import selectors, services
from .constants import ApplicationState, ExclusionOutcome, Status, StatusReason
from .exceptions import MembersError, NotInGrandEst
from .filters import department_label
from .models import (
    AgreementAmendment,
    Application,
    ApplicationOpinion,
    Establishment,
    ExclusionProcedure,
    Invitation,
    OfferCategory,
    Organisation,
    PartnershipAgreement,
    ProofDocument,
    ProofRequest,
    Representative,
    StatusChange,
    User,
)
from .resources import OrganisationResource, RepresentativeResource
from .validators import department_of


class RegistryImportExportAdmin(PublicPagesAdminMixin, ImportExportModelAdmin):
    """CSV only; an import is all or nothing, with French messages."""

    import_formats = [CSV]
    export_formats = [CSV]
    import_error_display = ("message", "row")
    import_template_name = "admin/members/import.html"
    #: Paragraphs shown above the import form: the file format, in French.
    import_help: tuple = ()

    def get_import_context_data(self, **kwargs):
        return {**super().get_import_context_data(**kwargs), "import_help": self.import_help}

    def get_import_data_kwargs(self, **kwargs):
        # On confirmation too, a line that became invalid since the preview rolls the
        # whole file back (the preview already refuses any invalid line).
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                gettext(
                    "L'import a été annulé : au moins une ligne n'est pas valide. "
                    "Rien n'a été enregistré ; relancez l'import pour voir les erreurs."
                ),
            )
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
            )
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        messages.success(
            request,
            gettext(
                "Import terminé : %(new)d ligne(s) créée(s), %(updated)d mise(s) à jour, "
                "%(skipped)d ignorée(s)."
            )
            % {
                "new": result.totals[RowResult.IMPORT_TYPE_NEW],
                "updated": result.totals[RowResult.IMPORT_TYPE_UPDATE],
                "skipped": result.totals[RowResult.IMPORT_TYPE_SKIP],
            },
        )


# --- People -------------------------------------------------------------------------


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("Une personne a déjà cette adresse e-mail."), code="unique")
        return email


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = (
            "email",
            "password",
            "first_name",
            "last_name",
            "language",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
            "last_login",
            "date_joined",
        )
        field_classes: dict = {}

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Une personne a déjà cette adresse e-mail."), code="unique")
        return email


@admin.register(User)
class UserAdmin(PublicPagesAdminMixin, PersonErasureAdminMixin, DjangoUserAdmin):
    """People log in with their e-mail address: no user name."""

    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff", "group_names")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "language")}),
        (
            _("Droits"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("groupes"))
    def group_names(self, obj):
        return ", ".join(group.name for group in obj.groups.all())


# --- Organisations ------------------------------------------------------------------


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
        departments = (
            Establishment.objects.filter(is_active=True)
            .exclude(department="")
            .order_by("department")
            .values_list("department", flat=True)
            .distinct()
        )
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
        raise ValidationError(NotInGrandEst.default_message, code="not_in_grand_est")


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
        # The rules live in the service (S1, L3); the form only places the error.
        try:
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
class OrganisationAdmin(RegistryImportExportAdmin):
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
            "établissement actif en Grand Est."
        ),
        _(
            "Rien n'est enregistré avant votre confirmation, et rien du tout si une seule "
            "ligne est invalide."
        ),
    )
    list_display = ("legal_name", "kind", "current_status_display", "departments")
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
        return Status(getattr(obj, "current_status", None) or Status.NONE).label

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
                # Atomic per organisation: a refusal leaves the others' decisions.
                services.organisation_status_change(
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


@admin.register(Representative)
class RepresentativeAdmin(RegistryImportExportAdmin):
    resource_classes = [RepresentativeResource]
    import_help = (
        _(
            "Une ligne par représentant. email : une personne inconnue est créée sans mot de "
            "passe utilisable ; elle le choisit avec « Mot de passe oublié »."
        ),
        _(
            "organisation : raison sociale d'une entité déjà enregistrée. start_date et "
            "end_date : AAAA-MM-JJ ou JJ/MM/AAAA (sans date de début : aujourd'hui). "
            "authorised_signatory et public_consent : oui ou non."
        ),
        _(
            "Rien n'est enregistré avant votre confirmation, et rien du tout si une seule "
            "ligne est invalide."
        ),
    )
    list_display = (
        "user",
        "organisation",
        "job_title",
        "start_date",
        "end_date",
        "is_authorised_signatory",
        "public_consent",
    )
    list_filter = ("is_authorised_signatory", "public_consent")
    list_select_related = ("user", "organisation")
    search_fields = (
        "user__email",
        "user__first_name",
        "user__last_name",
        "organisation__legal_name",
    )
    autocomplete_fields = ("user", "organisation")
    readonly_fields = ("public_consent",)


@admin.register(OfferCategory)
class OfferCategoryAdmin(PublicPagesAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


# =========================================================================================
# The status lifecycle (issue 6). Every decision is an admin action, or an add form,
# that calls one service; the services refuse non-COPIL actors (G2) and check the rules.
# =========================================================================================


def can_decide(request) -> bool:
    """Charter art. 6 (G2): COPIL members (and administrators) take the decisions."""
    return is_copil(request.user)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Communiqué par écrit à l'entité concernée."),
    )


class RequiredReasonForm(ReasonForm):
    reason = forms.CharField(
        label=_("Motifs de la décision"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Figurent dans la lettre de décision."),
    )


class PartnerGrantForm(forms.Form):
    ends_on = forms.DateField(
        label=_("Prend fin le"),
        required=False,
        widget=AdminDateWidget,
        help_text=_("Vide : partenariat à durée indéterminée (article 4)."),
    )
    explanation = forms.CharField(
        label=_("Justification"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionActionsMixin:
    """One intermediate page for the decisions that take a form (reason, end date)."""

    def has_decide_permission(self, request):
        return can_decide(request)

    def _decide(self, request, queryset, *, form_class, title, explanation, action_name, apply):
        """Show ``form_class``; on "apply", call ``apply(obj, data)`` for each object."""
        objects = list(queryset)
        form = form_class(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = 0
            for obj in objects:
                try:
                    apply(obj, form.cleaned_data)
                except MembersError as error:
                    messages.error(
                        request,
                        gettext("%(object)s : %(error)s") % {"object": obj, "error": error.message},
                    )
                else:
                    done += 1
            if done:
                messages.success(
                    request,
                    ngettext(
                        "Décision enregistrée pour %(count)d élément.",
                        "Décision enregistrée pour %(count)d éléments.",
                        done,
                    )
                    % {"count": done},
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "explanation": explanation,
            "opts": self.opts,
            "form": form,
            "objects": objects,
            "action_name": action_name,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/members/decision.html", context)

    def _each(self, request, queryset, apply, success):
        done = 0
        for obj in queryset:
            try:
                apply(obj)
            except MembersError as error:
                messages.error(
                    request,
                    gettext("%(object)s : %(error)s") % {"object": obj, "error": error.message},
                )
            else:
                done += 1
        if done:
            messages.success(request, success % {"count": done})


class ServiceCreateForm(forms.ModelForm):
    """An admin add form whose clean() calls the creating service (so its rules apply and
    its errors show on the form); the admin then only records the change in its log."""

    service_error_field_map: dict = {}

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def create(self, data):  # pragma: no cover - each form defines it
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        if self.errors or self.instance.pk:
            return data
        try:
            self.instance = self.create(data)
        except MembersError as error:
            field = error.field if error.field in self.fields else None
            self.add_error(field, error.message)
        return data

    def save(self, commit=True):
        return self.instance

    def save_m2m(self):
        return None

    def _save_m2m(self):
        return None


class ServiceCreateAdminMixin:
    """Add forms built by ServiceCreateForm; existing rows are read-only (history)."""

    add_form: type[ServiceCreateForm]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            form_class = super().get_form(request, obj, change, form=self.add_form, **kwargs)

            class RequestForm(form_class):
                def __init__(self, *args, **inner):
                    super().__init__(*args, request=request, **inner)

            return RequestForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": list(self.add_form._meta.fields)})]
        return super().get_fieldsets(request, obj)

    def get_inlines(self, request, obj):
        return () if obj is None else super().get_inlines(request, obj)

    def has_add_permission(self, request):
        return can_decide(request)

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pass  # the service saved it in the form's clean()

    def save_related(self, request, form, formsets, change):
        pass


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


# --- Partners (P1 to P6) -----------------------------------------------------------------


class AgreementAmendmentInline(admin.TabularInline):
    model = AgreementAmendment
    fields = ("signed_on", "effective_on", "summary", "document")
    readonly_fields = ("effective_on",)
    extra = 0


class PartnershipAgreementForm(ServiceCreateForm):
    class Meta:
        model = PartnershipAgreement
        fields = (
            "organisation",
            "parties",
            "signed_on",
            "initial_term_months",
            "renewal_months",
            "notice_months",
            "document",
        )

    def create(self, data):
        return services.partnership_agreement_record(
            organisation=data["organisation"],
            actor=self.request.user,
            parties=data["parties"],
            signed_on=data["signed_on"],
            initial_term_months=data["initial_term_months"],
            renewal_months=data["renewal_months"],
            notice_months=data["notice_months"],
            document=data.get("document") or None,
        )


@admin.register(PartnershipAgreement)
class PartnershipAgreementAdmin(ServiceCreateAdminMixin, admin.ModelAdmin):
    add_form = PartnershipAgreementForm
    list_display = (
        "organisation",
        "signed_on",
        "next_renewal",
        "last_notice",
        "notice_given_on",
        "ends_on",
    )
    list_select_related = ("organisation",)
    search_fields = ("organisation__legal_name",)
    fields = (
        "organisation",
        "parties",
        "signed_on",
        "initial_term_months",
        "renewal_months",
        "notice_months",
        "next_renewal",
        "last_notice",
        "notice_given_on",
        "notice_given_by",
        "ends_on",
    )
    readonly_fields = ("next_renewal", "last_notice")
    inlines = (AgreementAmendmentInline,)

    def has_change_permission(self, request, obj=None):
        # Amendments are added to a recorded agreement; its terms stay as signed.
        return can_decide(request)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return tuple(self.fields)

    @admin.display(description=_("prochaine reconduction"))
    def next_renewal(self, obj):
        value = services.agreement_dates(obj)["next_renewal"]
        return value.strftime("%d/%m/%Y") if value else "—"

    @admin.display(description=_("préavis à donner au plus tard le"))
    def last_notice(self, obj):
        value = services.agreement_dates(obj)["last_notice"]
        return value.strftime("%d/%m/%Y") if value else "—"


# --- Invitations (I1 to I4) --------------------------------------------------------------


class InvitationForm(ServiceCreateForm):
    class Meta:
        model = Invitation
        fields = (
            "guest_organisation_name",
            "guest_name",
            "guest_email",
            "starts_on",
            "ends_on",
            "occasion",
            "activities",
        )

    def create(self, data):
        return services.invitation_propose(
            proposed_by=self.request.user,
            proposing_organisation=None,  # the community invites (art. 5)
            guest_organisation_name=data.get("guest_organisation_name", ""),
            guest_name=data["guest_name"],
            guest_email=data["guest_email"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            occasion=data.get("occasion", ""),
            activities=data.get("activities") or (),
        )


@admin.register(Invitation)
class InvitationAdmin(ServiceCreateAdminMixin, DecisionActionsMixin, admin.ModelAdmin):
    add_form = InvitationForm
    list_display = (
        "__str__",
        "proposing_organisation",
        "starts_on",
        "ends_on",
        "state",
        "accepted_at",
    )
    list_filter = ("state",)
    list_select_related = ("organisation", "proposing_organisation")
    search_fields = ("guest_name", "guest_email", "guest_organisation_name")
    fields = (
        "proposed_by",
        "proposing_organisation",
        "organisation",
        "guest_organisation_name",
        "guest_name",
        "guest_email",
        "starts_on",
        "ends_on",
        "occasion",
        "activities",
        "state",
        "decided_by",
        "decided_at",
        "decision_reason",
        "accepted_at",
        "acceptance_text",
    )
    actions = ("validate", "refuse")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.fields

    @admin.action(description=_("Valider l'invitation"), permissions=["decide"])
    def validate(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda obj: services.invitation_validate(invitation=obj, actor=request.user),
            gettext("%(count)d invitation(s) validée(s) ; le lien d'acceptation est envoyé."),
        )

    @admin.action(description=_("Refuser l'invitation"), permissions=["decide"])
    def refuse(self, request, queryset):
        return self._decide(
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Refuser l'invitation"),
            explanation=_("L'invitation est refusée ; rien n'est envoyé à la personne invitée."),
            action_name="refuse",
            apply=lambda obj, data: services.invitation_refuse(
                invitation=obj, actor=request.user, reason=data["reason"]
            ),
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


# --- Proofs (N1) -------------------------------------------------------------------------


class ProofDocumentInline(ReadOnlyInline):
    model = ProofDocument
    fields = ("download", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    @admin.display(description=_("fichier"))
    def download(self, obj):
        url = reverse("member_space:proof_document", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


class ProofRequestForm(ServiceCreateForm):
    class Meta:
        model = ProofRequest
        fields = ("organisation", "description", "due_on")

    def create(self, data):
        return services.proof_request_create(
            organisation=data["organisation"],
            actor=self.request.user,
            description=data["description"],
            due_on=data.get("due_on"),
        )


@admin.register(ProofRequest)
class ProofRequestAdmin(ServiceCreateAdminMixin, admin.ModelAdmin):
    add_form = ProofRequestForm
    list_display = ("organisation", "requested_at", "due_on", "closed_at")
    list_select_related = ("organisation",)
    fields = ("organisation", "description", "due_on", "requested_by", "requested_at", "closed_at")
    inlines = (ProofDocumentInline,)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.fields


# --- Organisations: partner decisions and the M9 flag -------------------------------------


class WithoutRepresentativeFilter(admin.SimpleListFilter):
    """M9: members and partners with no active representative."""

    title = _("représentants")
    parameter_name = "representants"

    def lookups(self, request, model_admin):
        return [("aucun", _("Membre ou partenaire sans représentant actif"))]

    def queryset(self, request, queryset):
        if self.value() != "aucun":
            return queryset
        return queryset.filter(pk__in=selectors.organisations_without_representative().values("pk"))


def _organisation_partner_grant(self, request, queryset):
    return self._decide(
        request,
        queryset,
        form_class=PartnerGrantForm,
        title=_("Accorder le statut de partenaire"),
        explanation=_(
            "Le COPIL accorde le statut de partenaire (article 4), pour une durée déterminée "
            "ou non. Enregistrez ensuite la convention, s'il y en a une."
        ),
        action_name="grant_partner",
        apply=lambda obj, data: services.partner_grant(
            organisation=obj,
            actor=request.user,
            ends_on=data["ends_on"],
            explanation=data["explanation"],
        ),
    )


def _organisation_partner_terminate(self, request, queryset):
    return self._decide(
        request,
        queryset,
        form_class=ReasonForm,
        title=_("Mettre fin au partenariat"),
        explanation=_(
            "Le partenaire en est informé par écrit. Une convention en vigueur prend fin selon "
            "son préavis (article 4)."
        ),
        action_name="terminate_partnership",
        apply=lambda obj, data: services.partner_terminate(
            organisation=obj, actor=request.user, reason=data["reason"]
        ),
    )


class OrganisationLifecycleAdmin(DecisionActionsMixin, OrganisationAdmin):
    """The organisation admin with the partner decisions and the M9 filter."""

    list_filter = (*OrganisationAdmin.list_filter, WithoutRepresentativeFilter)
    actions = (*OrganisationAdmin.actions, "grant_partner", "terminate_partnership")

    grant_partner = admin.action(
        _organisation_partner_grant,
        description=_("Accorder le statut de partenaire"),
        permissions=["decide"],
    )
    terminate_partnership = admin.action(
        _organisation_partner_terminate,
        description=_("Mettre fin au partenariat"),
        permissions=["decide"],
    )


admin.site.unregister(Organisation)
admin.site.register(Organisation, OrganisationLifecycleAdmin)
