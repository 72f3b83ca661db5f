"""COPIL meetings (art. 6.3): attendance, proxies between COPIL members, decisions, and
members' requests to read the internal minutes (C2, C3, C4)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from governance.base import DecidedRequest

__all__ = [
    "CopilDecision",
    "CopilMeeting",
    "CopilMeetingAttendance",
    "MinutesRequest",
    "MinutesRequestStatus",
]


class MinutesRequestStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    GRANTED = "granted", _("Accordée")
    REFUSED = "refused", _("Refusée")


# --- COPIL meetings (C2, C3, C4) -------------------------------------------------------


def copil_minutes_upload_to(instance, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"governance/copil-minutes/{secrets.token_hex(12)}.{extension}"


class CopilMeeting(BaseModel):
    """A COPIL meeting: who was there, who was represented, the decisions (C2-C4)."""

    title = models.CharField(_("intitulé"), max_length=200)
    held_on = models.DateField(_("date"))
    activity = models.ForeignKey(
        "activities.Activity", verbose_name=_("activité"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    minutes_text = models.TextField(_("compte rendu interne"), blank=True)
    minutes_file = models.FileField(
        _("compte rendu (fichier)"), upload_to=copil_minutes_upload_to, blank=True
    )

    class Meta:
        verbose_name = _("réunion du COPIL")
        verbose_name_plural = _("réunions du COPIL")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d/%m/%Y})"


class CopilMeetingAttendance(models.Model):
    """A COPIL member at a meeting: present, or represented by a present member (C3)."""

    meeting = models.ForeignKey(
        CopilMeeting, verbose_name=_("réunion"), on_delete=models.CASCADE,
        related_name="attendances",
    )  # fmt: skip
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("membre du COPIL"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    present = models.BooleanField(_("présent"), default=True)
    proxy_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("pouvoir donné à"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("présence au COPIL")
        verbose_name_plural = _("présences au COPIL")
        ordering = ["meeting", "member__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"], name="copil_attendance_once_per_member"
            ),
            models.CheckConstraint(
                condition=models.Q(present=True, proxy_to__isnull=True) | models.Q(present=False),
                name="copil_attendance_present_gives_no_proxy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} — {self.member}"


class CopilDecision(BaseModel):
    """A deliberation of a COPIL meeting with its votes (C2)."""

    meeting = models.ForeignKey(
        CopilMeeting, verbose_name=_("réunion"), on_delete=models.CASCADE,
        related_name="decisions",
    )  # fmt: skip
    subject = models.CharField(_("objet"), max_length=300)
    votes_for = models.PositiveSmallIntegerField(_("voix pour"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("voix contre"), default=0)
    abstentions = models.PositiveSmallIntegerField(_("abstentions"), default=0)
    status_change = models.ForeignKey(
        "members.StatusChange", verbose_name=_("décision de statut liée"), null=True,
        blank=True, on_delete=models.SET_NULL, related_name="copil_decisions",
        help_text=_("Candidature, partenariat ou exclusion décidé lors de cette réunion."),
    )  # fmt: skip
    quorum_met = models.BooleanField(_("quorum atteint"), default=False, editable=False)
    passed = models.BooleanField(_("adoptée"), default=False, editable=False)

    class Meta:
        verbose_name = _("délibération du COPIL")
        verbose_name_plural = _("délibérations du COPIL")
        ordering = ["meeting", "created_at"]

    def __str__(self) -> str:
        return self.subject


class MinutesRequest(DecidedRequest, BaseModel):
    """A member's reasoned request to read the internal minutes of a COPIL meeting (C4)."""

    meeting = models.ForeignKey(
        CopilMeeting, verbose_name=_("réunion"), on_delete=models.CASCADE,
        related_name="minutes_requests",
    )  # fmt: skip
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("demandeur"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    organisation = models.ForeignKey(
        "members.Organisation", verbose_name=_("entité"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    reason = models.TextField(_("motif de la demande"))
    status = models.CharField(
        _("état"), max_length=20, choices=MinutesRequestStatus.choices,
        default=MinutesRequestStatus.PENDING,
    )  # fmt: skip

    class Meta:
        verbose_name = _("demande de compte rendu du COPIL")
        verbose_name_plural = _("demandes de compte rendu du COPIL")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.meeting} — {self.requester}"
