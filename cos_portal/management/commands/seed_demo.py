"""Load the demonstration COS-GE: ``python manage.py seed_demo`` (idempotent).

The project package calls each layer's loader in the order of the layers (members, then
activities, then governance, then the nightly ratio job), in one transaction: a load that
fails leaves nothing half-written. Each loader is keyed on natural keys and dated
relative to the day of its first load; a second load creates and rewrites nothing.
"""

import logging

from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import formats

from activities.demo import load_activities, load_ratios
from governance.demo import load_governance
from members.demo import DEMO_PASSWORD, load_demo

# The demo's e-mails (announcements, receipts, notices) all go to fictitious addresses.
DEMO_EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
# The eager jobs' success lines, and kombu's note that no broker host is configured.
QUIET_LOGGERS = ("celery.app.trace", "kombu.connection")


class Command(BaseCommand):
    help = (
        "Charge une COS-GE de démonstration vivante : charte V1 R001, une quarantaine "
        "d'entités et leurs représentants, les activités de l'année et celles à venir avec "
        "les présences et les taux, une élection terminée et une autre en période de "
        "candidature, les commissions, les référents, des candidatures à instruire. "
        "Relancer la commande ne crée aucun doublon."
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
        # The jobs the services queue (announcement e-mails, receipts) run here, after the
        # commit, and their e-mails to the demo's fictitious addresses are dropped.
        # Nor is each of these jobs logged.
        eager = current_app.conf.task_always_eager
        quiet = [logging.getLogger(name) for name in QUIET_LOGGERS]
        levels = [logger.level for logger in quiet]
        current_app.conf.task_always_eager = True
        for logger in quiet:
            logger.setLevel(logging.WARNING if logger.name == "celery.app.trace" else logging.ERROR)
        try:
            with override_settings(EMAIL_BACKEND=DEMO_EMAIL_BACKEND), transaction.atomic():
                report = load_demo()
                activities = load_activities()
                governance = load_governance(activities)
                ratios = load_ratios()
        finally:
            current_app.conf.task_always_eager = eager
            for logger, level in zip(quiet, levels, strict=True):
                logger.setLevel(level)
        self._summary(report, activities, governance, ratios)

    def _summary(self, report, activities, governance, ratios) -> None:
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
        done = activities.created
        self.stdout.write(
            f"Activités : {done.get('activities', 0)} créées, "
            f"{done.get('participations', 0)} présences pointées ; "
            f"{created.get('applications', 0)} candidature(s) déposée(s), "
            f"{created.get('agreements', 0)} convention(s) de partenariat, "
            f"{ratios.created.get('exclusions', 0)} procédure(s) d'exclusion ouverte(s)."
        )
        self.stdout.write(
            f"Taux de présence du jour : {ratios.ratios.get('above', 0)} membres au moins au "
            f"seuil de 33 %, {ratios.ratios.get('below', 0)} en dessous."
        )
        made = governance.created
        self.stdout.write(
            f"Gouvernance : {made.get('elections', 0)} élection(s), "
            f"{made.get('ballots', 0)} bulletins, {made.get('mandates', 0)} mandats au COPIL, "
            f"{made.get('commission_members', 0)} membres de commission, "
            f"{made.get('commission_reports', 0)} points d'avancement, "
            f"{made.get('referents', 0)} référents, {made.get('announcements', 0)} annonces."
        )
        dates = governance.dates
        if "coming_election" in dates:
            self.stdout.write(
                "Élection du COPIL le "
                + formats.date_format(dates["coming_election"], "j F Y")
                + " : candidatures ouvertes jusqu'à l'assemblée plénière du "
                + formats.date_format(dates["coming_deadline"], "j F Y")
                + "."
            )
        self.stdout.write(f"Comptes de démonstration (mot de passe « {DEMO_PASSWORD} ») :")
        for account in report.accounts:
            self.stdout.write(f"  {account.email:<30} {account.role}")
        self.stdout.write("Membres du COPIL (même mot de passe) : " + ", ".join(report.copil))
        if report.applicants:
            self.stdout.write(
                "Candidats (même mot de passe, suivi de leur candidature) : "
                + ", ".join(report.applicants)
            )
