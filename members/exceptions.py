"""Domain errors of the members registry, each with a user-facing translated message."""

from django.utils.translation import gettext_lazy as _


class MembersError(Exception):
    default_message = _("Cette opération n'est pas permise.")
    #: The form field the error belongs to, when there is one (None: the whole form).
    field: str | None = None

    def __init__(self, message=None, *, field: str | None = None):
        self.message = message or self.default_message
        if field is not None:
            self.field = field
        super().__init__(str(self.message))


class TransitionNotAllowed(MembersError):
    default_message = _("La charte ne permet pas ce changement de statut.")


class NotInGrandEst(MembersError):
    default_message = _("L'entité doit avoir au moins un établissement actif en région Grand Est.")

    def __init__(self, message=None, *, departments=(), field: str | None = None):
        # Charter art. 3.1 (M2): the departments of the charter version in force.
        if message is None and departments:
            listed = _("Départements : %(departments)s.") % {"departments": ", ".join(departments)}
            message = f"{self.default_message} {listed}"
        super().__init__(message, field=field)


class NotAllowed(MembersError):
    default_message = _("Seul le COPIL peut prendre cette décision.")


class ApplicationBlocked(MembersError):
    default_message = _("La candidature ne remplit pas toutes les conditions de l'article 3.1.")


class InvalidUpload(MembersError):
    default_message = _("Ce fichier n'est pas accepté.")


class InvitationBanned(MembersError):
    default_message = _("Cette entité ne peut pas être invitée pour le moment.")
