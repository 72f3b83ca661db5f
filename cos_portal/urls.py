from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from governance import urls as governance_urls
from members import views as members_views
from members import views_public as members_public

from . import cockpit, discovery, views, views_accessibility, views_mfa

admin.site.site_header = _("COS-GE — administration du COPIL")
admin.site.site_title = "COS-GE"
admin.site.index_title = _("Gouvernance")
# The admin signs in through allauth: e-mail verification, rate limits and MFA apply
# (cos_portal/security.py asks staff for their authenticator app before the admin).
admin.site.login = secure_admin_login(admin.site.login)
# The admin's index opens on what waits for the COPIL (the cockpit, also at /copil/).
admin.site.index = cockpit.admin_index(admin.site.index)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibilite/", views_accessibility.statement, name="accessibility"),
    path("langue/", views.set_language, name="set_language"),
    # Before allauth's own: the activation leads back to the page asked for (views_mfa).
    path("comptes/2fa/totp/activate/", views_mfa.activate_totp, name="mfa_activate_totp"),
    path("comptes/", include("allauth.urls")),
    path("annuaire/", include("members.urls")),
    # Open data and discoverability (issue 10).
    path("annuaire.csv", members_public.directory_csv, name="directory_csv"),
    path("annuaire.json", members_public.directory_json, name="directory_json"),
    path("annuaire-fr.csv", members_public.directory_csv_fr, name="directory_csv_fr"),
    path("annuaire.schema.json", members_public.directory_schema, name="directory_schema"),
    path(
        "annuaire.datapackage.json",
        members_public.directory_datapackage,
        name="directory_datapackage",
    ),
    path("sitemap.xml", discovery.sitemap_xml, name="sitemap"),
    path("robots.txt", discovery.robots_txt, name="robots_txt"),
    path("favicon.ico", discovery.favicon_ico, name="favicon"),
    path("manifest.webmanifest", discovery.web_manifest, name="web_manifest"),
    path("charte/", include("charters.urls")),
    path("", include("cos_portal.urls_privacy")),
    path("compte/", include("cos_portal.urls_reminders")),
    path("espace/", include("members.urls_space")),
    path("candidature/", include("members.urls_application")),
    path("espace-membre/", include("members.urls_member_space")),
    path("invitation/<str:token>/", members_views.invitation_accept, name="invitation_accept"),
    path("activites/", include("activities.urls")),
    path("elections/", include(governance_urls.elections)),
    path("", include(governance_urls.commissions)),
    # The COPIL's pages outside the admin (issues 9, 18): cockpit, announcements, deadlines.
    path("copil/", include("cos_portal.urls_cockpit")),
    path("copil/annonces/", include("governance.announcements.urls")),
    path("copil/echeances/", include("cos_portal.urls_deadlines")),
    path("admin/", admin.site.urls),
]
