"""Load the demonstration COS-GE: ``python manage.py seed_demo`` (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from members.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = (
        "Charge une COS-GE de démonstration (charte V1 R001, une quarantaine d'entités, "
        "leurs représentants et les comptes de démonstration). Relancer la commande ne "
        "crée aucun doublon."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Obligatoire quand DJANGO_SECURE est activé (production) : les comptes de "
                "démonstration ont un mot de passe public."
            ),
        )

    def handle(self, *args, force: bool = False, **options):
        # Demo accounts share a published password: never load them by accident in production.
        if getattr(settings, "SECURE", False) and not force:
            raise CommandError(
                "DJANGO_SECURE est activé : cet environnement ressemble à une production. "
                "Les comptes de démonstration ont un mot de passe public ; relancez avec "
                "--force si c'est bien voulu."
            )
        report = load_demo()
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        created = report.created
        self.stdout.write(
            self.style.SUCCESS("Données de démonstration chargées.")
            + " Créés : "
            + ", ".join(
                f"{created.get(key, 0)} {label}"
                for key, label in (
                    ("charter_versions", "version de charte"),
                    ("organisations", "entités"),
                    ("establishments", "établissements"),
                    ("users", "personnes"),
                    ("representatives", "représentants"),
                    ("status_changes", "changements de statut"),
                )
            )
            + "."
        )
        statuses = report.statuses
        self.stdout.write(
            f"Statuts : {statuses['member']} membres, {statuses['partner']} partenaires, "
            f"{statuses['invitee']} invités, {statuses['applicant']} candidat(s), "
            f"{statuses['none']} sans statut."
        )
        self.stdout.write(f"Comptes de démonstration (mot de passe « {DEMO_PASSWORD} ») :")
        for account in report.accounts:
            self.stdout.write(f"  {account.email:<30} {account.role}")
        self.stdout.write("Membres du COPIL (même mot de passe) : " + ", ".join(report.copil))
