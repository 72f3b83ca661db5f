from django.urls import path

from . import views, views_public

app_name = "members"
urlpatterns = [
    path("", views.directory, name="directory"),
    # Before the organisation pages: "integration" is kept out of the organisations' slugs.
    path("integration/", views_public.directory_embed, name="directory_embed"),
    path("<slug:slug>/", views.organisation_detail, name="organisation"),
    path("<slug:slug>/logo", views.organisation_logo, name="organisation_logo"),
]
