"""Pages of the COPIL's minutes (mounted at /elections/, URL namespace ``elections``:
see ``governance/urls.py``)."""

from django.urls import path

from core.decisions import decision

from . import views

# decision(...): a decision of the COPIL or the election commission, or a page only they
# see; whoever holds one of these roles needs MFA in the session (cos_portal/security.py).
urlpatterns = [
    path("copil/reunions/<int:pk>/compte-rendu/", views.copil_minutes, name="copil_minutes"),
    path(
        "copil/reunions/<int:pk>/compte-rendu/fichier/",
        views.copil_minutes_file,
        name="copil_minutes_file",
    ),
    decision(
        path("copil/demandes-de-compte-rendu/", views.minutes_requests, name="minutes_requests")
    ),
]
