"""Deadlines of the COPIL's meetings (core/deadlines.py): a member's request to read the
minutes awaits its answer (C4).

Imported from GovernanceConfig.ready(). Each source reads in a constant number of queries.
"""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import day_span
from core.deadlines import Deadline, copil_user_ids, deadline_label, deadline_source
from core.roles import copil_group

from .models import MinutesRequest, MinutesRequestStatus
from .selectors import minutes_requests_pending

# C4 (interpretation: the charter sets no delay): the COPIL answers within 30 days.
MINUTES_ANSWER_DAYS = 30


@deadline_source(
    "governance.minutes_request",
    label=_("Demande de compte rendu du COPIL en attente"),
    required=False,
)
def minutes_request_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """Charter art. 6 (C4): a member's request to read the COPIL's minutes awaits the
    COPIL's answer (within 30 days, interpretation); the requester is informed."""
    delay = datetime.timedelta(days=MINUTES_ANSWER_DAYS)
    outside = viewer is not None and not viewer.has_role(copil_group())
    if outside:  # a person's list: the requests they made
        requests = list(
            MinutesRequest.objects.filter(
                status=MinutesRequestStatus.PENDING,
                requester_id=viewer.user_id,
                created_at__range=day_span(start - delay, end - delay),
            ).select_related("meeting")
        )
    else:  # every pending request, as the cockpit lists them (read once per page)
        requests = [
            request
            for request in minutes_requests_pending()
            if start <= timezone.localdate(request.created_at) + delay <= end
        ]
    if not requests:
        return
    copil = () if outside else copil_user_ids()
    for request in requests:
        yield Deadline(
            key=f"governance.minutes_request:{request.pk}",
            kind="governance.minutes_request",
            label=deadline_label(
                _("Répondre à la demande de compte rendu : %(meeting)s"),
                meeting=request.meeting.title,
            ),
            due=timezone.localdate(request.created_at) + delay,
            act_url=reverse("elections:minutes_requests"),
            actors=copil,
            informed=(request.requester_id,),
            offsets=(23, 7, 0),
            required=False,
            act_hint=_(
                "Le COPIL accepte ou refuse la demande ; la réponse est envoyée par courriel à "
                "qui l'a faite."
            ),
        )
