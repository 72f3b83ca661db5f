"""Announcements (the newsletter): written by the COPIL, sent to members and partners.

Rule: S2 (only current members and partners are on the mailing lists; losing the
status removes an organisation the same day). Recipients are computed when the
announcement is sent, and each one is logged with the outcome of its e-mail.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel, LeasedEmail

__all__ = [
    "Announcement",
    "AnnouncementDelivery",
    "AnnouncementStatus",
    "DeliveryReason",
    "DeliveryStatus",
]


class AnnouncementStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SENT = "sent", _("Envoyée")


class Announcement(BaseModel):
    subject = models.CharField(_("objet de l'annonce"), max_length=200)
    body = models.TextField(_("texte"))
    # Optional English version, for recipients who chose English (ARCHITECTURE §10).
    subject_en = models.CharField(_("objet en anglais"), max_length=200, blank=True)
    body_en = models.TextField(_("texte en anglais"), blank=True)
    to_members_partners = models.BooleanField(
        _("aux membres et partenaires"), default=True,
        help_text=_("Les représentants des membres et partenaires actuels."),
    )  # fmt: skip
    commission = models.ForeignKey(
        "governance.Commission", verbose_name=_("commission"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="announcements",
        help_text=_("Facultatif : envoyer aussi aux membres de cette commission."),
    )  # fmt: skip
    status = models.CharField(
        _("état"), max_length=10, choices=AnnouncementStatus.choices,
        default=AnnouncementStatus.DRAFT,
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rédigée par"), null=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("envoyée par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("annonce")
        verbose_name_plural = _("annonces")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_members_partners=True) | models.Q(commission__isnull=False),
                name="announcement_has_an_audience",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_draft(self) -> bool:
        """Not sent yet: the page shows who would receive it now."""
        return self.status == AnnouncementStatus.DRAFT

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("announcements:detail", kwargs={"pk": self.pk})


class DeliveryReason(models.TextChoices):
    MEMBER = "member", _("Représentant d'un membre")
    PARTNER = "partner", _("Représentant d'un partenaire")
    COMMISSION = "commission", _("Membre de la commission")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")


class AnnouncementDelivery(LeasedEmail):
    """One recipient of one sent announcement: the send log the COPIL reads.

    Unique per announcement and address: the e-mail task sends only the rows it claimed
    (LeasedEmail) and marks each one right after its e-mail, so re-running it (or two
    workers at once) never sends twice, and a worker killed in the middle of the batch
    leaves the rest to the next run once its lease has expired.
    """

    # The copy of the address is replaced when the person is erased (members.services).
    personal_email_fields = ("email",)

    announcement = models.ForeignKey(
        Announcement, verbose_name=_("annonce"), on_delete=models.CASCADE,
        related_name="deliveries",
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("destinataire"), null=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    email = models.EmailField(_("adresse"))
    organisation = models.ForeignKey(
        "members.Organisation", verbose_name=_("entité"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    reason = models.CharField(_("motif"), max_length=12, choices=DeliveryReason.choices)
    language = models.CharField(_("langue"), max_length=5, default="fr")
    status = models.CharField(
        _("état"), max_length=10, choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING, db_index=True,
    )  # fmt: skip

    class Meta:
        verbose_name = _("envoi d'annonce")
        verbose_name_plural = _("envois d'annonces")
        ordering = ["announcement", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "email"], name="announcement_delivery_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.announcement} → {self.email}"
