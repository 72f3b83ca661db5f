"""What the admins of the registry share: the CSV import and export, all or nothing."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV
from import_export.results import RowResult

from core.public_cache import PublicPagesAdminMixin


class RegistryImportExportAdmin(PublicPagesAdminMixin, ImportExportModelAdmin):
    """CSV only; an import is all or nothing, with French messages."""

    import_formats = [CSV]
    export_formats = [CSV]
    import_error_display = ("message", "row")
    import_template_name = "admin/members/import.html"
    #: Paragraphs shown above the import form: the file format, in French.
    import_help: tuple = ()

    def get_import_context_data(self, **kwargs):
        return {**super().get_import_context_data(**kwargs), "import_help": self.import_help}

    def get_import_data_kwargs(self, **kwargs):
        # On confirmation too, a line that became invalid since the preview rolls the
        # whole file back (the preview already refuses any invalid line).
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                gettext(
                    "L'import a été annulé : au moins une ligne n'est pas valide. "
                    "Rien n'a été enregistré ; relancez l'import pour voir les erreurs."
                ),
            )
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
            )
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        messages.success(
            request,
            gettext(
                "Import terminé : %(new)d ligne(s) créée(s), %(updated)d mise(s) à jour, "
                "%(skipped)d ignorée(s)."
            )
            % {
                "new": result.totals[RowResult.IMPORT_TYPE_NEW],
                "updated": result.totals[RowResult.IMPORT_TYPE_UPDATE],
                "skipped": result.totals[RowResult.IMPORT_TYPE_SKIP],
            },
        )
