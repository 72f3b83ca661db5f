"""Charter versions in the admin: their text is identified by its SHA-256 fingerprint."""

from django.contrib import admin

from .models import CharterVersion


@admin.register(CharterVersion)
class CharterVersionAdmin(admin.ModelAdmin):
    list_display = ("label", "title", "effective_date", "end_date", "text_sha256")
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
        "text_sha256",
        "created_at",
        "updated_at",
    )
