"""Domain errors of activities, each with a user-facing translated message."""

from django.utils.translation import gettext_lazy as _


class ActivitiesError(Exception):
    default_message = _("Cette opération n'est pas permise.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class NotAnOrganiser(ActivitiesError):
    default_message = _(
        "Seuls les organisateurs de l'activité et le COPIL peuvent pointer les présences."
    )


class NotConvened(ActivitiesError):
    default_message = _("Vous n'êtes pas convoqué à cette activité.")


class RegistrationClosed(ActivitiesError):
    default_message = _("L'activité a commencé : les inscriptions sont closes.")


class ActivityCancelled(ActivitiesError):
    default_message = _("L'activité est annulée.")


class ActivityChangeRefused(ActivitiesError):
    """A change of an activity's date or kind that a rule of another app refuses (the
    election at a plenary, V9-V11); ``field`` names the form field it concerns."""

    default_message = _("Cette modification de l'activité n'est pas permise.")

    def __init__(self, message=None, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class OrganisationDeparted(ActivitiesError):
    """S2, L5: the organisation the person represents has lost its status."""

    default_message = _(
        "L'entité que vous représentez a quitté la COS-GE : vous ne pouvez plus vous "
        "inscrire aux activités en son nom."
    )
