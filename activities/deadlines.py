"""Attendance deadlines (core/deadlines.py): members approaching the threshold (A3).

Imported from ActivitiesConfig.ready(). One source, a constant number of queries.
"""

import datetime

from django.db.models import F, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charters.selectors import charter_parameters
from core.dates import day_span
from core.deadlines import Deadline, deadline_label, deadline_now, deadline_source
from members import selectors as members_selectors
from members.constants import Status
from members.deadlines import representative_user_ids

from .models import Activity, AttendanceRatio, Convocation


@deadline_source(
    "activities.attendance_threshold",
    label=_("Présence proche du seuil : prochaine activité"),
    required=False,
)
def attendance_threshold_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """Charter art. 3.4 and 7 (A3, L3): a member whose latest attendance ratio is below
    the threshold plus a margin is reminded of the next activity it is convened to;
    attending it raises the ratio. Its representatives act (for a viewer: their
    organisations only)."""
    moment = deadline_now()
    members = (
        members_selectors.organisation_list_with_status(at=moment)
        .filter(current_status=Status.MEMBER)
        .only("pk", "legal_name")
    )
    if viewer is not None:
        scope = viewer.organisations_with({Status.MEMBER})
        if not scope:
            return
        members = members.filter(pk__in=scope)
    # A3 (interpretation of "approaching"): the charter version's warning points, as on
    # the member's page (AttendanceRatio.is_near_threshold).
    warning_points = charter_parameters(on=timezone.localdate(moment)).attendance_warning_points
    latest = AttendanceRatio.objects.filter(organisation=OuterRef("pk")).order_by("-date", "-pk")
    first, last = day_span(start, end)
    window = Activity.objects.filter(starts_at__gte=max(moment, first), starts_at__lte=last)
    if viewer is None:
        # Every member: the window's activities first (a few), so that each member's next
        # one is a probe of its convocations to them, not a scan of all it ever had.
        window = list(window.values_list("pk", flat=True))
        if not window:
            return
    upcoming = (
        Convocation.objects.filter(organisation=OuterRef("pk"), activity__in=window)
        .order_by("activity__starts_at", "activity_id")
        .values("activity_id", "activity__starts_at", "activity__title")
    )
    organisations = list(
        members.annotate(
            ratio_attended=Subquery(latest.values("attended")[:1]),
            ratio_convened=Subquery(latest.values("convened")[:1]),
            ratio_threshold=Subquery(latest.values("threshold_percent")[:1]),
        )
        .filter(ratio_convened__gt=0)
        .alias(ratio_attended_points=F("ratio_attended") * 100)
        .filter(
            ratio_attended_points__lt=F("ratio_convened") * (F("ratio_threshold") + warning_points)
        )
        .annotate(
            next_activity_id=Subquery(upcoming.values("activity_id")[:1]),
            next_activity_at=Subquery(upcoming.values("activity__starts_at")[:1]),
            next_activity_title=Subquery(upcoming.values("activity__title")[:1]),
        )
        .filter(next_activity_id__isnull=False)
    )
    if not organisations:
        return
    if viewer is not None:  # they represent each of these organisations
        people = {o.pk: (viewer.user_id,) for o in organisations}
    else:
        people = representative_user_ids(
            {o.pk for o in organisations}, on=timezone.localdate(moment)
        )
    # The window holds a few activities: each one's page is reversed once.
    urls = {
        pk: reverse("activities:detail", kwargs={"pk": pk})
        for pk in {organisation.next_activity_id for organisation in organisations}
    }
    for organisation in organisations:
        yield Deadline(
            key=(
                f"activities.attendance_threshold:{organisation.pk}:{organisation.next_activity_id}"
            ),
            kind="activities.attendance_threshold",
            label=deadline_label(
                _("Présence de %(organisation)s proche du seuil : participer à « %(title)s »"),
                organisation=organisation.legal_name,
                title=organisation.next_activity_title,
            ),
            due=timezone.localdate(organisation.next_activity_at),
            act_url=urls[organisation.next_activity_id],
            actors=people.get(organisation.pk, ()),
            informed=(),
            offsets=(7, 1),
            required=False,
            organisation_id=organisation.pk,
        )
