"""Commissions (art. 8): standing and ad hoc commissions, their members, meetings,
progress reports and roadmap.

Rules: K1-K3.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel

__all__ = [
    "OPEN_MEMBERSHIP_STATUSES",
    "Commission",
    "CommissionMeeting",
    "CommissionMembership",
    "CommissionStatus",
    "MembershipStatus",
    "ProgressReport",
    "ReportAttachment",
    "RoadmapAction",
    "RoadmapStatus",
    "StandingRole",
]


# --- Commissions (art. 8: K1, K2, K3) ----------------------------------------------------------


class StandingRole(models.TextChoices):
    """The standing commissions of art. 8 (K3); empty for an ad hoc commission."""

    ELECTIONS = "elections", _("Élections du COPIL")
    ROADMAP = "roadmap", _("Feuille de route")
    COMMUNICATION = "communication", _("Communication et marketing")


class CommissionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Terminée")


class Commission(BaseModel):
    """A group of volunteer members with a precise purpose and a duration (K1)."""

    name = models.CharField(_("nom"), max_length=150)
    slug = models.SlugField(_("identifiant d'URL"), max_length=160, unique=True)
    purpose = models.TextField(_("objet"), help_text=_("L'objet précis de la commission."))
    standing_role = models.CharField(
        _("commission permanente"), max_length=20, choices=StandingRole.choices, blank=True,
        default="", help_text=_("Vide pour une commission ad hoc."),
    )  # fmt: skip
    start_date = models.DateField(_("date de début"))
    end_date = models.DateField(
        _("date de fin"), null=True, blank=True,
        help_text=_("Obligatoire pour une commission ad hoc ; une commission permanente n'en a pas."),
    )  # fmt: skip
    status = models.CharField(
        _("statut"), max_length=10, choices=CommissionStatus.choices,
        default=CommissionStatus.ACTIVE,
    )  # fmt: skip
    facilitator = models.ForeignKey(
        "members.Representative", verbose_name=_("animateur"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="facilitated_commissions",
    )  # fmt: skip
    max_members = models.PositiveSmallIntegerField(
        _("nombre maximal de membres"), default=10,
        help_text=_("Une commission réunit un nombre restreint de volontaires (article 8)."),
    )  # fmt: skip
    keeps_roadmap = models.BooleanField(_("tient une feuille de route d'actions"), default=False)
    ended_at = models.DateTimeField(_("terminée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        ordering = ["status", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["standing_role"],
                condition=~models.Q(standing_role=""),
                name="commission_one_per_standing_role",
            ),
            # Charter art. 8 (K1): an ad hoc commission has a defined duration.
            models.CheckConstraint(
                condition=~models.Q(standing_role="") | models.Q(end_date__isnull=False),
                name="commission_ad_hoc_has_end_date",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="commission_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("commissions:commission", kwargs={"commission_slug": self.slug})

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not self.standing_role and not self.end_date:
            raise ValidationError(
                {"end_date": _("Une commission ad hoc a une date de fin (article 8).")}
            )
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("La date de fin doit suivre la date de début.")})

    @property
    def is_standing(self) -> bool:
        return bool(self.standing_role)

    @property
    def is_active(self) -> bool:
        return self.status == CommissionStatus.ACTIVE

    @property
    def is_ended(self) -> bool:
        return self.status == CommissionStatus.ENDED


class MembershipStatus(models.TextChoices):
    VOLUNTEERED = "volunteered", _("Candidature de volontaire")
    ACCEPTED = "accepted", _("Membre")
    DECLINED = "declined", _("Non retenu")
    LEFT = "left", _("A quitté la commission")


OPEN_MEMBERSHIP_STATUSES = (MembershipStatus.VOLUNTEERED, MembershipStatus.ACCEPTED)


class CommissionMembership(BaseModel):
    """A representative of a member who volunteered for a commission (K1)."""

    commission = models.ForeignKey(
        Commission, verbose_name=_("commission"), on_delete=models.CASCADE,
        related_name="memberships",
    )  # fmt: skip
    representative = models.ForeignKey(
        "members.Representative", verbose_name=_("représentant"), on_delete=models.CASCADE,
        related_name="commission_memberships",
    )  # fmt: skip
    status = models.CharField(
        _("statut"), max_length=12, choices=MembershipStatus.choices,
        default=MembershipStatus.VOLUNTEERED,
    )  # fmt: skip
    motivation = models.TextField(_("motivation"), blank=True)
    volunteered_at = models.DateTimeField(_("volontaire le"))
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("décidé par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    left_at = models.DateTimeField(_("parti le"), null=True, blank=True)

    class Meta:
        verbose_name = _("membre de commission")
        verbose_name_plural = _("membres de commission")
        ordering = ["commission", "representative__user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commission", "representative"],
                condition=models.Q(status__in=["volunteered", "accepted"]),
                name="commission_membership_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.representative} — {self.commission}"

    @property
    def is_accepted(self) -> bool:
        return self.status == MembershipStatus.ACCEPTED

    @property
    def awaits_decision(self) -> bool:
        """A volunteer not yet accepted or declined by the facilitator or the COPIL (K1)."""
        return self.status == MembershipStatus.VOLUNTEERED


class CommissionMeeting(models.Model):
    """A commission meeting is an activity convening the commission's members (A1, K2)."""

    commission = models.ForeignKey(
        Commission, verbose_name=_("commission"), on_delete=models.CASCADE,
        related_name="meetings",
    )  # fmt: skip
    activity = models.OneToOneField(
        "activities.Activity", verbose_name=_("activité"), on_delete=models.CASCADE,
        related_name="commission_meeting",
    )  # fmt: skip

    class Meta:
        verbose_name = _("réunion de commission")
        verbose_name_plural = _("réunions de commission")
        ordering = ["-activity__starts_at"]

    def __str__(self) -> str:
        return f"{self.commission} — {self.activity}"


class ProgressReport(BaseModel):
    """A progress report from the facilitator to the COPIL (K2)."""

    commission = models.ForeignKey(
        Commission, verbose_name=_("commission"), on_delete=models.CASCADE,
        related_name="reports",
    )  # fmt: skip
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("auteur"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    title = models.CharField(_("titre"), max_length=200)
    text = models.TextField(_("texte"))
    submitted_at = models.DateTimeField(_("transmis le"))
    shown_at = models.ForeignKey(
        "activities.Activity", verbose_name=_("présenté en plénière"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("point d'avancement")
        verbose_name_plural = _("points d'avancement")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return self.title


def report_upload_to(instance, filename: str) -> str:
    return f"governance/reports/{instance.report_id}/{secrets.token_hex(8)}"


class ReportAttachment(models.Model):
    report = models.ForeignKey(
        ProgressReport, verbose_name=_("point d'avancement"), on_delete=models.CASCADE,
        related_name="attachments",
    )  # fmt: skip
    file = models.FileField(_("fichier"), upload_to=report_upload_to, max_length=200)
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    content_type = models.CharField(_("type de contenu"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return self.original_name


class RoadmapStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Réalisée")
    ABANDONED = "abandoned", _("Abandonnée")


class RoadmapAction(BaseModel):
    """One action of a commission's roadmap (WISE'camp pattern)."""

    commission = models.ForeignKey(
        Commission, verbose_name=_("commission"), on_delete=models.CASCADE,
        related_name="roadmap_actions",
    )  # fmt: skip
    code = models.CharField(_("identifiant"), max_length=20)
    action = models.CharField(_("action"), max_length=300)
    objectives = models.TextField(_("objectifs"), blank=True)
    prerequisites = models.TextField(_("prérequis"), blank=True)
    deliverables = models.TextField(_("livrables"), blank=True)
    target_year = models.PositiveSmallIntegerField(_("année visée"))
    target_quarter = models.PositiveSmallIntegerField(
        _("trimestre visé"), choices=[(q, f"T{q}") for q in (1, 2, 3, 4)]
    )
    status = models.CharField(
        _("statut"), max_length=12, choices=RoadmapStatus.choices, default=RoadmapStatus.PLANNED
    )

    class Meta:
        verbose_name = _("action de la feuille de route")
        verbose_name_plural = _("actions de la feuille de route")
        ordering = ["commission", "target_year", "target_quarter", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["commission", "code"], name="roadmap_action_unique_code"
            ),
            models.CheckConstraint(
                condition=models.Q(target_quarter__gte=1, target_quarter__lte=4),
                name="roadmap_action_quarter_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.action}"

    @property
    def target(self) -> str:
        return f"T{self.target_quarter} {self.target_year}"
