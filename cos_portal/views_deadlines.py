"""The COPIL's overview of deadlines (/copil/echeances/) and its iCalendar export.

Every deadline the charter creates comes from the engine (core/deadlines.py):
those due in the next 90 days and those overdue for up to 30 days, filtered by kind,
entity (a part of its name) or overdue only. Constant number of queries: the sources read
in bulk, and this page adds one query for the names of its page's organisations and one
for the people who act (at most OVERVIEW_NAMED_ACTORS per row). A page shows
OVERVIEW_PAGE_SIZE rows; the export holds the whole filtered list.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET
from icalendar import Event

from activities.calendar import feed_calendar
from core.deadlines import (
    AHEAD_DAYS,
    OVERDUE_DAYS,
    Deadline,
    DeadlineRow,
    deadline_kinds,
    deadline_list,
    deadline_rows,
)
from core.decisions import copil_required
from core.site import absolute_url, site_domain
from members.models import Organisation

# The rows of a page of the overview, and the people named in each row's « Qui agit » (a
# deadline of every member names thousands; the others are counted).
OVERVIEW_PAGE_SIZE = 50
OVERVIEW_NAMED_ACTORS = 10
# The entities named in the calendar's event of a day when several deadlines of one kind
# fall due on it (the others counted).
ICS_NAMED = 10


class DeadlineFilterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Type d'échéance"), required=False)
    entity = forms.CharField(
        label=gettext_lazy("Entité"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Une partie de sa raison sociale."),
    )
    overdue = forms.BooleanField(label=gettext_lazy("En retard seulement"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Tous"))] + [
            (kind, str(entry.label)) for kind, entry in deadline_kinds().items()
        ]
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["entity"].widget.attrs["class"] = "form-control"
        self.fields["overdue"].widget.attrs["class"] = "form-check-input"


def _filtered(request) -> tuple[DeadlineFilterForm, list[Deadline], datetime.date]:
    """The deadlines of the overview's window that the filters sent keep (all of them,
    when a filter is refused: the form shows why)."""
    today = timezone.localdate()
    deadlines = deadline_list(
        start=today - datetime.timedelta(days=OVERDUE_DAYS),
        end=today + datetime.timedelta(days=AHEAD_DAYS),
    )
    form = DeadlineFilterForm(request.GET or None)
    if form.is_valid():
        kind, entity = form.cleaned_data["kind"], form.cleaned_data["entity"].strip()
        named = (
            set(
                Organisation.objects.filter(legal_name__icontains=entity).values_list(
                    "pk", flat=True
                )
            )
            if entity
            else None
        )
        deadlines = [
            d
            for d in deadlines
            if (not kind or d.kind == kind)
            and (named is None or d.organisation_id in named)
            and (not form.cleaned_data["overdue"] or d.due < today)
        ]
    return form, deadlines, today


def _rows(deadlines: list[Deadline], *, viewer_id, today, actors_named=None) -> list[DeadlineRow]:
    """The rows of ``deadlines``, their organisations named in one query."""
    names = dict(
        Organisation.objects.filter(
            pk__among={d.organisation_id for d in deadlines if d.organisation_id}
        ).values_list("pk", "legal_name")
    )
    return deadline_rows(
        deadlines,
        organisation_names=names,
        viewer_id=viewer_id,
        today=today,
        actors_named=actors_named,
    )


@copil_required
@require_GET
def overview(request):
    form, deadlines, today = _filtered(request)
    page = Paginator(deadlines, OVERVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "cos_portal/deadlines_overview.html",
        {
            "form": form,
            "page": page,
            "rows": _rows(
                list(page),
                viewer_id=request.user.pk,
                today=today,
                actors_named=OVERVIEW_NAMED_ACTORS,
            ),
            "today": today,
            "ahead_days": AHEAD_DAYS,
            "overdue_days": OVERDUE_DAYS,
            "query": filters.urlencode(),
        },
        status=200 if not request.GET or form.is_valid() else 400,
    )


@copil_required
@require_GET
def overview_ics(request):
    """The same filtered list as an iCalendar file: an all-day event per deadline, and one
    per kind and day when several fall due together (the day every member owes the new
    charter: one event, its first ICS_NAMED entities named, not thousands of events)."""
    form, deadlines, today = _filtered(request)
    days: dict[tuple[str, datetime.date], list[Deadline]] = {}
    for deadline in deadlines:  # by due date, then kind: the events in the same order
        days.setdefault((deadline.kind, deadline.due), []).append(deadline)
    named = [d for day in days.values() for d in day[:ICS_NAMED]]
    rows = {
        row.deadline.key: row
        for row in _rows(named, viewer_id=request.user.pk, today=today, actors_named=0)
    }
    calendar = feed_calendar(name=_("Échéances COS-GE"))
    stamp = timezone.now()
    entity = form.cleaned_data["entity"].strip() if form.is_valid() else ""
    for (kind, due), day in days.items():
        shown = [rows[d.key] for d in day[:ICS_NAMED]]
        if len(day) == 1:
            event = _deadline_event(shown[0])
        else:
            event = _day_event(kind, due, shown, total=len(day), entity=entity)
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + datetime.timedelta(days=1))
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="echeances-cos-ge.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


def _deadline_event(row: DeadlineRow) -> Event:
    deadline = row.deadline
    event = Event()
    event.add("uid", f"{deadline.key}@{site_domain()}")
    summary = str(deadline.label)
    if row.organisation:
        summary = f"{summary} — {row.organisation}"
    event.add("summary", summary)
    event.add("url", absolute_url(deadline.act_url))
    event.add("description", absolute_url(deadline.act_url))
    event.add("categories", [row.kind_label])
    return event


def _day_event(kind, due, shown: list[DeadlineRow], *, total: int, entity: str) -> Event:
    """The deadlines of one kind due on one day: counted, the first ones' entities named,
    the overview filtered on the kind (and the entity searched) one link away."""
    label = shown[0].kind_label
    event = Event()
    event.add("uid", f"day:{kind}:{due:%Y%m%d}@{site_domain()}")
    event.add(
        "summary",
        ngettext("%(label)s : %(count)s échéance", "%(label)s : %(count)s échéances", total)
        % {"label": label, "count": total},
    )
    query = {"kind": kind, **({"entity": entity} if entity else {})}
    url = absolute_url(f"{reverse('deadlines:overview')}?{urlencode(query)}")
    names = [row.organisation for row in shown if row.organisation]
    others = total - len(names)
    text = ", ".join(names)
    if others and names:
        text = ngettext("%(names)s et %(count)s autre", "%(names)s et %(count)s autres", others) % {
            "names": text,
            "count": others,
        }
    event.add("url", url)
    event.add("description", f"{text}\n{url}" if text else url)
    event.add("categories", [label])
    return event
