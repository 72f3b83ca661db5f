"""Pages of referents (mounted at the site root, URL namespace ``commissions``: see
``governance/urls.py``)."""

from django.urls import path

from core.decisions import decision

from . import views

# decision(...): a decision of the COPIL or the election commission, or a page only they
# see; whoever holds one of these roles needs MFA in the session (cos_portal/security.py).
urlpatterns = [
    path("referents/", views.referents_public, name="referents"),
    path("referents/<int:referent_id>/contact/", views.referent_contact, name="referent_contact"),
    path("referents/mon-journal/", views.referent_log, name="referent_log"),
    path("referents/demission/", views.referent_resign, name="referent_resign"),
    decision(path("referents/copil/", views.referents_copil, name="referents_copil")),
]
