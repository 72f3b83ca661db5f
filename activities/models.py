"""Activities, convocations, registrations, attendance, ratios and minutes (A1-A4, W3, M6)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel, LeasedEmail
from members.models import Organisation

from .constants import ActivityKind, Attendance, ConvenedScope, ConvocationSource, Registration


class Activity(BaseModel):
    """An activity organised by the COS-GE (A1)."""

    kind = models.CharField(_("type"), max_length=30, choices=ActivityKind.choices)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("début"), db_index=True)
    ends_at = models.DateTimeField(_("fin"))
    place = models.CharField(
        _("lieu"), max_length=300, blank=True,
        help_text=_("Adresse en région Grand Est ; laisser vide pour une activité en ligne."),
    )  # fmt: skip
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    online_url = models.URLField(_("lien de visioconférence"), blank=True)
    is_public = models.BooleanField(
        _("publique"), default=False,
        help_text=_("Une activité publique figure sur la page publique et le calendrier public."),
    )  # fmt: skip
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("organisateurs"), blank=True,
        related_name="organised_activities",
    )  # fmt: skip
    convened_scope = models.CharField(
        _("personnes convoquées"), max_length=20, choices=ConvenedScope.choices,
        default=ConvenedScope.ALL_MEMBERS,
        help_text=_("« Tous les membres » convoque les entités membres à la date de l'activité."),
    )  # fmt: skip
    invited_organisations = models.ManyToManyField(
        Organisation, verbose_name=_("entités convoquées nommément"), blank=True,
        related_name="invited_activities",
        help_text=_("Partenaires, invités ou membres convoqués au cas par cas."),
    )  # fmt: skip
    invited_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("personnes invitées nommément"), blank=True,
        related_name="invited_activities",
        help_text=_("Experts ou invités à titre personnel ; ils ne comptent pour aucune entité."),
    )  # fmt: skip
    convocations_synced_at = models.DateTimeField(
        _("convocations établies le"), null=True, blank=True, editable=False
    )
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True, editable=False)
    # RFC 5545 SEQUENCE: raised by each change of what a calendar shows (title, times,
    # place, cancellation), so that calendar software replaces its copy of the event.
    sequence = models.PositiveIntegerField(_("révision"), default=0, editable=False)

    class Meta:
        verbose_name = _("activité")
        verbose_name_plural = _("activités")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="activity_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("activities:detail", kwargs={"pk": self.pk})

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_online(self) -> bool:
        return not self.place and bool(self.online_url)


class Convocation(models.Model):
    """An organisation convened to an activity: the denominator of its ratio (A3).

    Materialised per organisation so the ratio is one database aggregate: an
    "all members" activity gets one row per member at the activity's date.
    """

    activity = models.ForeignKey(
        Activity, verbose_name=_("activité"), on_delete=models.CASCADE, related_name="convocations"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("entité"), on_delete=models.CASCADE,
        related_name="convocations",
    )  # fmt: skip
    source = models.CharField(_("origine"), max_length=20, choices=ConvocationSource.choices)

    class Meta:
        verbose_name = _("convocation")
        verbose_name_plural = _("convocations")
        ordering = ["activity", "organisation"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "organisation"], name="convocation_unique_organisation"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "activity"])]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.activity}"


class ConvocationNoticeStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")


class ConvocationNotice(LeasedEmail):
    """The convocation e-mail of one person to one activity, with their check-in code (A2).

    Written when the person joins the activity's roster (convocations synced, an invitee
    named), unique per activity and person: a second sync finds the row and adds nothing.
    The e-mail task sends only the rows it claimed (LeasedEmail) and marks each one sent
    right after its e-mail, so a retry, a re-sync or a worker killed in the middle of a
    batch never sends twice, and the rows left are sent by the next run.
    """

    activity = models.ForeignKey(
        Activity, verbose_name=_("activité"), on_delete=models.CASCADE,
        related_name="convocation_notices",
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("personne"), on_delete=models.CASCADE,
        related_name="convocation_notices",
    )  # fmt: skip
    status = models.CharField(
        _("état"), max_length=10, choices=ConvocationNoticeStatus.choices,
        default=ConvocationNoticeStatus.PENDING, db_index=True,
    )  # fmt: skip

    class Meta:
        verbose_name = _("envoi de convocation")
        verbose_name_plural = _("envois de convocations")
        ordering = ["activity", "user"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="convocation_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} → {self.user}"


class Participation(models.Model):
    """One person at one activity: registration, then attendance recorded by an organiser (A2)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activité"), on_delete=models.CASCADE,
        related_name="participations",
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("personne"), on_delete=models.PROTECT,
        related_name="participations",
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("entité représentée"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="participations",
        help_text=_("L'entité que la personne représentait ; vide pour un invité à titre personnel."),
    )  # fmt: skip
    registration = models.CharField(
        _("inscription"), max_length=20, choices=Registration.choices, blank=True, default=""
    )
    registered_at = models.DateTimeField(_("inscrit le"), null=True, blank=True)
    attendance = models.CharField(
        _("présence"), max_length=20, choices=Attendance.choices, blank=True, default=""
    )
    is_walk_in = models.BooleanField(_("venu sans convocation"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("pointé par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("pointé le"), null=True, blank=True)
    # Recorded on an organiser's phone without network, sent when it returned (A2).
    recorded_offline = models.BooleanField(_("pointé hors ligne"), default=False)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["activity", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"], name="participation_unique_person"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "activity", "attendance"]),
            # The ratio job's set of (activity, organisation) pairs present (A3): an
            # index-only read of the present rows of the window's activities.
            models.Index(
                fields=["activity", "organisation"],
                condition=models.Q(attendance="present"),
                name="participation_present_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.activity}"

    @property
    def is_coming(self) -> bool:
        return self.registration == Registration.COMING

    @property
    def is_not_coming(self) -> bool:
        return self.registration == Registration.NOT_COMING


class CheckinAction(models.Model):
    """One action of an organiser's check-in app, received by the sync (A2).

    The app gives each action an id when it is made (a tap, a scanned code, a walk-in),
    queues it while offline and sends it when the network returns; an id stored here is
    never applied twice, however often the app sends it again. ``acted_at`` is when the
    organiser acted on the phone: the latest action on a person wins.
    """

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("appliqué")
        SUPERSEDED = "superseded", _("dépassé par un pointage plus récent")

    activity = models.ForeignKey(
        Activity, verbose_name=_("activité"), on_delete=models.CASCADE,
        related_name="checkin_actions",
    )  # fmt: skip
    client_id = models.UUIDField(_("identifiant donné par l'application"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("personne"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    attendance = models.CharField(
        _("présence"), max_length=20, choices=Attendance.choices, blank=True, default=""
    )
    acted_at = models.DateTimeField(_("pointé sur le téléphone le"))
    received_at = models.DateTimeField(_("reçu le"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("organisateur"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    offline = models.BooleanField(_("hors ligne"), default=False)
    outcome = models.CharField(_("résultat"), max_length=20, choices=Outcome.choices)
    walk_in = models.BooleanField(_("venu sans convocation"), default=False)

    class Meta:
        verbose_name = _("action de pointage")
        verbose_name_plural = _("actions de pointage")
        ordering = ["activity", "acted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "client_id"], name="checkin_action_unique_client_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} ({self.outcome})"


class AttendanceRatio(models.Model):
    """A dated snapshot of a member's attendance over the rolling window (A3, A4)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("entité"), on_delete=models.CASCADE,
        related_name="attendance_ratios",
    )  # fmt: skip
    date = models.DateField(_("date du calcul"))
    window_start = models.DateTimeField(
        _("début de la période"),
        help_text=_(
            "Compte les activités commencées entre le début de la période inclus et "
            "l'instant du calcul exclu (une activité à venir ne compte pas). La période "
            "couvre les derniers mois que fixe la charte en vigueur, et commence au plus "
            "tôt à l'adhésion de l'entité."
        ),
    )
    window_end = models.DateTimeField(_("fin de la période"))
    convened = models.PositiveIntegerField(_("activités convoquées"))
    attended = models.PositiveIntegerField(_("activités suivies"))
    threshold_percent = models.PositiveSmallIntegerField(_("seuil (%)"))
    computed_at = models.DateTimeField(_("calculé le"))

    class Meta:
        verbose_name = _("taux de présence")
        verbose_name_plural = _("taux de présence")
        ordering = ["-date", "organisation"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "date"], name="attendance_ratio_unique_day"
            ),
            models.CheckConstraint(
                condition=models.Q(attended__lte=models.F("convened")),
                name="attendance_ratio_attended_le_convened",
            ),
        ]
        indexes = [models.Index(fields=["date", "organisation"])]

    def __str__(self) -> str:
        return f"{self.organisation} {self.date}: {self.attended}/{self.convened}"

    @property
    def ratio_percent(self) -> float | None:
        # A3: nothing convened means no ratio, not 0 %.
        if not self.convened:
            return None
        return round(100 * self.attended / self.convened, 1)

    @property
    def is_below_threshold(self) -> bool:
        return bool(self.convened) and self.attended * 100 < self.threshold_percent * self.convened

    def is_near_threshold(self, *, warning_points: int) -> bool:
        """Below the threshold plus ``warning_points`` (A3, the charter version's
        ``attendance_warning_points``); the reminders of activities/deadlines.py use
        the same comparison in SQL."""
        return bool(self.convened) and (
            self.attended * 100 < (self.threshold_percent + warning_points) * self.convened
        )


def minutes_upload_to(instance, filename: str) -> str:
    return f"activities/minutes/{instance.activity_id}/{secrets.token_hex(8)}-{filename}"


class Minutes(BaseModel):
    """The minutes of an activity, seen only by those who attended it (W3)."""

    activity = models.OneToOneField(
        Activity, verbose_name=_("activité"), on_delete=models.CASCADE, related_name="minutes"
    )
    text = models.TextField(_("texte"), blank=True)
    file = models.FileField(_("fichier"), upload_to=minutes_upload_to, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("déposé par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("compte rendu")
        verbose_name_plural = _("comptes rendus")
        ordering = ["-activity__starts_at"]

    def __str__(self) -> str:
        return str(self.activity)


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret of a person's private calendar feed; regenerating it revokes the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("personne"), on_delete=models.CASCADE,
        related_name="calendar_token",
    )  # fmt: skip
    token = models.CharField(_("jeton"), max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(_("créé le"), auto_now=True)

    class Meta:
        verbose_name = _("jeton de calendrier")
        verbose_name_plural = _("jetons de calendrier")
        ordering = ["user"]

    def __str__(self) -> str:
        return str(self.user)
