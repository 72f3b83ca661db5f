"""Check the whole hash chain of charter signatures (tamper evidence)."""

from django.core.management.base import BaseCommand, CommandError

from charters.selectors import signature_chain_verify


class Command(BaseCommand):
    help = "Vérifie la chaîne d'empreintes des signatures de la charte."

    def handle(self, *args, **options):
        report = signature_chain_verify()
        if not report.intact:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{report.checked} signature(s) vérifiée(s) : chaîne rompue "
                f"({len(report.problems)} anomalie(s))."
            )
        self.stdout.write(f"{report.checked} signature(s) vérifiée(s) : chaîne intacte.")
