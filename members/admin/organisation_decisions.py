"""The organisation admin with the partner decisions, the M9 flag and the correction of
the status history: it replaces the plain organisation admin in the registration."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .. import selectors, services
from ..models import Organisation
from .corrections import HistoryCorrectionMixin
from .decisions import DecisionActionsMixin, PartnerGrantForm, ReasonForm
from .organisations import OrganisationAdmin

# --- Organisations: partner decisions and the M9 flag -------------------------------------


class WithoutRepresentativeFilter(admin.SimpleListFilter):
    """M9: members and partners with no active representative."""

    title = _("représentants")
    parameter_name = "representants"

    def lookups(self, request, model_admin):
        return [("aucun", _("Membre ou partenaire sans représentant actif"))]

    def queryset(self, request, queryset):
        if self.value() != "aucun":
            return queryset
        return queryset.filter(pk__in=selectors.organisations_without_representative().values("pk"))


def _organisation_partner_grant(self, request, queryset):
    return self._decide(
        request,
        queryset,
        form_class=PartnerGrantForm,
        title=_("Accorder le statut de partenaire"),
        explanation=_(
            "Le COPIL accorde le statut de partenaire (article 4), pour une durée déterminée "
            "ou non. Enregistrez ensuite la convention, s'il y en a une."
        ),
        action_name="grant_partner",
        apply=lambda obj, data: services.partner_grant(
            organisation=obj,
            actor=request.user,
            ends_on=data["ends_on"],
            explanation=data["explanation"],
        ),
    )


def _organisation_partner_terminate(self, request, queryset):
    return self._decide(
        request,
        queryset,
        form_class=ReasonForm,
        title=_("Mettre fin au partenariat"),
        explanation=_(
            "Le partenaire en est informé par écrit. Une convention en vigueur prend fin selon "
            "son préavis (article 4)."
        ),
        action_name="terminate_partnership",
        apply=lambda obj, data: services.partner_terminate(
            organisation=obj, actor=request.user, reason=data["reason"]
        ),
    )


class OrganisationLifecycleAdmin(HistoryCorrectionMixin, DecisionActionsMixin, OrganisationAdmin):
    """The organisation admin with the partner decisions, the M9 filter and the correction
    of the status history (S1)."""

    list_filter = (*OrganisationAdmin.list_filter, WithoutRepresentativeFilter)
    actions = (*OrganisationAdmin.actions, "grant_partner", "terminate_partnership")

    grant_partner = admin.action(
        _organisation_partner_grant,
        description=_("Accorder le statut de partenaire"),
        permissions=["decide"],
    )
    terminate_partnership = admin.action(
        _organisation_partner_terminate,
        description=_("Mettre fin au partenariat"),
        permissions=["decide"],
    )


admin.site.unregister(Organisation)
admin.site.register(Organisation, OrganisationLifecycleAdmin)
