"""Partnership agreements (P1 to P6) and their amendments."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import AgreementAmendment, PartnershipAgreement
from .decisions import ServiceCreateAdminMixin, ServiceCreateForm, can_decide

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
