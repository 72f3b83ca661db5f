"""The COPIL's administration of seats, mandates and elections (art. 6).

Imported by ``governance/admin.py``. Thin: mandates start and end through the services
(the COPIL group follows). Ballots have no admin at all (V6); the vote register is
read-only.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin_readonly import ReadOnlyAdmin
from governance.exceptions import ElectionsError

from . import services
from .models import (
    Candidacy,
    CopilSeat,
    Election,
    Mandate,
    Proxy,
    VoteRecord,
)


@admin.register(CopilSeat)
class CopilSeatAdmin(ReadOnlyAdmin):
    list_display = ("number",)


class MandateForm(forms.ModelForm):
    class Meta:
        model = Mandate
        fields = ("seat", "holder", "organisation", "start_date", "end_date", "end_reason")

    def clean(self):
        data = super().clean()
        if self.instance.pk and bool(data.get("end_date")) != bool(data.get("end_reason")):
            raise forms.ValidationError(_("Indiquez la date et le motif de fin du mandat."))
        return data


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    """G1, V3: start a mandate, or end it with its reason; the COPIL group follows."""

    form = MandateForm
    list_display = ("seat", "holder", "organisation", "start_date", "end_date", "end_reason")
    list_filter = ("end_reason",)
    list_select_related = ("seat", "holder", "organisation")
    autocomplete_fields = ("holder", "organisation")  # searched, not every one listed

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("end_date", "end_reason")
        if obj.end_date:
            return ("seat", "holder", "organisation", "start_date", "end_date", "end_reason")
        return ("seat", "holder", "organisation", "start_date")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            if not change:
                saved = services.mandate_start(
                    seat=form.cleaned_data["seat"],
                    holder=form.cleaned_data["holder"],
                    organisation=form.cleaned_data["organisation"],
                    start_date=form.cleaned_data["start_date"],
                    actor=request.user,
                )
                obj.pk = saved.pk
            elif form.cleaned_data.get("end_date"):
                services.mandate_end(
                    mandate=obj,
                    end_date=form.cleaned_data["end_date"],
                    reason=form.cleaned_data["end_reason"],
                    actor=request.user,
                )
        except ElectionsError as error:
            self.message_user(request, error.message, messages.ERROR)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:
            return self.response_post_save_add(request, obj)
        return super().response_add(request, obj, post_url_continue)


@admin.register(Election)
class ElectionAdmin(ReadOnlyAdmin):
    """Followed here; the commission runs each election on its pages (V12)."""

    list_display = ("title", "election_date", "seats_to_fill", "status", "tie_flagged")
    list_filter = ("status",)
    exclude = ("electorate",)


@admin.register(Candidacy)
class CandidacyAdmin(ReadOnlyAdmin):
    list_display = ("candidate", "organisation", "election", "votes", "is_elected")
    list_select_related = ("candidate", "organisation", "election")
    list_filter = ("election",)
    # The video is a private file (no public URL): its name here, the file on the
    # election's page, behind its access check.
    exclude = ("video",)
    readonly_fields = ("video_name",)

    @admin.display(description=_("vidéo déposée"))
    def video_name(self, obj):
        return obj.video.name.rsplit("/", 1)[-1] if obj.video else "—"


@admin.register(Proxy)
class ProxyAdmin(ReadOnlyAdmin):
    list_display = ("giver", "holder", "election", "status", "signed_at", "decided_at")
    list_select_related = ("giver", "holder", "election")
    list_filter = ("status", "election")
    # The proxy's own fields first, then the decision (kept in a shared abstract base).
    fields = (
        "election", "giver", "holder", "signed_by", "signed_at", "signer_name", "status",
        "decided_by", "decided_at", "refusal_reason", "revoked_at",
    )  # fmt: skip


@admin.register(VoteRecord)
class VoteRecordAdmin(ReadOnlyAdmin):
    """The register ("émargement"): who voted, never what (V6)."""

    list_display = ("organisation", "election", "cast_by", "via_proxy", "on_paper")
    list_select_related = ("organisation", "election", "cast_by", "via_proxy")
    list_filter = ("election",)
