from django.urls import path

from core.decisions import decision

from . import views

app_name = "charters"
# decision(...): a decision of the COPIL or the election commission, or a page only they
# see; whoever holds one of these roles needs MFA in the session (cos_portal/security.py).
urlpatterns = [
    path("", views.charter_current, name="current"),
    path("versions/<slug:slug>/", views.charter_version, name="version"),
    path("signer/", views.charter_sign, name="sign"),
    path("signatures/", views.my_signatures, name="my_signatures"),
    path("signatures/<str:code>/", views.signature_detail, name="signature"),
    path("signatures/<str:code>/certificat.pdf", views.signature_certificate, name="certificate"),
    path("verifier/", views.charter_verify, name="verify"),
    decision(path("campagne/", views.campaign, name="campaign")),
]
