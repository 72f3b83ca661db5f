"""The decisions the activities app records in the audit trail (core/audit_actions.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivitiesAudit(models.TextChoices):
    # An activity is created (page or admin), with its convocations.
    ACTIVITY_CREATED = "activities.activity.created", _("Activité créée")
    # An activity's date, place, kind or scope changes (page or admin).
    ACTIVITY_UPDATED = "activities.activity.updated", _("Activité modifiée")
    # An activity is cancelled (admin): it stays in the calendars, marked cancelled.
    ACTIVITY_CANCELLED = "activities.activity.cancelled", _("Activité annulée")
    # An organiser marks a person present, absent or excused on the check-in page.
    PARTICIPATION_CHECKED_IN = "activities.participation.checked_in", _("Présence pointée")
    # The check-in app sends an action older than the person's latest check-in: kept,
    # not applied (the latest on the phones wins).
    PARTICIPATION_CHECKIN_SUPERSEDED = (
        "activities.participation.checkin_superseded",
        _("Pointage reçu après un pointage plus récent"),
    )
    # An organiser adds a person who came without a convocation, marked present.
    PARTICIPATION_WALK_IN = (
        "activities.participation.walk_in_added",
        _("Participant sans convocation pointé présent"),
    )
    # An organiser applies an attendance sheet at once.
    ATTENDANCE_IMPORTED = "activities.attendance.imported", _("Feuille de présence importée")
    # The COPIL asks for the attendance ratios to be recomputed now.
    RATIOS_REQUESTED = "activities.ratios.requested", _("Recalcul des taux de présence demandé")
    # The minutes of an activity are deposited or replaced.
    MINUTES_SAVED = "activities.minutes.saved", _("Compte rendu déposé")
    # An organisation that lost its status leaves the convocations of activities to come.
    CONVOCATIONS_WITHDRAWN = "activities.convocations.withdrawn", _("Convocations retirées")
    # A validated invitation convenes the invitee to the activities it names (I1).
    INVITEE_CONVENED = "activities.invitation.convened", _("Invité convoqué aux activités")
