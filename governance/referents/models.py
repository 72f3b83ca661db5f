"""Referents (art. 9): appointed by the COPIL, their bodies, contacts and messages.

Rules: R1-R4.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from governance.base import Term

__all__ = [
    "BodyKind",
    "HierarchyAgreement",
    "Referent",
    "ReferentBody",
    "ReferentContact",
    "ReferentEndReason",
    "ReferentMessage",
]

# --- Referents (art. 9: R1-R4) ------------------------------------------------------------------


class BodyKind(models.TextChoices):
    """The bodies a referent liaises with (art. 9)."""

    STATE = "state", _("Services de l'État")
    REGION = "region", _("Région")
    CLUSTER = "cluster", _("Pôle de compétitivité")
    CCI = "cci", _("CCI")
    UNION = "union", _("Syndicat de branche")
    OTHER = "other", _("Autre organisme")


class HierarchyAgreement(models.TextChoices):
    NOT_NEEDED = "not_needed", _("Non nécessaire")
    OBTAINED = "obtained", _("Obtenu")


class ReferentEndReason(models.TextChoices):
    COPIL_DECISION = "copil_decision", _("Décision du COPIL")
    RESIGNATION = "resignation", _("Démission")


class Referent(Term, BaseModel):
    """A representative of a member appointed by the COPIL as a referent (R1, R2, R4)."""

    representative = models.ForeignKey(
        "members.Representative", verbose_name=_("représentant"), on_delete=models.PROTECT,
        related_name="referent_missions",
    )  # fmt: skip
    hierarchy_agreement = models.CharField(
        _("accord de la hiérarchie"), max_length=12, choices=HierarchyAgreement.choices
    )
    hierarchy_agreement_on = models.DateField(
        _("accord de la hiérarchie obtenu le"), null=True, blank=True
    )
    available_min_years = models.BooleanField(
        _("peut servir de point de contact pendant la durée minimale prévue par la charte"),
        default=False,
    )
    start_date = models.DateField(_("date de début"))
    # Charter art. 9 (R2): no end date at appointment; filled only when the mission ends.
    end_date = models.DateField(_("date de fin"), null=True, blank=True)
    end_reason = models.CharField(
        _("motif de fin"), max_length=20, choices=ReferentEndReason.choices, blank=True
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("nommé par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("fin décidée par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    is_zone_referent = models.BooleanField(_("référent de zone"), default=False)
    zone_departments = models.JSONField(
        _("départements de la zone"), default=list, blank=True,
        help_text=_("Codes des départements couverts par un référent de zone."),
    )  # fmt: skip
    notes = models.TextField(_("remarques"), blank=True)

    class Meta(Term.Meta):
        verbose_name = _("référent")
        verbose_name_plural = _("référents")
        ordering = ["-start_date", "id"]

    def __str__(self) -> str:
        return str(self.representative)


class ReferentBody(models.Model):
    """A body the referent liaises with (R1)."""

    referent = models.ForeignKey(
        Referent, verbose_name=_("référent"), on_delete=models.CASCADE, related_name="bodies"
    )
    kind = models.CharField(_("type d'organisme"), max_length=10, choices=BodyKind.choices)
    name = models.CharField(_("nom de l'organisme"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("organisme suivi")
        verbose_name_plural = _("organismes suivis")
        ordering = ["referent", "kind", "name"]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()


class ReferentContact(BaseModel):
    """A contact a referent logs to keep the COPIL informed (R3)."""

    referent = models.ForeignKey(
        Referent, verbose_name=_("référent"), on_delete=models.CASCADE, related_name="contacts"
    )
    date = models.DateField(_("date"))
    body_kind = models.CharField(_("type d'organisme"), max_length=10, choices=BodyKind.choices)
    body_name = models.CharField(_("organisme"), max_length=200)
    subject = models.CharField(_("objet"), max_length=300)
    outcome = models.TextField(_("suite donnée"), blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("saisi par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("contact d'un référent")
        verbose_name_plural = _("contacts des référents")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.body_name} — {self.subject}"


class ReferentMessage(models.Model):
    """A message sent to a zone referent through the public form (R4), relayed by e-mail.

    ``submission_token`` is the form's one-time token: a resubmitted form finds the row
    and sends nothing a second time.
    """

    referent = models.ForeignKey(
        Referent, verbose_name=_("référent"), on_delete=models.CASCADE, related_name="messages"
    )
    submission_token = models.CharField(_("jeton de soumission"), max_length=64, unique=True)
    sender_name = models.CharField(_("nom"), max_length=150)
    sender_email = models.EmailField(_("adresse e-mail"))
    sender_organisation = models.CharField(_("entreprise"), max_length=200, blank=True)
    message = models.TextField(_("message"))
    received_at = models.DateTimeField(_("reçu le"))

    class Meta:
        verbose_name = _("message à un référent de zone")
        verbose_name_plural = _("messages aux référents de zone")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.received_at:%d/%m/%Y} {self.sender_name} → {self.referent}"
