"""The members registry: people, organisations, establishments, representatives, statuses."""

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cos_portal.models import BaseModel

from .constants import OrganisationKind, Status, StatusReason
from .validators import department_of, validate_postcode, validate_siren, validate_siret


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person with an account; logs in with an e-mail address."""

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    language = models.CharField(_("langue"), max_length=5, choices=settings.LANGUAGES, default="fr")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class OfferCategory(models.Model):
    """A technology offer category of the industry of the future."""

    slug = models.SlugField(_("identifiant d'URL"), unique=True)
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        verbose_name = _("catégorie d'offre")
        verbose_name_plural = _("catégories d'offre")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(BaseModel):
    """A company, association, administration or independent person (art. 2)."""

    legal_name = models.CharField(_("raison sociale"), max_length=200)
    slug = models.SlugField(_("identifiant d'URL"), max_length=220, unique=True)
    kind = models.CharField(
        _("type"), max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.COMPANY
    )
    siren = models.CharField(
        _("SIREN"), max_length=9, blank=True, validators=[validate_siren],
        help_text=_("9 chiffres, facultatif."),
    )  # fmt: skip
    website = models.URLField(_("site web"), blank=True)
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    offer_categories = models.ManyToManyField(
        OfferCategory,
        verbose_name=_("catégories d'offre"),
        blank=True,
        related_name="organisations",
    )
    aif_reference = models.CharField(
        _("référence dans l'annuaire AIF"), max_length=300, blank=True,
        help_text=_("Référence ou adresse de la fiche de l'entité dans l'annuaire de l'Alliance Industrie du Futur."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("entité")
        verbose_name_plural = _("entités")
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(Lower("legal_name"), name="organisation_unique_legal_name"),
        ]

    def __str__(self) -> str:
        return self.legal_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("members:organisation", kwargs={"slug": self.slug})


class Establishment(BaseModel):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("entité"), on_delete=models.CASCADE,
        related_name="establishments",
    )  # fmt: skip
    name = models.CharField(_("nom"), max_length=200, blank=True)
    siret = models.CharField(
        _("SIRET"), max_length=14, blank=True, validators=[validate_siret],
        help_text=_("14 chiffres, facultatif."),
    )  # fmt: skip
    address = models.CharField(_("adresse"), max_length=300)
    postcode = models.CharField(_("code postal"), max_length=5, validators=[validate_postcode])
    city = models.CharField(_("ville"), max_length=100)
    department = models.CharField(_("département"), max_length=3, editable=False, db_index=True)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")
        ordering = ["organisation", "postcode"]

    def __str__(self) -> str:
        return f"{self.name or self.organisation} — {self.postcode} {self.city}"

    def save(self, *args, **kwargs):
        self.department = department_of(self.postcode)
        super().save(*args, **kwargs)


class Representative(BaseModel):
    """A natural person who represents an organisation (art. 3.1)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("personne"), on_delete=models.PROTECT,
        related_name="representations",
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("entité"), on_delete=models.CASCADE,
        related_name="representatives",
    )  # fmt: skip
    job_title = models.CharField(_("rôle / fonction"), max_length=150, blank=True)
    start_date = models.DateField(_("date de début"), default=timezone.localdate)
    end_date = models.DateField(_("date de fin"), null=True, blank=True)
    is_authorised_signatory = models.BooleanField(_("signataire habilité"), default=False)
    public_consent = models.BooleanField(
        _("visible dans l'annuaire public"), default=False,
        help_text=_("La personne a accepté d'apparaître sur la fiche publique de son entité."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("représentant")
        verbose_name_plural = _("représentants")
        ordering = ["organisation", "user__last_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="representative_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


class StatusChange(models.Model):
    """One transition of an organisation's status (S1): dated, attributed, never edited."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("entité"), on_delete=models.CASCADE,
        related_name="status_changes",
    )  # fmt: skip
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices)
    reason = models.CharField(_("motif"), max_length=30, choices=StatusReason.choices)
    effective_at = models.DateTimeField(_("prend effet le"))
    ends_on = models.DateField(
        _("prend fin le"), null=True, blank=True,
        help_text=_("Pour un partenariat ou une invitation à durée déterminée."),
    )  # fmt: skip
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("décidé par"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    explanation = models.TextField(_("justification"), blank=True)
    notice_reference = models.CharField(
        _("référence de la notification écrite"), max_length=100, blank=True
    )
    recorded_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    class Meta:
        verbose_name = _("changement de statut")
        verbose_name_plural = _("historique des statuts")
        ordering = ["organisation", "-effective_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-effective_at", "-id"])]
        get_latest_by = ["effective_at", "id"]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.get_status_display()} ({self.effective_at:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        # Charter art. 2 (S1): history is never overwritten; a correction is a new record.
        if not self._state.adding:
            raise ValueError("A status change is never edited; record a new one.")
        super().save(*args, **kwargs)
