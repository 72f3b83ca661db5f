"""Write the Table Schema of the directory's CSV exports (docs/open-data/)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from members import open_data

DEFAULT_PATH = Path("docs/open-data/annuaire.schema.json")


class Command(BaseCommand):
    help = "Écrit le schéma (Table Schema) des exports CSV de l'annuaire."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=DEFAULT_PATH)

    def handle(self, *args, output: Path, **options):
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(open_data.schema_json(open_data.table_schema()), encoding="utf-8")
        self.stdout.write(str(output))
