"""The COPIL's overview of deadlines (mounted at /copil/echeances/)."""

from django.urls import path

from core.decisions import decision

from . import views_deadlines

app_name = "deadlines"
# decision(...): a decision of the COPIL or the election commission, or a page only they
# see; whoever holds one of these roles needs MFA in the session (cos_portal/security.py).
urlpatterns = [
    decision(path("", views_deadlines.overview, name="overview")),
    decision(path("echeances.ics", views_deadlines.overview_ics, name="ics")),
]
