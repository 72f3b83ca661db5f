"""The COPIL's administration of activities: thin, every write goes through services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin_long_lists import LongListAdminMixin
from core.admin_readonly import ReadOnlyAdmin
from core.roles import is_copil

from . import selectors, services
from .constants import ConvocationSource
from .exceptions import ActivityChangeRefused
from .models import Activity, AttendanceRatio, Convocation, Minutes, Participation


@admin.register(Convocation)
class ConvocationAdmin(LongListAdminMixin, ReadOnlyAdmin):
    """The entities convened to each activity (A1), established by the services: read
    here, one activity at a time from its page (a plenary convenes every member)."""

    list_display = ["organisation", "source", "activity"]
    list_filter = ["source"]
    search_fields = ["organisation__legal_name", "organisation__siren"]
    list_select_related = ["organisation", "activity"]
    ordering = ["organisation__legal_name", "pk"]
    sortable_by = ()


class ActivityAdminForm(forms.ModelForm):
    actor = None  # the signed-in person, set by ActivityAdmin.get_form
    online_url = forms.URLField(
        label=_("lien de visioconférence"), required=False, assume_scheme="https"
    )

    class Meta:
        model = Activity
        fields = [
            "kind", "title", "description", "is_public", "starts_at", "ends_at", "place",
            "postcode", "city", "online_url", "organisers", "convened_scope",
            "invited_organisations", "invited_people",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_at"):
            candidate = Activity(
                starts_at=cleaned["starts_at"],
                place=cleaned.get("place") or "",
                postcode=cleaned.get("postcode") or "",
                online_url=cleaned.get("online_url") or "",
            )
            try:
                services.activity_check_place(activity=candidate)  # A1
            except ValidationError as error:
                self.add_error(None, error)
        if self.instance.pk and cleaned.get("starts_at") and cleaned.get("kind"):
            # The rules of other apps on a change of date or kind (an election's plenary,
            # V9-V11; a revision vote's, X4): the reason shows on the field, input kept.
            try:
                services.activity_update_check(
                    activity=self.instance, starts_at=cleaned["starts_at"], kind=cleaned["kind"]
                )
            except ActivityChangeRefused as error:
                self.add_error(error.field, error.message)
        if self.instance.pk:
            # A1, A2: a cancelled activity no longer changes, a started one only by the
            # COPIL; the same check as the organisers' page, shown before anything is saved.
            try:
                services.activity_edit_check(activity=self.instance, actor=self.actor)
            except ActivityChangeRefused as error:
                self.add_error(None, error.message)
        return cleaned


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    form = ActivityAdminForm
    list_display = ["title", "kind", "starts_at", "is_public", "convened_scope", "cancelled_at"]
    list_filter = ["kind", "is_public", "convened_scope"]
    actions = ["cancel"]
    search_fields = ["title", "description", "city"]
    date_hierarchy = "starts_at"
    # Searched as one types (the admin's autocomplete): a list of every person and every
    # entity weighed megabytes once the community grows.
    autocomplete_fields = ["organisers", "invited_organisations", "invited_people"]
    readonly_fields = ["convocations_summary", "convocations_synced_at", "cancelled_at"]
    fieldsets = [
        (None, {"fields": ["kind", "title", "description", "is_public"]}),
        (
            _("Date et lieu"),
            {"fields": ["starts_at", "ends_at", "place", "postcode", "city", "online_url"]},
        ),
        (
            _("Organisation et convocations"),
            {
                "fields": [
                    "organisers",
                    "convened_scope",
                    "invited_organisations",
                    "invited_people",
                    "convocations_summary",
                    "convocations_synced_at",
                ]
            },
        ),
    ]

    @admin.display(description=_("entités convoquées (établies automatiquement)"))
    def convocations_summary(self, activity):
        """How many entities the activity convenes, by origin, and the link to their list
        (thousands for a plenary: counted, not listed here)."""
        if activity.pk is None:
            return "—"
        counts = selectors.convocation_counts(activity=activity)
        total = sum(counts.values())
        parts = ", ".join(
            f"{count} ({ConvocationSource(source).label})" for source, count in counts.items()
        )
        url = reverse("admin:activities_convocation_changelist")
        return format_html(
            '{} — <a href="{}?activity__id__exact={}">{}</a>',
            ngettext(
                "%(count)d entité convoquée : %(parts)s",
                "%(count)d entités convoquées : %(parts)s",
                total,
            )
            % {"count": total, "parts": parts},
            url,
            activity.pk,
            gettext("Voir la liste"),
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # a class made for this request by modelform_factory
        return form

    @admin.action(description=_("Annuler les activités sélectionnées"))
    def cancel(self, request, queryset):
        """Cancelled activities stay in the calendars, marked cancelled."""
        for activity in queryset:
            try:
                services.activity_cancel(activity=activity, actor=request.user)
            except ActivityChangeRefused as error:
                self.message_user(request, f"{activity} : {error.message}", messages.ERROR)
            else:
                self.message_user(
                    request, gettext("« %s » est annulée.") % activity.title, messages.SUCCESS
                )

    def save_model(self, request, obj, form, change):
        """Creations and changes go through the services, with their rules and their
        audit entry, as on the organisers' pages."""
        fields = {
            name: value
            for name, value in form.cleaned_data.items()
            if name in services.ACTIVITY_UPDATABLE_FIELDS
        }
        if not change:
            created = services.activity_create(
                actor=request.user,
                organisers=form.cleaned_data.get("organisers", ()),
                invited_organisations=form.cleaned_data.get("invited_organisations", ()),
                invited_people=form.cleaned_data.get("invited_people", ()),
                **fields,
            )
            # The admin goes on with ``obj`` (history, redirect): it becomes the stored row.
            obj.pk = created.pk
            obj._state.adding = False
            obj.refresh_from_db()
            form.created_by_service = True
            return
        try:
            services.activity_update(activity=obj, actor=request.user, **fields)
        except ActivityChangeRefused as error:  # the rules changed since the form was checked
            form.update_refused = True
            self.message_user(request, error.message, messages.ERROR)

    def save_related(self, request, form, formsets, change):
        if getattr(form, "update_refused", False):
            for formset in formsets:  # nothing saved: the change message lists nothing
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        if getattr(form, "created_by_service", False):
            # activity_create set the organisers and invitations and convened them.
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)
            return
        super().save_related(request, form, formsets, change)
        # A1, A3: the convened organisations follow the activity's scope and names.
        services.activity_convocations_sync(activity=form.instance)


@admin.register(Participation)
class ParticipationAdmin(LongListAdminMixin, admin.ModelAdmin):
    list_display = ["activity", "user", "organisation", "registration", "attendance", "is_walk_in"]
    list_filter = ["attendance", "registration", "is_walk_in", "recorded_offline"]
    search_fields = [
        "user__email",
        "user__last_name",
        "organisation__legal_name",
        "activity__title",
    ]
    list_select_related = ["activity", "user", "organisation"]
    # Millions of rows: the newest first by primary key (the model's order sorts the whole
    # table through two joins), and no column sort that would do the same; the count and
    # the check boxes of LongListAdminMixin.
    ordering = ["-id"]
    sortable_by = ()
    readonly_fields = ["activity", "user", "organisation", "registration", "registered_at",
                       "attendance", "is_walk_in", "recorded_by", "recorded_at",
                       "recorded_offline"]  # fmt: skip

    def has_add_permission(self, request):
        # Attendance is recorded on the check-in page, through the services (A2).
        return False


@admin.register(AttendanceRatio)
class AttendanceRatioAdmin(LongListAdminMixin, admin.ModelAdmin):
    list_display = ["organisation", "date", "ratio_display", "attended", "convened", "flag"]
    list_filter = ["date"]
    search_fields = ["organisation__legal_name"]
    list_select_related = ["organisation"]
    # A snapshot per member and per night: the latest first in the order of the
    # (date, organisation) index, not by legal name through a join of every row; the
    # count and the check boxes of LongListAdminMixin.
    ordering = ["-date", "-organisation_id"]
    sortable_by = ["date"]
    change_list_template = "admin/activities/attendanceratio/change_list.html"
    actions = ["recompute_now"]

    @admin.display(description=_("taux"))
    def ratio_display(self, obj):
        return "—" if obj.ratio_percent is None else f"{obj.ratio_percent} %"

    @admin.display(description=_("sous le seuil"), boolean=True)
    def flag(self, obj):
        return obj.is_below_threshold

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "recalculer/",
                self.admin_site.admin_view(self.recompute_view),
                name="activities_attendanceratio_recompute",
            ),
            *super().get_urls(),
        ]

    def _recompute(self, request):
        if not is_copil(request.user):
            raise PermissionDenied
        services.attendance_ratios_request(actor=request.user)
        self.message_user(
            request, gettext("Le recalcul des taux de présence est lancé."), messages.SUCCESS
        )

    def recompute_view(self, request):
        if request.method != "POST":
            raise PermissionDenied
        self._recompute(request)
        return HttpResponseRedirect(reverse("admin:activities_attendanceratio_changelist"))

    @admin.action(description=_("Recalculer maintenant"))
    def recompute_now(self, request, queryset):
        self._recompute(request)


@admin.register(Minutes)
class MinutesAdmin(admin.ModelAdmin):
    list_display = ["activity", "uploaded_by", "updated_at"]
    fields = ["activity", "text", "file_link", "uploaded_by"]
    readonly_fields = ["activity", "file_link", "uploaded_by"]

    @admin.display(description=_("fichier"))
    def file_link(self, obj):
        if not obj.file:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("activities:minutes_file", args=[obj.activity_id]),
            gettext("Télécharger"),
        )

    def has_add_permission(self, request):
        # Minutes are deposited from the activity's page, with the upload checks (W3).
        return False
