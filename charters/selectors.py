import datetime

from django.utils import timezone

from .constants import CharterParameters
from .models import CharterVersion


def charter_version_in_force(*, on: datetime.date | None = None) -> CharterVersion | None:
    day = on or timezone.localdate()
    return (
        CharterVersion.objects.filter(effective_date__lte=day, end_date__gte=day)
        .order_by("-effective_date")
        .first()
    )


def charter_parameters(*, on: datetime.date | None = None) -> CharterParameters:
    """The parameters of the version in force; V1 R001's values before any version exists."""
    version = charter_version_in_force(on=on)
    return version.governance if version else CharterParameters()
