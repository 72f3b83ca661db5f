from django.urls import path

from . import views_reminders

urlpatterns = [
    path("rappels/", views_reminders.reminder_preferences_edit, name="reminder_preferences"),
]
