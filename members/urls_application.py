"""The membership application (/candidature/, M3, M4)."""

from django.urls import path

from . import views

app_name = "application"
urlpatterns = [
    path("", views.application_form, name="form"),
    path("brouillon/<int:pk>/", views.application_form, name="edit"),
    path("suivi/", views.application_list, name="list"),
]
