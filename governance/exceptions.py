"""Domain errors of governance, each with a user-facing translated message.

Shared by the parts of the app (commissions, referents, revision; elections): add
subclasses below, one block per part.
"""

from django.utils.translation import gettext_lazy as _


class GovernanceError(Exception):
    default_message = _("Cette opération n'est pas permise.")
    field: str | None = None

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


# --- Commissions, referents, charter revision (art. 8, 9, 10) ---


class NotAllowed(GovernanceError):
    default_message = _("Vous n'avez pas le droit d'effectuer cette action.")


class CommissionError(GovernanceError):
    default_message = _("Cette opération sur la commission n'est pas permise.")


class ReferentError(GovernanceError):
    default_message = _("Cette opération sur le référent n'est pas permise.")


class RevisionError(GovernanceError):
    default_message = _("Cette opération sur la révision de la charte n'est pas permise.")


# --- COPIL seats, elections, proxies, ballots, COPIL meetings (art. 6) ---


class ElectionsError(GovernanceError):
    default_message = _("Cette opération sur l'élection n'est pas permise.")


class ElectionsWrongPassword(ElectionsError):
    field = "password"
    default_message = _("Mot de passe incorrect : rien n'a été enregistré.")


# --- Announcements (the COPIL's newsletter, S2) ---


class AnnouncementError(GovernanceError):
    default_message = _("Cette opération sur l'annonce n'est pas permise.")
