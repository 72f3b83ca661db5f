"""Pages of COPIL elections and COPIL minutes requests (mounted at /elections/)."""

from django.urls import path

from . import views_elections as views

app_name = "elections"
urlpatterns = [
    path("", views.election_list, name="list"),
    path("sieges/", views.seats, name="seats"),
    path("nouvelle/", views.election_create, name="create"),
    path("<int:pk>/", views.election_detail, name="detail"),
    path("<int:pk>/gerer/<slug:action>/", views.election_manage, name="manage"),
    path("<int:pk>/candidature/", views.candidacy_declare, name="candidacy"),
    path("<int:pk>/candidature/retrait/", views.candidacy_withdraw, name="candidacy_withdraw"),
    path("<int:pk>/procuration/", views.proxy_give, name="proxy_give"),
    path("<int:pk>/voter/", views.vote, name="vote"),
    path("<int:pk>/bulletin-papier/", views.paper_ballot, name="paper_ballot"),
    path("<int:pk>/egalite/", views.tie_resolve, name="tie"),
    path("<int:pk>/resultats/", views.results, name="results"),
    path("candidatures/<int:pk>/video/", views.candidacy_video, name="candidacy_video"),
    path("procurations/<int:pk>/document.pdf", views.proxy_pdf, name="proxy_pdf"),
    path("procurations/<int:pk>/decision/", views.proxy_decide, name="proxy_decide"),
    path("procurations/<int:pk>/revoquer/", views.proxy_revoke, name="proxy_revoke"),
    path("copil/reunions/<int:pk>/compte-rendu/", views.copil_minutes, name="copil_minutes"),
    path(
        "copil/reunions/<int:pk>/compte-rendu/fichier/",
        views.copil_minutes_file,
        name="copil_minutes_file",
    ),
    path("copil/demandes-de-compte-rendu/", views.minutes_requests, name="minutes_requests"),
]
