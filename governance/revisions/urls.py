"""Pages of charter revision (mounted at the site root, URL namespace ``commissions``: see
``governance/urls.py``)."""

from django.urls import path

from core.decisions import decision

from . import views

# decision(...): a decision of the COPIL or the election commission, or a page only they
# see; whoever holds one of these roles needs MFA in the session (cos_portal/security.py).
urlpatterns = [
    path("revision/", views.revision_index, name="revision_index"),
    path("revision/demande/", views.revision_petition, name="revision_petition"),
    decision(path("revision/ouvrir/", views.revision_copil_open, name="revision_copil_open")),
    decision(
        path("revision/nouvelle-version/", views.charter_version_new, name="charter_version_new")
    ),
    path("revision/<int:revision_id>/", views.revision_detail, name="revision"),
    path("revision/<int:revision_id>/soutien/", views.revision_support, name="revision_support"),
    decision(
        path(
            "revision/<int:revision_id>/commission/",
            views.revision_commission,
            name="revision_commission",
        )
    ),
    decision(
        path("revision/<int:revision_id>/projet/", views.revision_draft, name="revision_draft")
    ),
    decision(
        path(
            "revision/<int:revision_id>/ouvrir-le-vote/",
            views.revision_vote_open,
            name="revision_vote_open",
        )
    ),
    decision(path("revision/<int:revision_id>/vote/", views.revision_vote, name="revision_vote")),
    decision(
        path(
            "revision/<int:revision_id>/clore-le-vote/",
            views.revision_vote_close,
            name="revision_vote_close",
        )
    ),
]
