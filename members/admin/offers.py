"""The categories of the offers shown on the public pages."""

from django.contrib import admin

from core.public_cache import PublicPagesAdminMixin

from ..models import OfferCategory


@admin.register(OfferCategory)
class OfferCategoryAdmin(PublicPagesAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
