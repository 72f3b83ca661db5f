from django.urls import path

from . import views_reminders, views_unsubscribe

urlpatterns = [
    path("rappels/", views_reminders.reminder_preferences_edit, name="reminder_preferences"),
    path(
        "desabonnement/<str:token>/",
        views_unsubscribe.email_unsubscribe,
        name="email_unsubscribe",
    ),
]
