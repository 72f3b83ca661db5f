"""Admin pages that only read.

Rows that the portal's services write (status history, signatures, audit entries,
reminders, opinions, uploaded proofs...) are shown to the COPIL in the admin, never
added, changed or deleted there: the rules live in the services (ARCHITECTURE §2).
"""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
