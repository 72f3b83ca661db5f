"""The COPIL's administration of seats, mandates, elections and COPIL meetings (art. 6).

Imported by ``governance/admin.py`` (section "Elections"). Thin: mandates start and end
through the services (the COPIL group follows), attendance and decisions of COPIL
meetings are recorded through the services (C2, C3). Ballots have no admin at all (V6);
the vote register is read-only.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin_readonly import ReadOnlyAdmin

from .exceptions import ElectionsError
from .models.elections import (
    Candidacy,
    CopilDecision,
    CopilMeeting,
    CopilMeetingAttendance,
    CopilSeat,
    Election,
    Mandate,
    MinutesRequest,
    Proxy,
    VoteRecord,
)
from .services import elections as services


@admin.register(CopilSeat)
class CopilSeatAdmin(ReadOnlyAdmin):
    list_display = ("number",)


class MandateForm(forms.ModelForm):
    class Meta:
        model = Mandate
        fields = ("seat", "holder", "organisation", "start_date", "end_date", "end_reason")

    def clean(self):
        data = super().clean()
        if self.instance.pk and bool(data.get("end_date")) != bool(data.get("end_reason")):
            raise forms.ValidationError(_("Indiquez la date et le motif de fin du mandat."))
        return data


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    """G1, V3: start a mandate, or end it with its reason; the COPIL group follows."""

    form = MandateForm
    list_display = ("seat", "holder", "organisation", "start_date", "end_date", "end_reason")
    list_filter = ("end_reason",)
    list_select_related = ("seat", "holder", "organisation")
    autocomplete_fields = ()

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("end_date", "end_reason")
        if obj.end_date:
            return ("seat", "holder", "organisation", "start_date", "end_date", "end_reason")
        return ("seat", "holder", "organisation", "start_date")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            if not change:
                saved = services.mandate_start(
                    seat=form.cleaned_data["seat"],
                    holder=form.cleaned_data["holder"],
                    organisation=form.cleaned_data["organisation"],
                    start_date=form.cleaned_data["start_date"],
                    actor=request.user,
                )
                obj.pk = saved.pk
            elif form.cleaned_data.get("end_date"):
                services.mandate_end(
                    mandate=obj,
                    end_date=form.cleaned_data["end_date"],
                    reason=form.cleaned_data["end_reason"],
                    actor=request.user,
                )
        except ElectionsError as error:
            self.message_user(request, error.message, messages.ERROR)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:
            return self.response_post_save_add(request, obj)
        return super().response_add(request, obj, post_url_continue)


@admin.register(Election)
class ElectionAdmin(ReadOnlyAdmin):
    """Followed here; the commission runs each election on its pages (V12)."""

    list_display = ("title", "election_date", "seats_to_fill", "status", "tie_flagged")
    list_filter = ("status",)
    exclude = ("electorate",)


@admin.register(Candidacy)
class CandidacyAdmin(ReadOnlyAdmin):
    list_display = ("candidate", "organisation", "election", "votes", "is_elected")
    list_select_related = ("candidate", "organisation", "election")
    list_filter = ("election",)


@admin.register(Proxy)
class ProxyAdmin(ReadOnlyAdmin):
    list_display = ("giver", "holder", "election", "status", "signed_at", "decided_at")
    list_select_related = ("giver", "holder", "election")
    list_filter = ("status", "election")
    # The proxy's own fields first, then the decision (kept in a shared abstract base).
    fields = (
        "election", "giver", "holder", "signed_by", "signed_at", "signer_name", "status",
        "decided_by", "decided_at", "refusal_reason", "revoked_at",
    )  # fmt: skip


@admin.register(VoteRecord)
class VoteRecordAdmin(ReadOnlyAdmin):
    """The register ("émargement"): who voted, never what (V6)."""

    list_display = ("organisation", "election", "cast_by", "via_proxy", "on_paper")
    list_select_related = ("organisation", "election", "cast_by", "via_proxy")
    list_filter = ("election",)


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
