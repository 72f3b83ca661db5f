"""Correcting the status history (S1): "Corriger l'historique", a form of its own beside
the status screen, for the COPIL only (G2). The admin is a decision behind MFA
(cos_portal/security.py: every admin URL but login and logout); the rules, the records and
the audit entry are the service's (members/services/corrections.py)."""

from django import forms
from django.contrib import messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import selectors, services
from ..constants import Status
from ..exceptions import MembersError
from ..models import Organisation, StatusChange
from .decisions import can_decide


class StatusChangeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return gettext("%(date)s — %(status)s (%(reason)s)") % {
            "date": timezone.localtime(obj.effective_at).strftime("%d/%m/%Y %H:%M"),
            "status": obj.get_status_display(),
            "reason": obj.get_reason_display(),
        }


class HistoryCorrectionForm(forms.Form):
    """One record of the history, as it should have been (S1)."""

    change = StatusChangeChoiceField(
        label=_("Enregistrement à corriger"),
        queryset=StatusChange.objects.none(),
        empty_label=None,
    )
    status = forms.ChoiceField(
        label=_("Statut exact"),
        choices=Status.choices,
        help_text=_(
            "Le statut que l'entité avait réellement ; le statut précédent annule un "
            "enregistrement fait par erreur."
        ),
    )
    effective_on = forms.DateField(
        label=_("Date exacte"),
        widget=AdminDateWidget,
        help_text=_("À partir de quand ; la même date garde l'heure de l'enregistrement."),
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,  # the service says why it is needed (S1)
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Obligatoire : pourquoi l'historique était faux, et d'où vient la correction."),
    )
    notice_reference = forms.CharField(
        label=_("Référence d'une pièce"), max_length=100, required=False
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change"].queryset = StatusChange.objects.filter(
            organisation=organisation
        ).order_by("-effective_at", "-id")


class HistoryCorrectionMixin:
    """The "Corriger l'historique" form of an organisation, linked from its page."""

    def has_correct_history_permission(self, request):
        return can_decide(request)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/historique/corriger/",
                self.admin_site.admin_view(self.history_correction_view),
                name="members_organisation_history_correction",
            ),
            *super().get_urls(),
        ]

    def history_correction_view(self, request, object_id):
        if not self.has_correct_history_permission(request):
            raise PermissionDenied
        organisation = get_object_or_404(Organisation, pk=object_id)
        applying = request.method == "POST" and "apply" in request.POST
        latest = organisation.status_changes.order_by("-effective_at", "-id").first()
        initial = (
            {
                "change": latest.pk,
                "status": latest.status,
                "effective_on": timezone.localdate(latest.effective_at),
            }
            if latest
            else {}
        )
        form = HistoryCorrectionForm(
            request.POST if applying else None, organisation=organisation, initial=initial
        )
        if applying and form.is_valid():
            data = form.cleaned_data
            try:
                services.organisation_status_correct(
                    organisation=organisation,
                    change=data["change"],
                    status=data["status"],
                    effective_on=data["effective_on"],
                    justification=data["justification"],
                    notice_reference=data["notice_reference"],
                    actor=request.user,
                )
            except MembersError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request,
                    gettext(
                        "Historique de %(name)s corrigé : la correction et sa justification "
                        "sont enregistrées dans l'historique et le journal d'audit."
                    )
                    % {"name": organisation.legal_name},
                )
                return HttpResponseRedirect(
                    reverse("admin:members_organisation_change", args=[organisation.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Corriger l'historique"),
            "opts": self.opts,
            "organisation": organisation,
            "history": selectors.status_history(organisation=organisation),
            "form": form,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/members/organisation/history_correction.html", context
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_correct_history_permission": self.has_correct_history_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)
