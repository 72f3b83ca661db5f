"""Deadlines of charter revision (core/deadlines.py): a seized COPIL sets up the ad hoc
commission (X2, X3).

Imported from GovernanceConfig.ready(). Each source reads in a constant number of queries.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import day_span
from core.deadlines import Deadline, copil_user_ids, deadline_label, deadline_source
from core.roles import copil_group

from .models import CharterRevision, RevisionStatus

# X3 (interpretation: the charter sets no delay): a seized COPIL sets up the ad hoc
# commission that drafts the new version within 30 days.
REVISION_COMMISSION_DAYS = 30


@deadline_source(
    "governance.revision_seized",
    label=_("Révision de la charte : commission ad hoc à constituer"),
    required=False,
)
def revision_seized_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """Charter art. 10 (X2, X3): once a petition reaches the threshold the COPIL is seized
    (governance.revisions.services.revision_threshold_check, recounted daily by
    revision_petitions_check_task); it then sets up the ad hoc commission. The COPIL acts."""
    if viewer is not None and not viewer.has_role(copil_group()):
        return
    delay = datetime.timedelta(days=REVISION_COMMISSION_DAYS)
    revisions = list(
        CharterRevision.objects.filter(
            status=RevisionStatus.SEIZED,
            commission__isnull=True,
            copil_notified_at__range=day_span(start - delay, end - delay),
        )
    )
    if not revisions:
        return
    copil = copil_user_ids()
    for revision in revisions:
        yield Deadline(
            key=f"governance.revision_seized:{revision.pk}",
            kind="governance.revision_seized",
            label=deadline_label(
                _("Constituer la commission de révision : %(title)s"), title=revision.title
            ),
            due=timezone.localdate(revision.copil_notified_at) + delay,
            act_url=revision.get_absolute_url(),
            actors=copil,
            informed=(),
            offsets=(23, 7, 0),
            required=False,
        )
