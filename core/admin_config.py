"""Django's admin app with the portal's site (core/admin_french.py) as its default site.

Kept apart from the site itself: INSTALLED_APPS imports this module before the models are
ready, and the site's module imports models.
"""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Replaces "django.contrib.admin" in INSTALLED_APPS: same app, the portal's site."""

    default_site = "core.admin_french.PortalAdminSite"
