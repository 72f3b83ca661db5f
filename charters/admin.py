"""Charter versions in the admin: their text is identified by its SHA-256 fingerprint."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_readonly import ReadOnlyAdmin

from . import services
from .exceptions import CharterError
from .models import FROZEN_FIELDS, CharterVersion, Signature


class CharterVersionAdminForm(forms.ModelForm):
    class Meta:
        model = CharterVersion
        fields = (
            "label", "title", "effective_date", "end_date", "change_note", "body",
            "parameters", "requires_head_signature",
        )  # fmt: skip

    def clean_end_date(self):
        end_date = self.cleaned_data["end_date"]
        stored = self.instance
        # W1: a published version only gets an earlier end (replaced or abrogated).
        if stored.pk and stored.is_published:
            previous = CharterVersion.objects.values_list("end_date", flat=True).get(pk=stored.pk)
            if end_date > previous:
                raise forms.ValidationError(
                    _("Une version publiée ne peut qu'être close plus tôt, pas prolongée.")
                )
        return end_date


@admin.register(CharterVersion)
class CharterVersionAdmin(admin.ModelAdmin):
    form = CharterVersionAdminForm
    list_display = (
        "label", "title", "effective_date", "end_date", "published_at",
        "requires_head_signature", "text_sha256",
    )  # fmt: skip
    actions = ["revise", "publish"]
    search_fields = ("label", "title")
    date_hierarchy = "effective_date"
    # Computed from the text on save (W1): never typed.
    readonly_fields = ("text_sha256", "created_at", "updated_at")
    fields = (
        "label",
        "title",
        "effective_date",
        "end_date",
        "change_note",
        "body",
        "parameters",
        "requires_head_signature",
        "published_at",
        "text_sha256",
        "created_at",
        "updated_at",
    )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return [*fields, "published_at"]
        if obj.is_published:
            # W1: the text of a published version is frozen; a change is a new version.
            return [*fields, *FROZEN_FIELDS, "published_at"]
        return [*fields, "published_at"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Réviser : créer un brouillon de nouvelle version"))
    def revise(self, request, queryset):
        for version in queryset:
            try:
                draft = services.charter_version_revise(
                    version=version,
                    label=f"{version.label} — révision {timezone.localdate():%Y-%m-%d}",
                    effective_date=max(version.effective_date, timezone.localdate()),
                    change_note=_("À compléter : nature de la modification."),
                    actor=request.user,
                )
            except CharterError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    format_html(
                        _('Brouillon créé : <a href="{}">{}</a>.'),
                        reverse("admin:charters_charterversion_change", args=[draft.pk]),
                        draft.label,
                    ),
                    messages.SUCCESS,
                )

    @admin.action(description=_("Publier (le texte devient définitif)"))
    def publish(self, request, queryset):
        for version in queryset:
            try:
                services.charter_version_publish(version=version, actor=request.user)
            except CharterError as error:
                self.message_user(request, f"{version.label} : {error.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(label)s publiée.") % {"label": version.label})


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = (
        "organisation_name", "version", "signer_name", "capacity", "scope", "signed_at",
        "certificate_link",
    )  # fmt: skip
    list_filter = ("version", "scope", "capacity")
    search_fields = ("organisation_name", "signer_name", "signer_email", "verification_code")
    list_select_related = ("version",)
    date_hierarchy = "signed_at"

    @admin.display(description=_("Certificat"))
    def certificate_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("charters:certificate", kwargs={"code": obj.verification_code}),
            obj.verification_code,
        )
