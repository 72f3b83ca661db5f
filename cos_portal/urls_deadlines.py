"""The COPIL's overview of deadlines (mounted at /copil/echeances/)."""

from django.urls import path

from . import views_deadlines

app_name = "deadlines"
urlpatterns = [
    path("", views_deadlines.overview, name="overview"),
    path("echeances.ics", views_deadlines.overview_ics, name="ics"),
]
