"""The signed-in space of representatives (/espace/)."""

from django.urls import path

from . import views

app_name = "space"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organisation/<slug:slug>/", views.organisation_edit, name="organisation_edit"),
    path("representation/<int:pk>/consentement/", views.consent_set, name="consent"),
]
