"""Charter versions and signatures (W1, W2, X1, X4, E1, M4)."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel

from .constants import (
    GENESIS_HASH,
    CharterParameters,
    SignatureCapacity,
    SignatureScope,
    default_end_date,
    default_parameters,
)


def canonical_text(body: str) -> str:
    """The text whose hash identifies a version: Unix newlines, no trailing blanks."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip() + "\n"


def text_hash(body: str) -> str:
    return hashlib.sha256(canonical_text(body).encode()).hexdigest()


# Once a version is published these fields are frozen: a change is a new version (W1).
FROZEN_FIELDS = (
    "label",
    "title",
    "body",
    "effective_date",
    "change_note",
    "parameters",
    "requires_head_signature",
)


class CharterVersion(BaseModel):
    label = models.CharField(_("version"), max_length=40, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    effective_date = models.DateField(_("date d'entrée en vigueur"))
    end_date = models.DateField(
        _("date de fin"), default=default_end_date,
        help_text=_(
            "Au plus tard la date de fin que fixent les paramètres de la version "
            "(« latest_end_date », article 10)."
        ),
    )  # fmt: skip
    change_note = models.TextField(_("nature de la modification"), blank=True)
    text_sha256 = models.CharField(_("empreinte SHA-256 du texte"), max_length=64, editable=False)
    parameters = models.JSONField(_("paramètres de gouvernance"), default=default_parameters)
    # A version is published (hence frozen and possibly in force) unless created as a draft.
    published_at = models.DateTimeField(
        _("publiée le"), null=True, blank=True, default=timezone.now,
        help_text=_("Vide pour un brouillon. Une version publiée n'est plus modifiable."),
    )  # fmt: skip
    requires_head_signature = models.BooleanField(
        _("seconde signature du dirigeant requise"), default=False,
        help_text=_(
            "L'engagement n'est complet qu'avec la signature du participant et celle "
            "du dirigeant de l'entité."
        ),
    )  # fmt: skip

    class Meta:
        verbose_name = _("version de la charte")
        verbose_name_plural = _("versions de la charte")
        ordering = ["-effective_date"]
        constraints = [
            # Charter art. 10 (X1): at the latest the date its own parameters set.
            models.CheckConstraint(
                condition=models.Q(
                    end_date__lte=Cast(KT("parameters__latest_end_date"), models.DateField())
                ),
                name="charter_version_ends_by_its_latest_end_date",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("effective_date")),
                name="charter_version_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.label}"

    @property
    def slug(self) -> str:
        return slugify(self.label)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("charters:version", kwargs={"slug": self.slug})

    def clean(self) -> None:
        try:
            parameters = self.governance
        except (TypeError, ValueError) as error:
            raise ValidationError(
                {"parameters": _("Paramètres invalides : %(error)s") % {"error": error}}
            ) from error
        # Charter art. 10 (X1): the end date is at the latest the one its parameters set.
        latest = parameters.latest_end_date
        if self.end_date and self.end_date > latest:
            raise ValidationError(
                {
                    "end_date": _("Une version de la charte prend fin au plus tard le %(date)s.")
                    % {"date": date_format(latest, "j F Y")}
                }
            )
        if self.end_date and self.effective_date and self.end_date < self.effective_date:
            raise ValidationError(
                {"end_date": _("La date de fin doit suivre la date d'entrée en vigueur.")}
            )

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding:
            stored = (
                type(self)
                .objects.filter(pk=self.pk)
                .values(*FROZEN_FIELDS, "published_at", "end_date")
                .first()
            )
            if stored and stored["published_at"] is not None:
                # Charter art. 10 (W1): a published text is frozen; revising means a new version.
                changed = [f for f in FROZEN_FIELDS if getattr(self, f) != stored[f]]
                if changed or self.published_at != stored["published_at"]:
                    raise ValueError(
                        "A published charter version is frozen; create a new version instead."
                    )
                if self.end_date > stored["end_date"]:
                    raise ValueError("A published charter version may only end earlier.")
        self.text_sha256 = text_hash(self.body)
        super().save(*args, **kwargs)

    @property
    def governance(self) -> CharterParameters:
        return CharterParameters.from_json(self.parameters)


class Signature(models.Model):
    """One signature of a charter version: evidence under French law, append-only.

    The row keeps everything needed to prove who signed which text, for which
    organisation, when and how they were authenticated (a simple electronic signature
    in eIDAS terms). Rows are never updated nor deleted (database triggers, migration
    0002) and form a hash chain: ``record_hash`` covers the row's fields and the
    ``previous_hash`` of the row before it.
    """

    version = models.ForeignKey(
        CharterVersion, verbose_name=_("version"), on_delete=models.PROTECT,
        related_name="signatures",
    )  # fmt: skip
    text_sha256 = models.CharField(_("empreinte SHA-256 du texte signé"), max_length=64)
    organisation = models.ForeignKey(
        "members.Organisation", verbose_name=_("entité"), on_delete=models.PROTECT,
        related_name="charter_signatures",
    )  # fmt: skip
    organisation_name = models.CharField(_("raison sociale à la signature"), max_length=200)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signataire"), on_delete=models.PROTECT,
        related_name="charter_signatures",
    )  # fmt: skip
    signer_name = models.CharField(_("nom du signataire"), max_length=300)
    signer_email = models.EmailField(_("adresse e-mail du signataire"))
    signer_role = models.CharField(_("fonction du signataire"), max_length=150, blank=True)
    capacity = models.CharField(
        _("qualité"), max_length=20, choices=SignatureCapacity.choices,
        default=SignatureCapacity.SIGNATORY,
    )  # fmt: skip
    scope = models.CharField(
        _("portée"), max_length=20, choices=SignatureScope.choices, default=SignatureScope.FULL
    )
    signed_at = models.DateTimeField(_("signée le (UTC)"))
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    user_agent = models.TextField(_("navigateur (user agent)"), blank=True)
    auth_method = models.CharField(_("méthode d'authentification"), max_length=100)
    consent_text = models.TextField(_("texte du consentement"))
    verification_code = models.CharField(_("code de vérification"), max_length=32, unique=True)
    previous_hash = models.CharField(
        _("empreinte de l'enregistrement précédent"), max_length=64, default=GENESIS_HASH
    )
    record_hash = models.CharField(_("empreinte de l'enregistrement"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("signature de la charte")
        verbose_name_plural = _("signatures de la charte")
        ordering = ["-signed_at", "-id"]
        constraints = [
            # One link per predecessor: the chain cannot fork, even under concurrent signing.
            models.UniqueConstraint(fields=["previous_hash"], name="signature_chain_no_fork"),
            # A double submit cannot record the same commitment twice.
            models.UniqueConstraint(
                fields=["organisation", "version", "scope", "capacity"],
                name="signature_once_per_commitment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name} — {self.version.label} ({self.signed_at:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A charter signature is append-only; it is never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A charter signature is append-only; it is never deleted.")

    @property
    def is_ethics_only(self) -> bool:
        """E1: a commitment to article 3.3 only (a partner without agreement, an invitee)."""
        return self.scope == SignatureScope.ETHICS
