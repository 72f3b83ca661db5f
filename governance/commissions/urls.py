"""Pages of commissions (mounted at the site root, URL namespace ``commissions``, shared
with referents and charter revision: see ``governance/urls.py``)."""

from django.urls import path

from core.decisions import decision

from . import views

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
]
