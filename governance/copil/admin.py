"""The COPIL's administration of its meetings (art. 6.3): attendance and decisions are
recorded through the services (C2, C3); minutes requests are answered on the COPIL's
page (C4) and listed here.

Imported by ``governance/admin.py``.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin_readonly import ReadOnlyAdmin
from governance.exceptions import ElectionsError

from . import services
from .models import CopilDecision, CopilMeeting, CopilMeetingAttendance, MinutesRequest


class AttendanceForm(forms.ModelForm):
    """A recorded member stays on their row: only their presence and proxy change."""

    class Meta:
        model = CopilMeetingAttendance
        fields = ("member", "present", "proxy_to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["member"].disabled = True


class AttendanceInline(admin.TabularInline):
    """C2, C3: who is present, who gave a proxy to whom; a row changes when a member
    arrives or leaves (a holder who leaves gives up the proxy held), through the service."""

    model = CopilMeetingAttendance
    form = AttendanceForm
    fields = ("member", "present", "proxy_to")
    autocomplete_fields = ("member", "proxy_to")  # searched, not every person listed
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        # Recording an arrival or a departure is recording attendance: whoever may add a
        # row may change one (the COPIL holds "add"); the service checks the rest.
        return self.has_add_permission(request, obj)


class DecisionInline(admin.TabularInline):
    model = CopilDecision
    fields = (
        "subject", "votes_for", "votes_against", "abstentions", "status_change",
        "quorum_met", "passed",
    )  # fmt: skip
    raw_id_fields = ("status_change",)
    readonly_fields = ("quorum_met", "passed")
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CopilMeeting)
class CopilMeetingAdmin(admin.ModelAdmin):
    """C2-C4: who was present or represented, the decisions and the internal minutes."""

    list_display = ("title", "held_on", "quorum")
    fields = ("title", "held_on", "activity", "minutes_text", "minutes_file")
    autocomplete_fields = ("activity",)  # searched, not every activity listed
    inlines = (AttendanceInline, DecisionInline)

    @admin.display(description=_("quorum (présents + représentés)"))
    def quorum(self, obj):
        q = services.copil_quorum(meeting=obj)
        status = _("atteint") if q.met else _("non atteint")
        return f"{q.present} + {q.represented} / {q.required} : {status}"

    def save_formset(self, request, form, formset, change):
        # Each new or changed row through its service; decisions, once recorded, stay.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        rows = formset.extra_forms
        if formset.model is CopilMeetingAttendance:
            rows = formset.initial_forms + formset.extra_forms
        new = [f for f in rows if f.has_changed() and f.is_valid()]
        # Present members first: a proxy is given to a member already recorded present (C3).
        new.sort(key=lambda f: not f.cleaned_data.get("present", False))
        for inline_form in new:
            data = inline_form.cleaned_data
            try:
                if formset.model is CopilMeetingAttendance:
                    self._record_attendance(request, form.instance, data)
                else:
                    services.copil_decision_record(
                        meeting=form.instance,
                        subject=data["subject"],
                        votes_for=data.get("votes_for") or 0,
                        votes_against=data.get("votes_against") or 0,
                        abstentions=data.get("abstentions") or 0,
                        status_change=data.get("status_change"),
                        actor=request.user,
                    )
            except ElectionsError as error:
                self.message_user(request, error.message, messages.ERROR)

    def _record_attendance(self, request, meeting, data):
        member, present = data["member"], data.get("present", False)
        held = [] if present else services.copil_proxies_held(meeting=meeting, member=member)
        services.copil_attendance_record(
            meeting=meeting,
            member=member,
            present=present,
            proxy_to=data.get("proxy_to"),
            actor=request.user,
        )
        for row in held:  # C3: the holder left, the proxy ended with their presence
            self.message_user(
                request,
                _("Le pouvoir de %(giver)s prend fin : %(holder)s n'est plus présent.")
                % {"giver": row.member, "holder": member},
                messages.WARNING,
            )


@admin.register(MinutesRequest)
class MinutesRequestAdmin(ReadOnlyAdmin):
    """C4: answered on the COPIL's requests page; listed here."""

    list_display = ("meeting", "requester", "organisation", "status", "decided_at")
    list_select_related = ("meeting", "requester", "organisation")
    list_filter = ("status",)
    fields = (
        "meeting", "requester", "organisation", "reason", "status",
        "decided_by", "decided_at", "refusal_reason",
    )  # fmt: skip
