"""``manage.py restore FILE``: put a backup's database and media files back."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cos_portal.backups import BackupError, backup_restore, database_settings


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup`: REPLACES the database's content."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar.gz written by `manage.py backup`.")
        parser.add_argument(
            "--database-url", default=None, help="Restore into this database instead of the site's."
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="Do not ask for confirmation.",
        )  # fmt: skip

    def handle(self, *args, archive, database_url, interactive, **options):
        name = database_settings(database_url)["NAME"]
        if interactive:
            answer = input(f"The content of the database {name} will be replaced. Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            manifest = backup_restore(archive=Path(archive), database_url=database_url)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {archive} (made {manifest['created_at']}, "
                f"{manifest['media_files']} media files) into {name}."
            )
        )
        return None
