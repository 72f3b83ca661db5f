"""The signed-in space of representatives (/espace/)."""

from django.urls import path

app_name = "space"
urlpatterns: list = []
