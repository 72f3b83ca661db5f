"""The COPIL's announcements (mounted at /copil/annonces/)."""

from django.urls import path

from core.decisions import decision

from . import views

app_name = "announcements"
# decision(...): a decision of the COPIL or the election commission, or a page only they
# see; whoever holds one of these roles needs MFA in the session (cos_portal/security.py).
urlpatterns = [
    decision(path("", views.announcement_list, name="list")),
    decision(path("nouvelle/", views.announcement_create, name="create")),
    decision(path("<int:pk>/", views.announcement_detail, name="detail")),
    decision(path("<int:pk>/envoyer/", views.announcement_send, name="send")),
]
