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
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class OfferCategory(models.Model):
    """A technology offer category of the industry of the future."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("offer category")
        verbose_name_plural = _("offer categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(BaseModel):
    """A company, association, administration or independent person (art. 2)."""

    legal_name = models.CharField(_("legal name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.COMPANY
    )
    siren = models.CharField(
        _("SIREN"), max_length=9, blank=True, validators=[validate_siren],
        help_text=_("9 digits, optional."),
    )  # fmt: skip
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    offer_categories = models.ManyToManyField(
        OfferCategory, verbose_name=_("offer categories"), blank=True, related_name="organisations"
    )
    aif_reference = models.CharField(
        _("AIF directory reference"), max_length=300, blank=True,
        help_text=_("Reference or address of the organisation in the AIF directory (M1)."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
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
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="establishments",
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=200, blank=True)
    siret = models.CharField(
        _("SIRET"), max_length=14, blank=True, validators=[validate_siret],
        help_text=_("14 digits, optional."),
    )  # fmt: skip
    address = models.CharField(_("address"), max_length=300)
    postcode = models.CharField(_("postcode"), max_length=5, validators=[validate_postcode])
    city = models.CharField(_("city"), max_length=100)
    department = models.CharField(_("department"), max_length=3, editable=False, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("establishment")
        verbose_name_plural = _("establishments")
        ordering = ["organisation", "postcode"]

    def __str__(self) -> str:
        return f"{self.name or self.organisation} — {self.postcode} {self.city}"

    def save(self, *args, **kwargs):
        self.department = department_of(self.postcode)
        super().save(*args, **kwargs)


class Representative(BaseModel):
    """A natural person who represents an organisation (art. 3.1)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
        related_name="representations",
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="representatives",
    )  # fmt: skip
    job_title = models.CharField(_("role / job title"), max_length=150, blank=True)
    start_date = models.DateField(_("start date"), default=timezone.localdate)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    is_authorised_signatory = models.BooleanField(_("authorised signatory"), default=False)
    public_consent = models.BooleanField(
        _("shown in the public directory"), default=False,
        help_text=_("The person agreed to appear on the organisation's public page."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
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
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="status_changes",
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    reason = models.CharField(_("ground"), max_length=30, choices=StatusReason.choices)
    effective_at = models.DateTimeField(_("effective from"))
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True,
        help_text=_("For a partnership or an invitation of fixed duration."),
    )  # fmt: skip
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    explanation = models.TextField(_("reason"), blank=True)
    notice_reference = models.CharField(_("written notice reference"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
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
