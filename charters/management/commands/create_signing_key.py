"""Create the portal's key and self-signed certificate used to seal PDF certificates."""

from pathlib import Path

from cryptography.hazmat.primitives import hashes
from django.core.management.base import BaseCommand, CommandError

from charters.certificates import create_signing_key, signing_paths


class Command(BaseCommand):
    help = (
        "Crée la clé et le certificat auto-signé du sceau des certificats de signature "
        "(chemins : CHARTER_SIGNING_KEY et CHARTER_SIGNING_CERT)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Remplacer une clé existante.")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Ne rien faire si la clé et le certificat existent déjà (make run).",
        )
        parser.add_argument("--key", help="Chemin de la clé (par défaut CHARTER_SIGNING_KEY).")
        parser.add_argument(
            "--cert", help="Chemin du certificat (par défaut CHARTER_SIGNING_CERT)."
        )

    def handle(self, *args, **options):
        default_key, default_cert = signing_paths()
        key_path = Path(options["key"]) if options["key"] else default_key
        cert_path = Path(options["cert"]) if options["cert"] else default_cert
        if options["if_missing"] and key_path.is_file() and cert_path.is_file():
            self.stdout.write(f"Sceau déjà en place : {cert_path}")
            return
        if (key_path.exists() or cert_path.exists()) and not options["force"]:
            raise CommandError(
                f"{key_path} ou {cert_path} existe déjà : utilisez --force pour la remplacer "
                "(les certificats déjà émis ne seront plus vérifiables avec la nouvelle clé)."
            )
        certificate = create_signing_key(key_path=key_path, cert_path=cert_path)
        fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
        self.stdout.write(
            f"Clé : {key_path}\nCertificat : {cert_path}\nEmpreinte SHA-256 : {fingerprint}"
        )
