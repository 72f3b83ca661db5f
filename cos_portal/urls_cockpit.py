"""The COPIL's cockpit (mounted at /copil/)."""

from django.urls import path

from core.decisions import decision

from . import views_cockpit

app_name = "copil"
# A page only the COPIL and its team see: MFA as the admin (cos_portal/security.py).
urlpatterns = [
    decision(path("", views_cockpit.cockpit, name="cockpit")),
    decision(path("panneau-echeances/", views_cockpit.cockpit_deadlines, name="cockpit_deadlines")),
]
