from django.urls import path

from core.decisions import decision

from . import views

app_name = "activities"
# decision(...): a decision of the COPIL or the election commission, or a page only they
# see; whoever holds one of these roles needs MFA in the session (cos_portal/security.py).
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("calendrier.ics", views.public_calendar, name="calendar"),
    path("calendrier/<str:token>.ics", views.private_calendar, name="private_calendar"),
    path("calendrier/jeton/", views.calendar_token_regenerate, name="calendar_token"),
    path("ma-presence/", views.my_attendance, name="my_attendance"),
    decision(path("copil/presence/", views.ratio_dashboard, name="ratio_dashboard")),
    decision(path("copil/presence/recalculer/", views.ratio_recompute, name="ratio_recompute")),
    path("nouvelle/", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/modifier/", views.activity_edit, name="edit"),
    path("<int:pk>/inscription/", views.register, name="register"),
    path("pointage-sw.js", views.checkin_service_worker, name="checkin_service_worker"),
    path("<int:pk>/mon-code.png", views.my_checkin_code, name="my_checkin_code"),
    path("<int:pk>/pointage/", views.checkin, name="checkin"),
    path("<int:pk>/pointage/app.webmanifest", views.checkin_manifest, name="checkin_manifest"),
    path("<int:pk>/pointage/personnes.json", views.checkin_roster, name="checkin_roster"),
    path("<int:pk>/pointage/marquer/", views.checkin_mark, name="checkin_mark"),
    path("<int:pk>/pointage/synchroniser/", views.checkin_sync, name="checkin_sync"),
    path("<int:pk>/pointage/sans-convocation/", views.checkin_walk_in, name="checkin_walk_in"),
    path("<int:pk>/presences.csv", views.attendance_export, name="attendance_export"),
    path("<int:pk>/emargement.pdf", views.sign_in_sheet, name="sign_in_sheet"),
    path("<int:pk>/presences/import/", views.attendance_import, name="attendance_import"),
    path("<int:pk>/compte-rendu/", views.minutes, name="minutes"),
    path("<int:pk>/compte-rendu/fichier/", views.minutes_file, name="minutes_file"),
]
