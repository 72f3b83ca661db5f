"""Charter revision (art. 10): by petition or by the COPIL, drafted by an ad hoc
commission, voted at an extraordinary plenary.

Rules: X2-X4 and W1.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from governance.commissions.models import Commission

__all__ = [
    "CharterRevision",
    "RevisionNature",
    "RevisionOrigin",
    "RevisionStatus",
    "RevisionSupport",
    "RevisionVote",
    "VoteChoice",
]

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

    # The stages of a revision (art. 10), for templates and callers: no raw status strings.
    @property
    def from_petition(self) -> bool:
        return self.origin == RevisionOrigin.PETITION

    @property
    def collects_support(self) -> bool:
        return self.status == RevisionStatus.PETITION

    @property
    def is_seized(self) -> bool:
        return self.status == RevisionStatus.SEIZED

    @property
    def is_drafting(self) -> bool:
        return self.status == RevisionStatus.DRAFTING

    @property
    def is_voting(self) -> bool:
        return self.status == RevisionStatus.VOTING


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
