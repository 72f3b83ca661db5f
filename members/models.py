"""The members registry: people, organisations, establishments, representatives, statuses."""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from core.site import path_builder

from .constants import (
    ApplicationState,
    ExclusionGround,
    ExclusionOutcome,
    InvitationState,
    OrganisationKind,
    Status,
    StatusReason,
)
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
        # The admin's list order (legal name, then the newest): its first page read from
        # the index at any size.
        indexes = [models.Index(fields=["legal_name", "-id"], name="organisation_name_order_idx")]

    def __str__(self) -> str:
        return self.legal_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("members:organisation", kwargs={"slug": self.slug})

    @staticmethod
    def path_builder():
        """``slug -> get_absolute_url()``, with one URL reversal for all the organisations
        of a list (a slug holds only characters that URLs keep as they are)."""
        return path_builder("members:organisation", "0slug0")

    @property
    def is_listed_as_member(self) -> bool:
        """On pages whose selector annotates ``current_status`` (the directory, a public
        page): a member, else a partner (the only other status listed, S2)."""
        return getattr(self, "current_status", None) == Status.MEMBER


class Establishment(BaseModel):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("entité"), on_delete=models.CASCADE,
        related_name="establishments",
    )  # fmt: skip
    name = models.CharField(_("nom"), max_length=200, blank=True)
    # Indexed: a SIRET is searched by its beginning (the entity pickers) and checked as
    # unique across organisations on each imported line.
    siret = models.CharField(
        _("SIRET"), max_length=14, blank=True, validators=[validate_siret],
        help_text=_("14 chiffres, facultatif."), db_index=True,
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


# --- Applications (art. 3.1: M1 to M7, M10) --------------------------------------------


class Application(BaseModel):
    """A request to become a member (M3): a draft until it is submitted with the charter
    signature (M4), then decided by the COPIL (M5)."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("candidat (personne)"), on_delete=models.PROTECT,
        related_name="applications",
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("entité"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="applications",
        help_text=_("Créée au dépôt de la candidature ; vide pour un brouillon."),
    )  # fmt: skip
    state = models.CharField(
        _("état"), max_length=20, choices=ApplicationState.choices,
        default=ApplicationState.DRAFT, db_index=True,
    )  # fmt: skip
    data = models.JSONField(
        _("données saisies"), default=dict, blank=True,
        help_text=_("L'entité et ses établissements tels que saisis (brouillon)."),
    )  # fmt: skip
    aif_reference = models.CharField(_("référence dans l'annuaire AIF"), max_length=300, blank=True)
    motivation = models.TextField(_("motivation"), blank=True)
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    signature = models.OneToOneField(
        "charters.Signature", verbose_name=_("signature de la charte"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="application",
    )  # fmt: skip
    aif_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("référence AIF vérifiée par"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    aif_verified_at = models.DateTimeField(_("référence AIF vérifiée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("décidée par"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_reason = models.TextField(_("motif de la décision"), blank=True)

    class Meta:
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            # Charter art. 3.1 (M4): no signature, no application.
            models.CheckConstraint(
                condition=models.Q(state=ApplicationState.DRAFT)
                | models.Q(signature__isnull=False, organisation__isnull=False),
                name="application_submitted_is_signed",
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(state=ApplicationState.SUBMITTED),
                name="application_one_pending_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        name = self.organisation.legal_name if self.organisation_id else self.data.get("legal_name")
        return str(name or _("Candidature sans nom"))

    @property
    def is_draft(self) -> bool:
        """Saved to resume later, not yet submitted (M3)."""
        return self.state == ApplicationState.DRAFT


class ApplicationOpinion(BaseModel):
    """A member's opinion on an application (M7): read by the COPIL only."""

    application = models.ForeignKey(
        Application, verbose_name=_("candidature"), on_delete=models.CASCADE,
        related_name="opinions",
    )  # fmt: skip
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("auteur"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    author_organisation = models.ForeignKey(
        Organisation, verbose_name=_("entité de l'auteur"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    text = models.TextField(_("avis"))

    class Meta:
        verbose_name = _("avis d'un membre")
        verbose_name_plural = _("avis des membres")
        ordering = ["application", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "author"], name="application_opinion_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.author} — {self.application}"


# --- Partners (art. 4: P1 to P6) ---------------------------------------------------------


def private_upload_to(instance, filename: str) -> str:
    """A random name under the model's folder: the uploaded name is never a path (N1)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{instance._meta.model_name}/{secrets.token_hex(16)}.{extension}"


class PartnershipAgreement(BaseModel):
    """A partnership agreement (P2), on the pattern of the CINOV-IT convention."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("partenaire"), on_delete=models.PROTECT,
        related_name="agreements",
    )  # fmt: skip
    parties = models.TextField(
        _("parties"),
        help_text=_("Les signataires : la COS-GE et le partenaire, et leurs représentants."),
    )
    signed_on = models.DateField(_("date de signature"))
    initial_term_months = models.PositiveSmallIntegerField(_("durée initiale (mois)"), default=36)
    renewal_months = models.PositiveSmallIntegerField(
        _("période de reconduction tacite (mois)"), default=12,
        help_text=_("0 : pas de reconduction, la convention prend fin à son terme."),
    )  # fmt: skip
    notice_months = models.PositiveSmallIntegerField(_("préavis (mois)"), default=3)
    document = models.FileField(_("document"), upload_to=private_upload_to, blank=True)
    notice_given_on = models.DateField(_("dénoncée le"), null=True, blank=True)
    notice_given_by = models.CharField(
        _("dénoncée par"), max_length=20, blank=True,
        choices=[("partner", _("le partenaire")), ("copil", _("le COPIL"))],
    )  # fmt: skip
    ends_on = models.DateField(
        _("prend fin le"), null=True, blank=True,
        help_text=_("Fixée quand la convention est dénoncée, selon son préavis."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("convention de partenariat")
        verbose_name_plural = _("conventions de partenariat")
        ordering = ["organisation", "-signed_on"]

    def __str__(self) -> str:
        return _("Convention avec %(organisation)s du %(date)s") % {
            "organisation": self.organisation.legal_name,
            "date": self.signed_on.strftime("%d/%m/%Y"),
        }


def amendment_effective_date(signed_on: datetime.date) -> datetime.date:
    """P2 (CINOV-IT): an amendment takes effect the first day of the month after its signature."""
    return (signed_on.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


class AgreementAmendment(BaseModel):
    """An amendment to a partnership agreement, effective the first of the next month (P2)."""

    agreement = models.ForeignKey(
        PartnershipAgreement, verbose_name=_("convention"), on_delete=models.CASCADE,
        related_name="amendments",
    )  # fmt: skip
    signed_on = models.DateField(_("date de signature"))
    effective_on = models.DateField(_("prend effet le"), editable=False)
    summary = models.TextField(_("objet de l'avenant"))
    document = models.FileField(_("document"), upload_to=private_upload_to, blank=True)

    class Meta:
        verbose_name = _("avenant")
        verbose_name_plural = _("avenants")
        ordering = ["agreement", "signed_on"]

    def __str__(self) -> str:
        return _("Avenant du %(date)s") % {"date": self.signed_on.strftime("%d/%m/%Y")}

    def save(self, *args, **kwargs):
        self.effective_on = amendment_effective_date(self.signed_on)
        super().save(*args, **kwargs)


# --- Invitees (art. 5: I1 to I4) ---------------------------------------------------------


class Invitation(BaseModel):
    """An invitation of a person or an organisation to given activities or a period (I1)."""

    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposée par"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    proposing_organisation = models.ForeignKey(
        Organisation, verbose_name=_("membre qui invite"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="invitations_made",
        help_text=_("Vide : la communauté invite."),
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("entité invitée"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="invitations",
    )  # fmt: skip
    guest_organisation_name = models.CharField(
        _("entité invitée (nom)"), max_length=200, blank=True,
        help_text=_("Pour une entité pas encore enregistrée ; vide pour une personne seule."),
    )  # fmt: skip
    guest_name = models.CharField(_("personne invitée"), max_length=200)
    guest_email = models.EmailField(_("adresse e-mail de la personne invitée"))
    activities = models.ManyToManyField(
        "activities.Activity", verbose_name=_("activités"), blank=True, related_name="+"
    )
    starts_on = models.DateField(_("du"))
    ends_on = models.DateField(_("au"))
    occasion = models.CharField(_("occasion"), max_length=300, blank=True)
    state = models.CharField(
        _("état"), max_length=20, choices=InvitationState.choices,
        default=InvitationState.PROPOSED, db_index=True,
    )  # fmt: skip
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("décidée par"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_reason = models.TextField(_("motif de la décision"), blank=True)
    accepted_at = models.DateTimeField(_("article 3.3 accepté le"), null=True, blank=True)
    acceptance_text = models.TextField(_("texte accepté"), blank=True)
    accepted_ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="invitation_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        who = self.organisation.legal_name if self.organisation_id else self.guest_name
        return _("Invitation de %(who)s") % {"who": who}


# --- Exclusion procedure (art. 3.4: L3, L4) ----------------------------------------------


class ExclusionProcedure(BaseModel):
    """The steps of an exclusion (L4), each dated: opening, answer, decision."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("membre"), on_delete=models.PROTECT,
        related_name="exclusion_procedures",
    )  # fmt: skip
    ground = models.CharField(_("motif"), max_length=20, choices=ExclusionGround.choices)
    facts = models.TextField(_("faits reprochés"))
    attendance_attended = models.PositiveIntegerField(_("activités suivies"), null=True, blank=True)
    attendance_convened = models.PositiveIntegerField(
        _("activités convoquées"), null=True, blank=True
    )
    attendance_window_start = models.DateTimeField(_("période du"), null=True, blank=True)
    attendance_window_end = models.DateTimeField(_("période au"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ouverte par"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    opened_at = models.DateTimeField(_("ouverte le"))
    response_due_on = models.DateField(_("réponse attendue au plus tard le"))
    response = models.TextField(_("réponse du membre"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("réponse de"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    responded_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    outcome = models.CharField(
        _("décision"), max_length=20, choices=ExclusionOutcome.choices, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("décidée par"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_reason = models.TextField(_("motifs de la décision"), blank=True)

    class Meta:
        verbose_name = _("procédure d'exclusion")
        verbose_name_plural = _("procédures d'exclusion")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(outcome=""),
                name="exclusion_one_open_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return _("Procédure d'exclusion de %(organisation)s (%(date)s)") % {
            "organisation": self.organisation.legal_name,
            "date": self.opened_at.strftime("%d/%m/%Y"),
        }

    @property
    def is_open(self) -> bool:
        return not self.outcome

    @property
    def attendance_percent(self) -> float | None:
        if not self.attendance_convened:
            return None
        return round(100 * (self.attendance_attended or 0) / self.attendance_convened, 1)


# --- Proof of commitments (N1) -----------------------------------------------------------


class ProofRequest(BaseModel):
    """The COPIL asks a member for documents proving its commitments (N1)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("entité"), on_delete=models.PROTECT,
        related_name="proof_requests",
    )  # fmt: skip
    description = models.TextField(
        _("documents demandés"), help_text=_("Statuts, labels, rapport social...")
    )
    due_on = models.DateField(_("à fournir avant le"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("demandée par"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    requested_at = models.DateTimeField(_("demandée le"))
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande de justificatifs")
        verbose_name_plural = _("demandes de justificatifs")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return _("Justificatifs demandés à %(organisation)s le %(date)s") % {
            "organisation": self.organisation.legal_name,
            "date": self.requested_at.strftime("%d/%m/%Y"),
        }


class ProofDocument(models.Model):
    """One uploaded document, stored privately under a random name (N1)."""

    request = models.ForeignKey(
        ProofRequest, verbose_name=_("demande"), on_delete=models.PROTECT,
        related_name="documents",
    )  # fmt: skip
    file = models.FileField(_("fichier"), upload_to=private_upload_to)
    original_name = models.CharField(_("nom du fichier déposé"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("déposé par"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    uploaded_at = models.DateTimeField(_("déposé le"))

    class Meta:
        verbose_name = _("justificatif")
        verbose_name_plural = _("justificatifs")
        ordering = ["request", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
