from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.audit_actions import audit_actions_register
from core.auditing import follow_app
from core.email_kinds import email_kind_register

from .announcements import ANNOUNCEMENT_MAIL
from .audit_actions import GOVERNANCE_AUDIT


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Gouvernance")

    def ready(self):
        # The subjects' deadlines join the engine's registry (core/deadlines.py), in the
        # order the pages that list the kinds show them.
        for subject in ("elections", "commissions", "copil", "revisions"):
            import_module(f"{self.name}.{subject}.deadlines")

        # The subjects' decisions in the audit trail (core/audit_actions.py).
        for actions in GOVERNANCE_AUDIT:
            audit_actions_register(actions)

        # The subjects' kinds of mail (core/email_kinds.py). Only the announcements may be
        # stopped by their recipient; the election's announcement convokes to a statutory
        # vote, the others answer an act or tell the COPIL: mandatory.
        email_kind_register(
            ANNOUNCEMENT_MAIL, mutable=True, label=_("les annonces du COPIL de la COS-GE")
        )
        for kind in (
            "election_announcement",
            "minutes_request",
            "minutes_answer",
            "referent_message",
            "referent_resigned",
            "report_submitted",
            "revision_result",
            "revision_seized",
        ):
            email_kind_register(kind)

        # Every governance row in the row-level trail, never one that holds a vote.
        follow_app(self)

        from .hooks import register

        # An election's plenary, a revision vote's plenary: activities asks governance
        # before an activity changes date or kind, and governance follows (V9-V11, X4).
        register()

        from . import membership

        # A member resigns or is excluded: its COPIL mandates end, the COPIL role and the
        # admin follow, the revision petitions are recounted (members/hooks.py; L5, V3, X2).
        membership.register()
