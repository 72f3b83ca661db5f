"""``manage.py backup``: the database and the private media files in one .tar.gz."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cos_portal.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump or SQLite's backup API) and the private media files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=str(Path(settings.BASE_DIR) / "backups"),
            help="Folder of the archive (default: backups/).",
        )
        parser.add_argument(
            "--database-url", default=None, help="Back up this database instead of the site's."
        )

    def handle(self, *args, output_dir, database_url, **options):
        try:
            archive = backup_create(output_dir=Path(output_dir), database_url=database_url)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backup written: {archive}"))
        return None
