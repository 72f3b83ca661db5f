"""Domain errors of the members registry, each with a user-facing translated message."""

from django.utils.translation import gettext_lazy as _


class MembersError(Exception):
    default_message = _("This operation is not allowed.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class TransitionNotAllowed(MembersError):
    default_message = _("This status change is not allowed by the charter.")


class NotInGrandEst(MembersError):
    default_message = _(
        "The organisation needs at least one active establishment in the Grand Est region "
        "(departments 08, 10, 51, 52, 54, 55, 57, 67, 68 or 88)."
    )
