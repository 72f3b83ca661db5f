"""The decisions the charter app records in the audit trail (core/audit_actions.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChartersAudit(models.TextChoices):
    # A new draft version of the charter is written from the published one.
    VERSION_DRAFTED = "charters.version.drafted", _("Version de la charte rédigée")
    # A draft version is published: its text is frozen, the previous one is replaced.
    VERSION_PUBLISHED = "charters.version.published", _("Version de la charte publiée")
    # An organisation's signatory signs a version of the charter, with its evidence.
    SIGNATURE_RECORDED = "charters.signature.recorded", _("Signature de la charte enregistrée")
