"""Pages of commissions, referents and charter revision (mounted at the site root)."""

from django.urls import path

from core.decisions import decision

from . import views_commissions as views

app_name = "commissions"
# decision(...): a decision of the COPIL or the election commission, or a page only they
# see; whoever holds one of these roles needs MFA in the session (cos_portal/security.py).
urlpatterns = [
    # Commissions (art. 8)
    path("commissions/", views.commission_list, name="list"),
    path("commissions/pieces/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("commissions/<slug:commission_slug>/", views.commission_detail, name="commission"),
    path(
        "commissions/<slug:commission_slug>/volontaire/",
        views.commission_volunteer,
        name="volunteer",
    ),
    decision(
        path(
            "commissions/<slug:commission_slug>/membres/<int:membership_id>/decision/",
            views.membership_decide,
            name="membership_decide",
        )
    ),
    decision(
        path(
            "commissions/<slug:commission_slug>/membres/<int:membership_id>/depart/",
            views.membership_leave,
            name="membership_leave",
        )
    ),
    decision(
        path(
            "commissions/<slug:commission_slug>/points/nouveau/",
            views.report_create,
            name="report_create",
        )
    ),
    path(
        "commissions/<slug:commission_slug>/points/<int:report_id>/",
        views.report_detail,
        name="report",
    ),
    decision(
        path(
            "commissions/<slug:commission_slug>/points/<int:report_id>/pleniere/",
            views.report_shown,
            name="report_shown",
        )
    ),
    decision(
        path(
            "commissions/<slug:commission_slug>/reunions/nouvelle/",
            views.meeting_create,
            name="meeting_create",
        )
    ),
    decision(
        path(
            "commissions/<slug:commission_slug>/feuille-de-route/nouvelle/",
            views.roadmap_action_edit,
            name="roadmap_create",
        )
    ),
    decision(
        path(
            "commissions/<slug:commission_slug>/feuille-de-route/<int:action_id>/",
            views.roadmap_action_edit,
            name="roadmap_edit",
        )
    ),
    # Referents (art. 9)
    path("referents/", views.referents_public, name="referents"),
    path("referents/<int:referent_id>/contact/", views.referent_contact, name="referent_contact"),
    path("referents/mon-journal/", views.referent_log, name="referent_log"),
    path("referents/demission/", views.referent_resign, name="referent_resign"),
    decision(path("referents/copil/", views.referents_copil, name="referents_copil")),
    # Charter revision (art. 10)
    path("revision/", views.revision_index, name="revision_index"),
    path("revision/demande/", views.revision_petition, name="revision_petition"),
    decision(path("revision/ouvrir/", views.revision_copil_open, name="revision_copil_open")),
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
