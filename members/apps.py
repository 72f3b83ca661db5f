from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from charters.organisations import OrganisationReaders, organisation_readers_register
from core.audit_actions import audit_actions_register
from core.auditing import NOISE, follow, stored_fields
from core.email_kinds import email_kind_register
from core.roles import copil_group_register

from .audit_actions import MembersAudit
from .constants import COPIL_GROUP


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Registre des membres")

    def ready(self):
        # The app's deadlines join the engine's registry (core/deadlines.py).
        from . import deadlines, selectors  # noqa: F401
        from .models import (
            Application,
            Establishment,
            ExclusionProcedure,
            Organisation,
            Representative,
            StatusChange,
        )

        # The lower layers know the COPIL (core/roles.py) and read the organisations'
        # statuses (charters/organisations.py) through what members gives them here.
        copil_group_register(COPIL_GROUP)
        organisation_readers_register(
            OrganisationReaders(
                organisation_status=selectors.organisation_status,
                status_holders=selectors.status_holders,
                status_changes_latest=selectors.status_changes_latest,
                statuses_held_since=selectors.statuses_held_since,
                status_held_since_subquery=selectors.status_held_since_subquery,
            )
        )

        # The registry's decisions in the audit trail (core/audit_actions.py).
        audit_actions_register(MembersAudit)

        # The COPIL's letters on a status (core/email_kinds.py): mandatory.
        email_kind_register("status_decision")

        # The registry's rows in the row-level trail (core/auditing.py).
        follow(
            Organisation,
            **stored_fields(Organisation, exclude=NOISE),
            m2m_fields={"offer_categories"},
        )
        follow(Establishment)
        follow(Representative)
        follow(StatusChange, **stored_fields(StatusChange))
        # COPIL decisions on applications and exclusions (the form's raw data stays out).
        follow(Application, **stored_fields(Application, exclude=[*NOISE, "data"]))
        follow(ExclusionProcedure)
