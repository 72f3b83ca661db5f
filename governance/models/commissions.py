"""Commissions, referents and charter revision (art. 8, 9, 10).

Rules: K1-K3 (commissions), R1-R4 (referents), X2-X4 and W1 (revision).
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel

from .base import Term

__all__ = [
    "BodyKind",
    "Commission",
    "CommissionMeeting",
    "CommissionMembership",
    "CommissionStatus",
    "HierarchyAgreement",
    "MembershipStatus",
    "ProgressReport",
    "ReferentEndReason",
    "ReportAttachment",
    "Referent",
    "ReferentBody",
    "ReferentContact",
    "ReferentMessage",
    "RevisionNature",
    "RevisionOrigin",
    "RevisionStatus",
    "RevisionSupport",
    "RevisionVote",
    "RoadmapAction",
    "RoadmapStatus",
    "StandingRole",
    "VoteChoice",
    "CharterRevision",
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


# --- Charter revision (art. 10: X2, X3, X4, W1) -------------------------------------------------


class RevisionOrigin(models.TextChoices):
    PETITION = "petition", _("Demande des membres")
    COPIL = "copil", _("Autosaisine du COPIL")


class RevisionNature(models.TextChoices):
    REVISION = "revision", _("Révision")
    ABROGATION = "abrogation", _("Abrogation")


class RevisionStatus(models.TextChoices):
    PETITION = "petition", _("Recueil des soutiens")
    SEIZED = "seized", _("COPIL saisi")
    DRAFTING = "drafting", _("Rédaction par la commission ad hoc")
    VOTING = "voting", _("Vote en plénière extraordinaire")
    ADOPTED = "adopted", _("Adoptée")
    REJECTED = "rejected", _("Rejetée")
    CLOSED = "closed", _("Close sans suite")


class CharterRevision(BaseModel):
    """A revision or abrogation of the charter, from a petition (X2) or the COPIL (X3)."""

    origin = models.CharField(_("origine"), max_length=10, choices=RevisionOrigin.choices)
    nature = models.CharField(
        _("nature"), max_length=12, choices=RevisionNature.choices,
        default=RevisionNature.REVISION,
    )  # fmt: skip
    title = models.CharField(_("intitulé"), max_length=200)
    reason = models.TextField(_("motifs"))
    status = models.CharField(_("statut"), max_length=10, choices=RevisionStatus.choices)
    base_version = models.ForeignKey(
        "charters.CharterVersion", verbose_name=_("version à réviser"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ouverte par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    opened_at = models.DateTimeField(_("ouverte le"))
    threshold_reached_at = models.DateTimeField(_("seuil atteint le"), null=True, blank=True)
    copil_notified_at = models.DateTimeField(_("COPIL saisi le"), null=True, blank=True)
    commission = models.OneToOneField(
        Commission, verbose_name=_("commission ad hoc"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="revision",
    )  # fmt: skip
    draft_version = models.OneToOneField(
        "charters.CharterVersion", verbose_name=_("nouvelle version"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="revision",
    )  # fmt: skip
    plenary = models.ForeignKey(
        "activities.Activity", verbose_name=_("plénière extraordinaire"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    votes_for = models.PositiveIntegerField(_("voix pour"), default=0)
    votes_against = models.PositiveIntegerField(_("voix contre"), default=0)
    votes_abstain = models.PositiveIntegerField(_("abstentions"), default=0)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("résultat proclamé par"), null=True,
        blank=True, on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("révision de la charte")
        verbose_name_plural = _("révisions de la charte")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("commissions:revision", kwargs={"revision_id": self.pk})


class RevisionSupport(models.Model):
    """A member organisation supports a revision petition (X2), through a signatory."""

    revision = models.ForeignKey(
        CharterRevision, verbose_name=_("révision"), on_delete=models.CASCADE,
        related_name="supports",
    )  # fmt: skip
    organisation = models.ForeignKey(
        "members.Organisation", verbose_name=_("entité"), on_delete=models.CASCADE,
        related_name="revision_supports",
    )  # fmt: skip
    supported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("au nom de l'entité, par"),
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    supported_at = models.DateTimeField(_("soutien donné le"))
    withdrawn_at = models.DateTimeField(_("soutien retiré le"), null=True, blank=True)

    class Meta:
        verbose_name = _("soutien à une révision")
        verbose_name_plural = _("soutiens aux révisions")
        ordering = ["revision", "supported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "organisation"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="revision_support_one_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.revision}"


class VoteChoice(models.TextChoices):
    FOR = "for", _("Pour")
    AGAINST = "against", _("Contre")
    ABSTAIN = "abstain", _("Abstention")


class RevisionVote(models.Model):
    """The vote of one member organisation on a new charter version (X4).

    An open roll-call vote recorded at the extraordinary plenary: the charter requires
    no secrecy here (unlike the COPIL election, V6), and the one-vote-per-organisation
    rule is a database constraint.
    """

    revision = models.ForeignKey(
        CharterRevision, verbose_name=_("révision"), on_delete=models.CASCADE,
        related_name="votes",
    )  # fmt: skip
    organisation = models.ForeignKey(
        "members.Organisation", verbose_name=_("entité"), on_delete=models.PROTECT,
        related_name="revision_votes",
    )  # fmt: skip
    choice = models.CharField(_("vote"), max_length=10, choices=VoteChoice.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("enregistré par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("enregistré le"))

    class Meta:
        verbose_name = _("vote sur une révision")
        verbose_name_plural = _("votes sur les révisions")
        ordering = ["revision", "organisation__legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "organisation"], name="revision_vote_one_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_choice_display()}"
