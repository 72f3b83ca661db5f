"""Pages of COPIL elections (mounted at /elections/, URL namespace ``elections``, shared
with the COPIL's minutes: see ``governance/urls.py``)."""

from django.urls import path

from core.decisions import decision

from . import views

# decision(...): a decision of the COPIL or the election commission, or a page only they
# see; whoever holds one of these roles needs MFA in the session (cos_portal/security.py).
urlpatterns = [
    path("", views.election_list, name="list"),
    decision(path("sieges/", views.seats, name="seats")),
    decision(path("nouvelle/", views.election_create, name="create")),
    path("<int:pk>/", views.election_detail, name="detail"),
    decision(path("<int:pk>/gerer/<slug:action>/", views.election_manage, name="manage")),
    path("<int:pk>/candidature/", views.candidacy_declare, name="candidacy"),
    path("<int:pk>/candidature/retrait/", views.candidacy_withdraw, name="candidacy_withdraw"),
    path("<int:pk>/procuration/", views.proxy_give, name="proxy_give"),
    path("<int:pk>/voter/", views.vote, name="vote"),
    decision(path("<int:pk>/bulletin-papier/", views.paper_ballot, name="paper_ballot")),
    decision(path("<int:pk>/egalite/", views.tie_resolve, name="tie")),
    path("<int:pk>/resultats/", views.results, name="results"),
    path("<int:pk>/resultats/recus.txt", views.receipts_download, name="receipts"),
    path("candidatures/<int:pk>/video/", views.candidacy_video, name="candidacy_video"),
    path("procurations/<int:pk>/document.pdf", views.proxy_pdf, name="proxy_pdf"),
    decision(path("procurations/<int:pk>/decision/", views.proxy_decide, name="proxy_decide")),
    path("procurations/<int:pk>/revoquer/", views.proxy_revoke, name="proxy_revoke"),
]
