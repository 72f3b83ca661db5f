"""The COPIL's overview of deadlines (/copil/echeances/) and its iCalendar export.

Every deadline the charter creates comes from the engine (core/deadlines.py):
those due in the next 90 days and those overdue for up to 30 days, filtered by kind,
organisation or overdue only. Constant number of queries: the sources read in bulk,
and this page adds one query for organisation names and one for the people who act.
"""

from __future__ import annotations

import datetime

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from icalendar import Event

from activities.calendar import feed_calendar
from core.deadlines import (
    AHEAD_DAYS,
    OVERDUE_DAYS,
    DeadlineRow,
    deadline_kinds,
    deadline_list,
    deadline_rows,
)
from core.decisions import copil_required
from core.site import absolute_url, site_domain
from members.models import Organisation


class DeadlineFilterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Type d'échéance"), required=False)
    organisation = forms.TypedChoiceField(
        label=gettext_lazy("Entité"), required=False, coerce=int, empty_value=None
    )
    overdue = forms.BooleanField(label=gettext_lazy("En retard seulement"), required=False)

    def __init__(self, *args, organisations: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Tous"))] + [
            (kind, str(entry.label)) for kind, entry in deadline_kinds().items()
        ]
        self.fields["organisation"].choices = [("", _("Toutes"))] + organisations
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["organisation"].widget.attrs["class"] = "form-select"
        self.fields["overdue"].widget.attrs["class"] = "form-check-input"


def _filtered(request) -> tuple[DeadlineFilterForm, list[DeadlineRow], datetime.date]:
    today = timezone.localdate()
    deadlines = deadline_list(
        start=today - datetime.timedelta(days=OVERDUE_DAYS),
        end=today + datetime.timedelta(days=AHEAD_DAYS),
    )
    organisation_ids = {d.organisation_id for d in deadlines if d.organisation_id}
    names = dict(
        Organisation.objects.filter(pk__in=organisation_ids)
        .order_by("legal_name")
        .values_list("pk", "legal_name")
    )
    form = DeadlineFilterForm(
        request.GET or None,
        organisations=sorted(names.items(), key=lambda item: item[1].lower()),
    )
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        organisation = form.cleaned_data["organisation"]
        deadlines = [
            d
            for d in deadlines
            if (not kind or d.kind == kind)
            and (organisation is None or d.organisation_id == organisation)
            and (not form.cleaned_data["overdue"] or d.due < today)
        ]
    rows = deadline_rows(
        deadlines, organisation_names=names, viewer_id=request.user.pk, today=today
    )
    return form, rows, today


@copil_required
@require_GET
def overview(request):
    form, rows, today = _filtered(request)
    return render(
        request,
        "cos_portal/deadlines_overview.html",
        {
            "form": form,
            "rows": rows,
            "today": today,
            "ahead_days": AHEAD_DAYS,
            "overdue_days": OVERDUE_DAYS,
            "query": request.GET.urlencode(),
        },
        status=200 if not request.GET or form.is_valid() else 400,
    )


@copil_required
@require_GET
def overview_ics(request):
    """The same filtered list as an iCalendar file: one all-day event per deadline."""
    _form, rows, _today = _filtered(request)
    calendar = feed_calendar(name=_("Échéances COS-GE"))
    stamp = timezone.now()
    domain = site_domain()
    for row in rows:
        deadline = row.deadline
        event = Event()
        event.add("uid", f"{deadline.key}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.due)
        event.add("dtend", deadline.due + datetime.timedelta(days=1))
        summary = str(deadline.label)
        if row.organisation:
            summary = f"{summary} — {row.organisation}"
        event.add("summary", summary)
        event.add("url", absolute_url(deadline.act_url))
        event.add("description", absolute_url(deadline.act_url))
        event.add("categories", [row.kind_label])
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="echeances-cos-ge.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
