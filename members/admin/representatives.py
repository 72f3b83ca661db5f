"""The representatives of the organisations, with their CSV import and export."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Representative
from ..resources import RepresentativeResource
from ._common import RegistryImportExportAdmin


@admin.register(Representative)
class RepresentativeAdmin(RegistryImportExportAdmin):
    resource_classes = [RepresentativeResource]
    import_help = (
        _(
            "Une ligne par représentant. email : une personne inconnue est créée sans mot de "
            "passe utilisable ; elle le choisit avec « Mot de passe oublié »."
        ),
        _(
            "organisation : raison sociale d'une entité déjà enregistrée. start_date et "
            "end_date : AAAA-MM-JJ ou JJ/MM/AAAA (sans date de début : aujourd'hui). "
            "authorised_signatory et public_consent : oui ou non."
        ),
        _(
            "Rien n'est enregistré avant votre confirmation, et rien du tout si une seule "
            "ligne est invalide."
        ),
    )
    list_display = (
        "user",
        "organisation",
        "job_title",
        "start_date",
        "end_date",
        "is_authorised_signatory",
        "public_consent",
    )
    list_filter = ("is_authorised_signatory", "public_consent")
    list_select_related = ("user", "organisation")
    search_fields = (
        "user__email",
        "user__first_name",
        "user__last_name",
        "organisation__legal_name",
    )
    autocomplete_fields = ("user", "organisation")
    readonly_fields = ("public_consent",)
