"""Abstract bases shared by the governance models; they add no table of their own.

Constraint names use ``%(class)s`` so each concrete model keeps the name its
migration created (``mandate_ends_after_start``, ``referent_end_has_reason``...).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Term(models.Model):
    """A function held from ``start_date`` until an ``end_date`` given with its reason.

    The concrete model declares ``start_date``, ``end_date`` (null while it runs) and
    ``end_reason`` (blank while it runs), with its own labels and reasons: a COPIL
    mandate (V3) and a referent's mission (R2) share the rules, not the words.
    """

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="%(class)s_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | ~models.Q(end_reason=""),
                name="%(class)s_end_has_reason",
            ),
        ]

    @property
    def is_active(self) -> bool:
        return self.end_date is None


class DecidedRequest(models.Model):
    """A request that a body grants or refuses: who decided, when, and why it refused.

    Proxies validated by the election commission (V6) and requests to read the COPIL's
    minutes (C4).
    """

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("décidée par"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    refusal_reason = models.TextField(_("motif du refus"), blank=True)

    class Meta:
        abstract = True
