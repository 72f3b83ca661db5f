from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("<slug:slug>/", views.organisation_detail, name="organisation"),
    path("<slug:slug>/logo", views.organisation_logo, name="organisation_logo"),
]
