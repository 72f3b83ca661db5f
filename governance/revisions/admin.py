"""The COPIL's view of charter revisions (art. 10): followed here, decided on the
revision pages. Imported by ``governance/admin.py``.
"""

from django.contrib import admin

from core.admin_readonly import ReadOnlyAdmin, ReadOnlyInline

from .models import CharterRevision, RevisionSupport, RevisionVote


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
