from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    """The kinds of activities of the charter (A1)."""

    ORDINARY_PLENARY = "ordinary_plenary", _("Assemblée plénière ordinaire")
    EXTRAORDINARY_PLENARY = "extraordinary_plenary", _("Assemblée plénière extraordinaire")
    COMMISSION_MEETING = "commission_meeting", _("Réunion de commission")
    WORKING_GROUP = "working_group", _("Groupe de travail")
    WORKSHOP = "workshop", _("Atelier")
    VISIT = "visit", _("Visite")
    TRADE_SHOW = "trade_show", _("Salon")
    COPIL_MEETING = "copil_meeting", _("Réunion du COPIL")


class ConvenedScope(models.TextChoices):
    """Who an activity convenes as a whole, besides the named organisations and persons (A1).

    A later "members of a commission" scope adds one value here and one branch in
    ``services.activity_convocations_sync``; the ratio reads only Convocation rows.
    """

    ALL_MEMBERS = "all_members", _("Tous les membres")
    NAMED = "named", _("Seulement les entités et personnes désignées")


class ConvocationSource(models.TextChoices):
    ALL_MEMBERS = "all_members", _("Tous les membres")
    NAMED = "named", _("Entité désignée")


class Registration(models.TextChoices):
    UNKNOWN = "", _("Pas de réponse")
    COMING = "coming", _("Viendra")
    NOT_COMING = "not_coming", _("Ne viendra pas")


class Attendance(models.TextChoices):
    """What the organiser recorded (A2); excused counts as not attended (A3)."""

    UNRECORDED = "", _("Non pointé")
    PRESENT = "present", _("Présent")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excusé")


# Minutes uploads (W3): PDF or OpenDocument/Office text, checked by content.
MINUTES_MAX_BYTES = 10 * 1024 * 1024
MINUTES_EXTENSIONS = {".pdf": b"%PDF-", ".odt": b"PK\x03\x04", ".docx": b"PK\x03\x04"}
