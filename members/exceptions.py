"""Domain errors of the members registry, each with a user-facing translated message."""

from django.utils.translation import gettext_lazy as _


class MembersError(Exception):
    default_message = _("Cette opération n'est pas permise.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class TransitionNotAllowed(MembersError):
    default_message = _("La charte ne permet pas ce changement de statut.")


class NotInGrandEst(MembersError):
    default_message = _(
        "L'entité doit avoir au moins un établissement actif en région Grand Est "
        "(départements 08, 10, 51, 52, 54, 55, 57, 67, 68 ou 88)."
    )
