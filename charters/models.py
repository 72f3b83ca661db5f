"""Charter versions and their governance parameters (W1, X1)."""

import hashlib

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cos_portal.models import BaseModel

from .constants import LATEST_END_DATE, CharterParameters, default_parameters


def canonical_text(body: str) -> str:
    """The text whose hash identifies a version: Unix newlines, no trailing blanks."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip() + "\n"


class CharterVersion(BaseModel):
    label = models.CharField(_("version"), max_length=40, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    effective_date = models.DateField(_("date d'entrée en vigueur"))
    end_date = models.DateField(_("date de fin"), default=LATEST_END_DATE)
    change_note = models.TextField(_("nature de la modification"), blank=True)
    text_sha256 = models.CharField(_("empreinte SHA-256 du texte"), max_length=64, editable=False)
    parameters = models.JSONField(_("paramètres de gouvernance"), default=default_parameters)

    class Meta:
        verbose_name = _("version de la charte")
        verbose_name_plural = _("versions de la charte")
        ordering = ["-effective_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__lte=LATEST_END_DATE),
                name="charter_version_ends_by_2030",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("effective_date")),
                name="charter_version_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.label}"

    def clean(self) -> None:
        # Charter art. 10 (X1): the end date is at the latest 2030-12-31.
        if self.end_date and self.end_date > LATEST_END_DATE:
            raise ValidationError(
                {
                    "end_date": _(
                        "Une version de la charte prend fin au plus tard le 31 décembre 2030."
                    )
                }
            )

    def save(self, *args, **kwargs):
        self.text_sha256 = hashlib.sha256(canonical_text(self.body).encode()).hexdigest()
        super().save(*args, **kwargs)

    @property
    def governance(self) -> CharterParameters:
        return CharterParameters.from_json(self.parameters)
