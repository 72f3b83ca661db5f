"""The COPIL's administration of referents (art. 9).

Thin: the COPIL appoints a referent and ends a mission through the services, so the
rules hold here as on the pages. Imported by ``governance/admin.py``.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from charters.selectors import charter_parameters
from core.admin_readonly import ReadOnlyAdmin
from governance.exceptions import GovernanceError
from governance.forms import ServiceForm, ServiceFormAdminMixin

from . import services
from .models import (
    BodyKind,
    HierarchyAgreement,
    Referent,
    ReferentContact,
    ReferentEndReason,
    ReferentMessage,
)


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
        self.instance = services.referent_appoint(
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
                services.referent_end(
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
