"""The status lifecycle (issue 6): every decision is an admin action, or an add form,
that calls one service; the services refuse non-COPIL actors (G2) and check the rules."""

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminDateWidget
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.roles import is_copil

from ..exceptions import MembersError


def can_decide(request) -> bool:
    """Charter art. 6 (G2): COPIL members take the decisions; a superuser outside the
    COPIL opens the admin but decides nothing."""
    return is_copil(request.user)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Communiqué par écrit à l'entité concernée."),
    )


class RequiredReasonForm(ReasonForm):
    reason = forms.CharField(
        label=_("Motifs de la décision"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Figurent dans la lettre de décision."),
    )


class PartnerGrantForm(forms.Form):
    ends_on = forms.DateField(
        label=_("Prend fin le"),
        required=False,
        widget=AdminDateWidget,
        help_text=_("Vide : partenariat à durée indéterminée (article 4)."),
    )
    explanation = forms.CharField(
        label=_("Justification"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionActionsMixin:
    """One intermediate page for the decisions that take a form (reason, end date)."""

    def has_decide_permission(self, request):
        return can_decide(request)

    def _decide(self, request, queryset, *, form_class, title, explanation, action_name, apply):
        """Show ``form_class``; on "apply", call ``apply(obj, data)`` for each object."""
        objects = list(queryset)
        form = form_class(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = 0
            for obj in objects:
                try:
                    apply(obj, form.cleaned_data)
                except MembersError as error:
                    messages.error(
                        request,
                        gettext("%(object)s : %(error)s") % {"object": obj, "error": error.message},
                    )
                else:
                    done += 1
            if done:
                messages.success(
                    request,
                    ngettext(
                        "Décision enregistrée pour %(count)d élément.",
                        "Décision enregistrée pour %(count)d éléments.",
                        done,
                    )
                    % {"count": done},
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "explanation": explanation,
            "opts": self.opts,
            "form": form,
            "objects": objects,
            "action_name": action_name,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/members/decision.html", context)

    def _each(self, request, queryset, apply, success):
        done = 0
        for obj in queryset:
            try:
                apply(obj)
            except MembersError as error:
                messages.error(
                    request,
                    gettext("%(object)s : %(error)s") % {"object": obj, "error": error.message},
                )
            else:
                done += 1
        if done:
            messages.success(request, success % {"count": done})


class ServiceCreateForm(forms.ModelForm):
    """An admin add form whose clean() calls the creating service (so its rules apply and
    its errors show on the form); the admin then only records the change in its log."""

    service_error_field_map: dict = {}

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def create(self, data):  # pragma: no cover - each form defines it
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        if self.errors or self.instance.pk:
            return data
        try:
            self.instance = self.create(data)
        except MembersError as error:
            field = error.field if error.field in self.fields else None
            self.add_error(field, error.message)
        return data

    def save(self, commit=True):
        return self.instance

    def save_m2m(self):
        return None

    def _save_m2m(self):
        return None


class ServiceCreateAdminMixin:
    """Add forms built by ServiceCreateForm; existing rows are read-only (history)."""

    add_form: type[ServiceCreateForm]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            form_class = super().get_form(request, obj, change, form=self.add_form, **kwargs)

            class RequestForm(form_class):
                def __init__(self, *args, **inner):
                    super().__init__(*args, request=request, **inner)

            return RequestForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": list(self.add_form._meta.fields)})]
        return super().get_fieldsets(request, obj)

    def get_inlines(self, request, obj):
        return () if obj is None else super().get_inlines(request, obj)

    def has_add_permission(self, request):
        return can_decide(request)

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pass  # the service saved it in the form's clean()

    def save_related(self, request, form, formsets, change):
        pass
