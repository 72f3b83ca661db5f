"""COPIL seats, mandates, elections, proxies and ballots (art. 6).

Secrecy of the ballot (V6, V7): see the threat model in
``governance/elections/services/voting.py``. In short, ``VoteRecord`` says *who has
voted* (election, organisation, person, via proxy) and ``Ballot`` says *what was
voted*; nothing in ``Ballot`` or ``BallotChoice`` points to a voter: random UUID
keys (no sequence), no timestamp, no IP, no user agent. While the vote is open the
box holds only ``SealedBallot`` envelopes (AES-GCM ciphertext under a key that is not
in the database, see ``BallotBox``); the plaintext ballots are written at closing, all
in one transaction and in random order, so no physical row order, transaction id or
time follows the register.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import BaseModel
from governance.base import DecidedRequest, Term

__all__ = [
    "Ballot",
    "BallotBox",
    "BallotChoice",
    "Candidacy",
    "CopilSeat",
    "Election",
    "ElectionStatus",
    "Mandate",
    "MandateEndReason",
    "Proxy",
    "ProxyStatus",
    "SealedBallot",
    "VoteRecord",
]


class MandateEndReason(models.TextChoices):
    """Why a mandate ends (V3)."""

    RESIGNED = "resigned", _("Démission")
    EXCLUDED = "excluded", _("Exclusion")
    UNABLE = "unable", _("Incapacité d'exercer le mandat")
    TERM = "term", _("Fin du mandat (renouvellement)")


class ElectionStatus(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    ANNOUNCED = "announced", _("Annoncée")
    VOTING = "voting", _("Vote ouvert")
    CLOSED = "closed", _("Vote clos")
    TALLIED = "tallied", _("Dépouillée")
    PUBLISHED = "published", _("Résultats publiés")


class ProxyStatus(models.TextChoices):
    SIGNED = "signed", _("Signée, à valider")
    VALIDATED = "validated", _("Validée par la commission")
    REFUSED = "refused", _("Refusée par la commission")
    REVOKED = "revoked", _("Révoquée")


class CopilSeat(models.Model):
    """One of the COPIL's seats (G1: charter_parameters().copil_seats of them)."""

    number = models.PositiveSmallIntegerField(_("numéro"), unique=True)

    class Meta:
        verbose_name = _("siège du COPIL")
        verbose_name_plural = _("sièges du COPIL")
        ordering = ["number"]

    def __str__(self) -> str:
        return _("Siège %(number)s") % {"number": self.number}


class Mandate(Term, BaseModel):
    """A person holding a seat, for a member organisation they represent (G1, V1)."""

    seat = models.ForeignKey(
        CopilSeat, verbose_name=_("siège"), on_delete=models.PROTECT, related_name="mandates"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("titulaire"), on_delete=models.PROTECT,
        related_name="copil_mandates",
    )  # fmt: skip
    organisation = models.ForeignKey(
        "members.Organisation", verbose_name=_("entité représentée"), on_delete=models.PROTECT,
        related_name="copil_mandates",
    )  # fmt: skip
    start_date = models.DateField(_("début du mandat"))
    end_date = models.DateField(_("fin du mandat"), null=True, blank=True)
    end_reason = models.CharField(
        _("motif de fin"), max_length=20, choices=MandateEndReason.choices, blank=True
    )
    election = models.ForeignKey(
        "governance.Election", verbose_name=_("élection"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="mandates",
    )  # fmt: skip

    class Meta(Term.Meta):
        verbose_name = _("mandat au COPIL")
        verbose_name_plural = _("mandats au COPIL")
        ordering = ["seat", "-start_date"]
        constraints = [
            *Term.Meta.constraints,
            # One open mandate per seat at a time.
            models.UniqueConstraint(
                fields=["seat"],
                condition=models.Q(end_date__isnull=True),
                name="mandate_one_open_per_seat",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seat} — {self.holder}"


class Election(BaseModel):
    """An election of COPIL members at an ordinary plenary (V2, V9-V12)."""

    title = models.CharField(_("intitulé"), max_length=200)
    plenary = models.OneToOneField(
        "activities.Activity", verbose_name=_("réunion plénière ordinaire"),
        on_delete=models.PROTECT, related_name="election",
    )  # fmt: skip
    election_date = models.DateField(_("date de l'élection"), editable=False)
    candidacy_deadline = models.DateTimeField(
        _("clôture des candidatures"),
        help_text=_("Début de la réunion plénière ordinaire précédente (V11)."),
    )
    seats_to_fill = models.PositiveSmallIntegerField(_("sièges à pourvoir"))
    status = models.CharField(
        _("état"), max_length=20, choices=ElectionStatus.choices, default=ElectionStatus.DRAFT
    )
    announced_at = models.DateTimeField(_("annoncée le"), null=True, blank=True)
    announcement_sent_at = models.DateTimeField(
        _("annonce envoyée le"), null=True, blank=True, editable=False
    )
    voting_opened_at = models.DateTimeField(_("vote ouvert le"), null=True, blank=True)
    voting_closed_at = models.DateTimeField(_("vote clos le"), null=True, blank=True)
    electorate = models.ManyToManyField(
        "members.Organisation", verbose_name=_("entités appelées à voter"), blank=True,
        related_name="+", help_text=_("Figée à la clôture du vote."),
    )  # fmt: skip
    tie_flagged = models.BooleanField(_("égalité pour le dernier siège"), default=False)
    tie_resolution = models.TextField(_("résolution de l'égalité"), blank=True)
    tie_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("égalité tranchée par"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    tie_resolved_at = models.DateTimeField(_("égalité tranchée le"), null=True, blank=True)
    published_at = models.DateTimeField(_("résultats publiés le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("créée par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("élection du COPIL")
        verbose_name_plural = _("élections du COPIL")
        ordering = ["-election_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seats_to_fill__gte=1), name="election_fills_a_seat"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("elections:detail", kwargs={"pk": self.pk})

    # The stages of V12, for templates and callers: no raw status string outside this file.
    @property
    def is_draft(self) -> bool:
        return self.status == ElectionStatus.DRAFT

    @property
    def is_announced(self) -> bool:
        return self.status == ElectionStatus.ANNOUNCED

    @property
    def is_voting(self) -> bool:
        return self.status == ElectionStatus.VOTING

    @property
    def is_closed(self) -> bool:
        return self.status == ElectionStatus.CLOSED

    @property
    def is_tallied(self) -> bool:
        return self.status == ElectionStatus.TALLIED

    @property
    def is_published(self) -> bool:
        return self.status == ElectionStatus.PUBLISHED


def video_upload_to(instance, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"elections/videos/{instance.election_id}/{secrets.token_hex(12)}.{extension}"


class Candidacy(BaseModel):
    """A person standing for the COPIL (V4, V5, V11)."""

    election = models.ForeignKey(
        Election, verbose_name=_("élection"), on_delete=models.CASCADE, related_name="candidacies"
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("candidat"), on_delete=models.PROTECT,
        related_name="copil_candidacies",
    )  # fmt: skip
    organisation = models.ForeignKey(
        "members.Organisation", verbose_name=_("entité représentée"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    statement = models.TextField(_("profession de foi"))
    video = models.FileField(_("vidéo"), upload_to=video_upload_to, blank=True)
    video_url = models.URLField(_("lien vers une vidéo"), blank=True)
    withdrawn_at = models.DateTimeField(_("retirée le"), null=True, blank=True)
    votes = models.PositiveIntegerField(_("voix"), null=True, blank=True, editable=False)
    is_elected = models.BooleanField(_("élu"), default=False)

    class Meta:
        verbose_name = _("candidature au COPIL")
        verbose_name_plural = _("candidatures au COPIL")
        ordering = ["election", "candidate__last_name", "candidate__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "candidate"], name="candidacy_one_per_person"
            ),
        ]

    def __str__(self) -> str:
        return str(self.candidate)


class Proxy(DecidedRequest, BaseModel):
    """A written proxy from an absent member organisation to another one (V6)."""

    election = models.ForeignKey(
        Election, verbose_name=_("élection"), on_delete=models.CASCADE, related_name="proxies"
    )
    giver = models.ForeignKey(
        "members.Organisation", verbose_name=_("entité mandante"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    holder = models.ForeignKey(
        "members.Organisation", verbose_name=_("entité mandataire"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signée par"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    signed_at = models.DateTimeField(_("signée le"))
    signer_name = models.CharField(_("nom du signataire"), max_length=200)
    status = models.CharField(
        _("état"), max_length=20, choices=ProxyStatus.choices, default=ProxyStatus.SIGNED
    )
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("procuration")
        verbose_name_plural = _("procurations")
        ordering = ["election", "giver__legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "giver"],
                condition=models.Q(status__in=["signed", "validated"]),
                name="proxy_one_live_per_giver",
            ),
            models.CheckConstraint(
                condition=~models.Q(giver=models.F("holder")), name="proxy_not_to_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.giver} → {self.holder}"

    @property
    def awaits_decision(self) -> bool:
        """Signed, not yet validated or refused by the commission (V6)."""
        return self.status == ProxyStatus.SIGNED


class VoteRecord(models.Model):
    """The register of who has voted (V6, V7): never what.

    One row per organisation and election, whether the organisation voted itself,
    through its proxy holder, or on paper: the unique constraint refuses a second
    vote even when two requests race. No timestamp: the audit trail says when.
    """

    election = models.ForeignKey(
        Election, verbose_name=_("élection"), on_delete=models.CASCADE, related_name="vote_records"
    )
    organisation = models.ForeignKey(
        "members.Organisation", verbose_name=_("entité"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("déposé par"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    via_proxy = models.ForeignKey(
        Proxy, verbose_name=_("procuration utilisée"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    on_paper = models.BooleanField(_("bulletin papier"), default=False)

    class Meta:
        verbose_name = _("émargement")
        verbose_name_plural = _("émargements")
        ordering = ["election", "organisation__legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "organisation"], name="vote_record_one_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election} — {self.organisation}"


def new_receipt() -> str:
    return secrets.token_hex(8).upper()


class Ballot(models.Model):
    """An anonymous ballot (V6, V7): random key, no voter, no time, no address."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(
        Election, verbose_name=_("élection"), on_delete=models.CASCADE, related_name="ballots"
    )
    receipt = models.CharField(_("reçu"), max_length=16, unique=True, default=new_receipt)

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        # Never an insertion order: receipts sort randomly.
        ordering = ["election", "receipt"]

    def __str__(self) -> str:
        return self.receipt


class BallotChoice(models.Model):
    """One candidate approved on one ballot; random key so no sequence leaks the order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(
        Ballot, verbose_name=_("bulletin"), on_delete=models.CASCADE, related_name="choices"
    )
    candidacy = models.ForeignKey(
        Candidacy,
        verbose_name=pgettext_lazy("élection", "candidature"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("voix")
        verbose_name_plural = _("voix")
        ordering = ["ballot", "candidacy"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "candidacy"], name="ballot_choice_once_per_candidate"
            ),
        ]

    def __str__(self) -> str:
        return str(self.candidacy)


class BallotBox(models.Model):
    """The sealed ballot box of an election while its vote is open (V6).

    Holds the random salt from which, with the server's ``SECRET_KEY`` (never stored in
    the database), the key of the envelopes is derived (HKDF). Created when the vote
    opens, deleted when it closes: from then on the envelopes' key cannot be derived
    again. A model of its own rather than a column of ``Election``: the row-level audit
    trail follows every column of an election, and it never follows a model named after
    a ballot (``core.auditing``), so the salt is copied nowhere.
    """

    election = models.OneToOneField(
        Election, verbose_name=_("élection"), primary_key=True, on_delete=models.CASCADE,
        related_name="ballot_box",
    )  # fmt: skip
    salt = models.BinaryField(_("sel de la clé de l'urne"), max_length=32, editable=False)

    class Meta:
        verbose_name = _("urne scellée")
        verbose_name_plural = _("urnes scellées")
        ordering = ["election"]

    def __str__(self) -> str:
        return str(self.election)


class SealedBallot(models.Model):
    """A ballot in its envelope while the vote is open (V6, V7).

    Random key, the election, and the ciphertext of the receipt and the choices (AES-GCM,
    plaintext padded to one length per election: a blank ballot and a full one look
    alike). No voter, no time, no receipt in clear. Opened, shuffled and deleted when
    the vote closes (``governance.elections.services.ballot_box``).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(
        Election, verbose_name=_("élection"), on_delete=models.CASCADE,
        related_name="sealed_ballots",
    )  # fmt: skip
    ciphertext = models.BinaryField(_("enveloppe chiffrée"), editable=False)

    class Meta:
        verbose_name = _("enveloppe scellée")
        verbose_name_plural = _("enveloppes scellées")
        # Random keys: no insertion order.
        ordering = ["election", "id"]

    def __str__(self) -> str:
        return str(self.id)
