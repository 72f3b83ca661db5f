"""Personal data pages (GDPR): the privacy notice and the person's own data."""

from django.urls import path

from . import views_privacy

app_name = "privacy"
urlpatterns = [
    path("confidentialite/", views_privacy.policy, name="policy"),
    path("espace/mes-donnees/", views_privacy.my_data, name="my_data"),
    path("espace/mes-donnees/export.json", views_privacy.export, name="export"),
    path("espace/mes-donnees/effacer/", views_privacy.erase, name="erase"),
]
