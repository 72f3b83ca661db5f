"""Proof requests (N1) and the documents sent in answer."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_readonly import ReadOnlyInline

from .. import services
from ..models import ProofDocument, ProofRequest
from .decisions import ServiceCreateAdminMixin, ServiceCreateForm

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
