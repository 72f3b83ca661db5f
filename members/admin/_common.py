"""What the admins of the registry share: the CSV import and export, all or nothing."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV
from import_export.results import RowResult

from core.public_cache import PublicPagesAdminMixin

# The lines one import takes: each is checked by the services as it is previewed, then
# again as it is saved (about 15 ms each on the benchmark's data), so that a file stays
# within what a page does in its time; a longer file is refused before any line is read.
IMPORT_MAX_ROWS = 500


class TooManyRows(ValueError):
    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


class BoundedCSV(CSV):
    """CSV, refused beyond IMPORT_MAX_ROWS lines."""

    def create_dataset(self, in_stream, **kwargs):
        dataset = super().create_dataset(in_stream, **kwargs)
        if len(dataset) > IMPORT_MAX_ROWS:
            raise TooManyRows(len(dataset))
        return dataset


class RegistryImportExportAdmin(PublicPagesAdminMixin, ImportExportModelAdmin):
    """CSV only; an import is all or nothing, with French messages."""

    import_formats = [BoundedCSV]
    export_formats = [CSV]
    import_error_display = ("message", "row")
    import_template_name = "admin/members/import.html"
    #: Paragraphs shown above the import form: the file format, in French.
    import_help: tuple = ()

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, TooManyRows):
            form.add_error(
                "import_file",
                ngettext(
                    "Le fichier compte %(count)s ligne : importez-en au plus %(max)s à la fois, "
                    "en le découpant en plusieurs fichiers.",
                    "Le fichier compte %(count)s lignes : importez-en au plus %(max)s à la fois, "
                    "en le découpant en plusieurs fichiers.",
                    e.count,
                )
                % {"count": e.count, "max": IMPORT_MAX_ROWS},
            )
            return
        super().add_data_read_fail_error_to_form(form, e)

    def get_import_context_data(self, **kwargs):
        return {
            **super().get_import_context_data(**kwargs),
            "import_help": self.import_help,
            "import_max_rows": IMPORT_MAX_ROWS,
        }

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
