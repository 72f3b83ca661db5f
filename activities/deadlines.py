"""Attendance deadlines (core/deadlines.py): members approaching the threshold (A3).

Imported from ActivitiesConfig.ready(). One source, a constant number of queries.
"""

import datetime

from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charters.selectors import charter_parameters
from core.dates import day_span
from core.deadlines import Deadline, deadline_label, deadline_now, deadline_source
from members import selectors as members_selectors
from members.constants import Status
from members.deadlines import representative_user_ids
from members.models import Organisation

from .models import Activity, AttendanceRatio, Convocation

NEAR_THRESHOLD_LABEL = _(
    "Présence de %(organisation)s proche du seuil : participer à « %(title)s »"
)


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
    if viewer is not None:
        scope = viewer.organisations_with({Status.MEMBER})
        if not scope:
            return
        members = members_selectors.organisation_list_with_status(at=moment).filter(
            current_status=Status.MEMBER, pk__in=scope
        )
    else:
        members = Organisation.objects.filter(
            pk__among=members_selectors.organisation_ids_holding({Status.MEMBER}, at=moment)
        )
    # A3 (interpretation of "approaching"): the charter version's warning points, as on
    # the member's page (AttendanceRatio.is_near_threshold).
    warning_points = charter_parameters(on=timezone.localdate(moment)).attendance_warning_points
    first, last = day_span(start, end)
    window = Activity.objects.filter(starts_at__gte=max(moment, first), starts_at__lte=last)
    if viewer is None:
        # Every member: the window's activities first (a few), so that each member's
        # convocations to them are probed by the index, not all it ever had.
        window = list(window.values_list("pk", flat=True))
        if not window:
            return
    # Whether each member's latest ratio is below the threshold plus the margin: one
    # subquery per member, evaluated once (not once per column of the ratio read).
    latest_is_low = (
        AttendanceRatio.objects.filter(organisation=OuterRef("pk"))
        .order_by("-date", "-pk")
        .alias(attended_points=F("attended") * 100)
        .annotate(
            low=ExpressionWrapper(
                Q(convened__gt=0)
                & Q(attended_points__lt=F("convened") * (F("threshold_percent") + warning_points)),
                output_field=BooleanField(),
            )
        )
        .values("low")[:1]
    )
    approaching = members.alias(latest_is_low=Subquery(latest_is_low)).filter(latest_is_low=True)
    # Their convocations to the window's activities, the first of each member's kept (one
    # row each, numbered by the database): no subquery per member for the activity.
    organisations = list(
        Convocation.objects.filter(
            activity__in=window, organisation_id__in=approaching.values("pk")
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("organisation_id"),
                order_by=(F("activity__starts_at").asc(), F("activity_id").asc()),
            )
        )
        .filter(rank=1)
        .order_by("organisation__legal_name", "organisation_id")
        # The activity's day in Paris from the database: a date for each of thousands of
        # rows, not an instant to parse and convert.
        .annotate(due=TruncDate("activity__starts_at"))
        .values_list(
            "organisation_id", "organisation__legal_name", "activity_id", "due", "activity__title"
        )
    )
    if not organisations:
        return
    if viewer is not None:  # they represent each of these organisations
        people = {organisation_id: (viewer.user_id,) for organisation_id, *_ in organisations}
    else:
        people = representative_user_ids(
            {organisation_id for organisation_id, *_ in organisations},
            on=timezone.localdate(moment),
        )
    # The window holds a few activities: each one's page is reversed once.
    urls = {
        pk: reverse("activities:detail", kwargs={"pk": pk})
        for pk in {activity_id for _, _, activity_id, *_ in organisations}
    }
    for organisation_id, name, activity_id, due, title in organisations:
        yield Deadline(
            key=f"activities.attendance_threshold:{organisation_id}:{activity_id}",
            kind="activities.attendance_threshold",
            label=deadline_label(NEAR_THRESHOLD_LABEL, organisation=name, title=title),
            due=due,
            act_url=urls[activity_id],
            actors=people.get(organisation_id, ()),
            informed=(),
            offsets=(7, 1),
            required=False,
            organisation_id=organisation_id,
        )
