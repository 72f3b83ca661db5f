"""The COPIL's administration of governance, one section per part of the charter.

Thin: decisions go through the services (appointing a referent, creating a commission,
naming its facilitator, ending a mission), so the rules hold here as on the pages.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from charters.selectors import charter_parameters
from core.admin_readonly import ReadOnlyAdmin, ReadOnlyInline

from .exceptions import GovernanceError
from .models.commissions import (
    BodyKind,
    CharterRevision,
    Commission,
    CommissionMembership,
    HierarchyAgreement,
    ProgressReport,
    Referent,
    ReferentContact,
    ReferentEndReason,
    ReferentMessage,
    ReportAttachment,
    RevisionSupport,
    RevisionVote,
    RoadmapAction,
)
from .services import commissions as commission_services

# --- Commissions, referents and charter revision (art. 8, 9, 10) -----------------------------------


class MembershipInline(ReadOnlyInline):
    model = CommissionMembership
    fields = ("representative", "status", "volunteered_at", "decided_at", "decided_by")
    readonly_fields = fields


class RoadmapActionInline(ReadOnlyInline):
    model = RoadmapAction
    fields = ("code", "action", "target_year", "target_quarter", "status")
    readonly_fields = fields


class ServiceForm(forms.ModelForm):
    """An admin form that, once valid, applies its service as the signed-in person.

    The service runs inside the admin's transaction, before anything else is saved: a
    refusal becomes a French error on the form, the typed input stays, and nothing is
    written. ``actor`` is set by ``ServiceFormAdminMixin.get_form``.
    """

    actor = None

    def apply(self, data: dict) -> None:  # pragma: no cover - each form defines it
        raise NotImplementedError

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or self._errors:
            return
        try:
            self.apply(self.cleaned_data)
        except GovernanceError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)


class ServiceFormAdminMixin:
    """Gives the admin's form its actor; the form's service did the saving."""

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        if issubclass(form_class, ServiceForm):
            form_class = type(form_class.__name__, (form_class,), {"actor": request.user})
        return form_class


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
            self.instance = commission_services.commission_create(
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
            commission_services.commission_facilitator_set(
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
                commission_services.commission_end(commission=commission, actor=request.user)
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


class ReferentAppointForm(ServiceForm):
    """Charter art. 9 (R1, R4): what the COPIL records when it appoints a referent."""

    bodies = forms.MultipleChoiceField(
        label=_("Organismes suivis"),
        choices=BodyKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    body_names = forms.CharField(
        label=_("Noms des organismes"),
        required=False,
        help_text=_("Facultatif, un par ligne, par ex. « Pôle Materalia »."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    departments = forms.MultipleChoiceField(
        label=_("Départements de la zone"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Referent
        fields = (
            "representative",
            "hierarchy_agreement",
            "hierarchy_agreement_on",
            "available_min_years",
            "start_date",
            "is_zone_referent",
            "notes",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = [
            (code, code) for code in charter_parameters().grand_est_departments
        ]
        self.fields["hierarchy_agreement"].initial = HierarchyAgreement.NOT_NEEDED

    def apply(self, data):
        names = [n.strip() for n in (data.get("body_names") or "").splitlines() if n.strip()]
        bodies = [
            (kind, names[i] if i < len(names) else "") for i, kind in enumerate(data["bodies"])
        ]
        self.instance = commission_services.referent_appoint(
            representative=data["representative"],
            bodies=bodies,
            hierarchy_agreement=data["hierarchy_agreement"],
            hierarchy_agreement_on=data.get("hierarchy_agreement_on"),
            available_min_years=data.get("available_min_years", False),
            start_date=data.get("start_date"),
            is_zone_referent=data.get("is_zone_referent", False),
            zone_departments=data.get("departments") or [],
            notes=data.get("notes", ""),
            actor=self.actor,
        )


@admin.register(Referent)
class ReferentAdmin(ServiceFormAdminMixin, admin.ModelAdmin):
    """Charter art. 9 (R1, R2): appointed and ended by the COPIL through the services."""

    list_display = ("representative", "is_zone_referent", "zone", "start_date", "end_date")
    list_filter = ("is_zone_referent", ("end_date", admin.EmptyFieldListFilter))
    list_select_related = ("representative__user", "representative__organisation")
    search_fields = ("representative__user__last_name", "representative__organisation__legal_name")
    autocomplete_fields = ("representative",)
    actions = ("end_missions",)

    @admin.display(description=_("zone"))
    def zone(self, obj):
        return ", ".join(obj.zone_departments or [])

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ReferentAppointForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return (
                "representative",
                "bodies",
                "body_names",
                "hierarchy_agreement",
                "hierarchy_agreement_on",
                "available_min_years",
                "start_date",
                "is_zone_referent",
                "departments",
                "notes",
            )
        return (
            "representative",
            "hierarchy_agreement",
            "hierarchy_agreement_on",
            "start_date",
            "is_zone_referent",
            "zone_departments",
            "end_date",
            "end_reason",
            "notes",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "representative",
            "hierarchy_agreement",
            "hierarchy_agreement_on",
            "start_date",
            "is_zone_referent",
            "zone_departments",
            "end_date",
            "end_reason",
        )

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["notes", "updated_at"])
        # A new referent was appointed by the form's service (referent_appoint).

    @admin.action(description=_("Mettre fin à la mission (décision du COPIL)"))
    def end_missions(self, request, queryset):
        done = 0
        for referent in queryset:
            try:
                commission_services.referent_end(
                    referent=referent,
                    reason=ReferentEndReason.COPIL_DECISION,
                    actor=request.user,
                )
                done += 1
            except GovernanceError as error:
                self.message_user(request, f"{referent} : {error.message}", messages.ERROR)
        if done:
            self.message_user(
                request, ngettext("%d mission terminée.", "%d missions terminées.", done) % done
            )


@admin.register(ReferentContact)
class ReferentContactAdmin(ReadOnlyAdmin):
    """Charter art. 9 (R3): the referents' contact log, for the COPIL."""

    list_display = ("date", "referent", "body_name", "body_kind", "subject")
    list_filter = ("body_kind",)
    list_select_related = (
        "referent__representative__user",
        "referent__representative__organisation",
    )
    search_fields = ("body_name", "subject")


@admin.register(ReferentMessage)
class ReferentMessageAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "referent", "sender_name")
    list_select_related = (
        "referent__representative__user",
        "referent__representative__organisation",
    )
    exclude = ("submission_token",)


class SupportInline(ReadOnlyInline):
    model = RevisionSupport
    fields = ("organisation", "supported_by", "supported_at", "withdrawn_at")
    readonly_fields = fields


class VoteInline(ReadOnlyInline):
    model = RevisionVote
    fields = ("organisation", "choice", "recorded_by", "recorded_at")
    readonly_fields = fields


@admin.register(CharterRevision)
class CharterRevisionAdmin(ReadOnlyAdmin):
    """Charter art. 10 (X2-X4): followed here, decided on the revision pages."""

    list_display = ("title", "origin", "nature", "status", "opened_at", "decided_at")
    list_filter = ("status", "origin")
    inlines = (SupportInline, VoteInline)


# --- COPIL seats, elections, proxies and COPIL meetings (art. 6) -----------------------------------

from . import admin_elections  # noqa: E402, F401
