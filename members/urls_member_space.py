"""The member space (/espace-membre/): one dashboard per organisation one represents.

/espace/ stays the person's own space (their representations and public consent);
each of its cards links here, and this space links back to it.
"""

from django.urls import path

from . import views

app_name = "member_space"
urlpatterns = [
    path("", views.member_space_home, name="dashboard"),
    path("inviter/", views.invitation_propose, name="invitation_propose"),
    path("candidatures/<int:pk>/avis/", views.opinion, name="opinion"),
    path("justificatifs/<int:pk>/fichier/", views.proof_document, name="proof_document"),
    path("<slug:slug>/", views.member_space, name="organisation"),
    path("<slug:slug>/demission/", views.resign, name="resign"),
    path("<slug:slug>/renonciation/", views.renounce, name="renounce"),
    path("<slug:slug>/representants/ajouter/", views.representative_add, name="representative_add"),
    path(
        "<slug:slug>/representants/<int:pk>/fin/",
        views.representative_end,
        name="representative_end",
    ),
    path(
        "<slug:slug>/exclusion/<int:pk>/reponse/",
        views.exclusion_respond,
        name="exclusion_respond",
    ),
    path("<slug:slug>/justificatifs/<int:pk>/", views.proof_upload, name="proof_upload"),
]
