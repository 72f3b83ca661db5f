"""The COPIL's announcements (mounted at /copil/annonces/)."""

from django.urls import path

from . import views_announcements as views

app_name = "announcements"
urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("nouvelle/", views.announcement_create, name="create"),
    path("<int:pk>/", views.announcement_detail, name="detail"),
    path("<int:pk>/envoyer/", views.announcement_send, name="send"),
]
