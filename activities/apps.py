from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.audit_actions import audit_actions_register
from core.email_kinds import email_kind_register

from .audit_actions import ActivitiesAudit


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activités")

    def ready(self):
        # The app's deadlines join the engine's registry (core/deadlines.py).
        from . import (
            deadlines,  # noqa: F401
            invitations,
            membership,
        )

        # A member resigns or is excluded: it leaves the convocations of the activities
        # to come at once (members/hooks.py; S2, L5). members reads the attendance
        # through the readers registered here too (members/attendance.py; M6, L3).
        membership.register()
        # The COPIL validates an invitation: the invitee is convened to the activities it
        # names (members/hooks.py; I1).
        invitations.register()

        # The app's decisions in the audit trail (core/audit_actions.py).
        audit_actions_register(ActivitiesAudit)

        # The convocation with the person's check-in code (A2): a convocation is not a
        # mail one stops receiving, so the kind is mandatory (core/email_kinds.py).
        email_kind_register("activity_convocation")
