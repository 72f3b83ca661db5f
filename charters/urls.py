from django.urls import path

from . import views

app_name = "charters"
urlpatterns = [path("", views.charter_current, name="current")]
