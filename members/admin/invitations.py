"""Invitations (I1 to I4): created from the add form, validated or refused by the COPIL."""

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Invitation
from .decisions import DecisionActionsMixin, ReasonForm, ServiceCreateAdminMixin, ServiceCreateForm

# --- Invitations (I1 to I4) --------------------------------------------------------------


class InvitationForm(ServiceCreateForm):
    class Meta:
        model = Invitation
        fields = (
            "guest_organisation_name",
            "guest_name",
            "guest_email",
            "starts_on",
            "ends_on",
            "occasion",
            "activities",
        )

    def create(self, data):
        return services.invitation_propose(
            proposed_by=self.request.user,
            proposing_organisation=None,  # the community invites (art. 5)
            guest_organisation_name=data.get("guest_organisation_name", ""),
            guest_name=data["guest_name"],
            guest_email=data["guest_email"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            occasion=data.get("occasion", ""),
            activities=data.get("activities") or (),
        )


@admin.register(Invitation)
class InvitationAdmin(ServiceCreateAdminMixin, DecisionActionsMixin, admin.ModelAdmin):
    add_form = InvitationForm
    list_display = (
        "__str__",
        "proposing_organisation",
        "starts_on",
        "ends_on",
        "state",
        "accepted_at",
    )
    list_filter = ("state",)
    list_select_related = ("organisation", "proposing_organisation")
    search_fields = ("guest_name", "guest_email", "guest_organisation_name")
    fields = (
        "proposed_by",
        "proposing_organisation",
        "organisation",
        "guest_organisation_name",
        "guest_name",
        "guest_email",
        "starts_on",
        "ends_on",
        "occasion",
        "activities",
        "state",
        "decided_by",
        "decided_at",
        "decision_reason",
        "accepted_at",
        "acceptance_text",
    )
    actions = ("validate", "refuse")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.fields

    @admin.action(description=_("Valider l'invitation"), permissions=["decide"])
    def validate(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda obj: services.invitation_validate(invitation=obj, actor=request.user),
            gettext("%(count)d invitation(s) validée(s) ; le lien d'acceptation est envoyé."),
        )

    @admin.action(description=_("Refuser l'invitation"), permissions=["decide"])
    def refuse(self, request, queryset):
        return self._decide(
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Refuser l'invitation"),
            explanation=_("L'invitation est refusée ; rien n'est envoyé à la personne invitée."),
            action_name="refuse",
            apply=lambda obj, data: services.invitation_refuse(
                invitation=obj, actor=request.user, reason=data["reason"]
            ),
        )
