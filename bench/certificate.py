"""Benchmark of a charter signature certificate for the full charter (issue 4: under 2 s).

    .venv/bin/python bench/certificate.py [--runs 10]

Builds, in memory (no database), the version V1 R001 with the full charter text and one
signature of it, creates a temporary sealing key, then times the whole certificate
(WeasyPrint rendering of the text and the evidence page, then the pyHanko seal) after one
warm-up run, and also the two steps apart. Prints the median, p95 and maximum against the
goal. A measurement, not a test: nothing is asserted.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 2.0


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs after one warm-up")
    return parser.parse_args(argv)


def build_signature():
    from charters.constants import GENESIS_HASH, SignatureCapacity, SignatureScope
    from charters.evidence import compute_record_hash, new_verification_code
    from charters.models import CharterVersion, Signature, text_hash

    body = (ROOT / "charters" / "data" / "cos-ge-charter-v1r001.txt").read_text(encoding="utf-8")
    version = CharterVersion(
        pk=1,
        label="V1 R001",
        title="Charte de la COS-GE",
        body=body,
        effective_date=datetime.date(2021, 12, 2),
        end_date=datetime.date(2030, 12, 31),
        change_note="Version initiale.",
        text_sha256=text_hash(body),
    )
    signature = Signature(
        pk=1,
        version=version,
        text_sha256=version.text_sha256,
        organisation_id=1,
        organisation_name="Usinage de précision de Moselle SAS",
        signer_id=1,
        signer_name="Claire Dupont",
        signer_email="claire.dupont@exemple.fr",
        signer_role="Présidente",
        capacity=SignatureCapacity.SIGNATORY,
        scope=SignatureScope.FULL,
        signed_at=datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC),
        ip_address="203.0.113.7",
        user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
        auth_method="mot de passe ressaisi",
        consent_text="Je soussignée Claire Dupont, en qualité de signataire habilité, …",
        verification_code=new_verification_code(),
        previous_hash=GENESIS_HASH,
    )
    signature.record_hash = compute_record_hash(signature)
    return signature


def timed(function, runs):
    function()  # warm-up: imports, fonts, key loading
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        durations.append(time.perf_counter() - start)
    return durations


def summary(durations):
    ordered = sorted(durations)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def measure(*, runs: int = 10, folder: Path | None = None) -> dict:
    """Time the whole certificate and its two steps (after a warm-up); Django set up.

    A temporary sealing key is created in ``folder`` (a new temporary folder by default)
    and used through the settings, whatever the environment says.
    """
    from django.test.utils import override_settings

    folder = folder or Path(tempfile.mkdtemp(prefix="cos-bench-certificate-"))
    with override_settings(
        CHARTER_SIGNING_KEY=str(folder / "key.pem"), CHARTER_SIGNING_CERT=str(folder / "cert.pem")
    ):
        from charters.certificates import (
            certificate_context,
            certificate_pdf,
            check_seal,
            create_signing_key,
            seal_pdf,
            signing_paths,
        )
        from core.pdf import render_pdf

        key_path, cert_path = signing_paths()
        create_signing_key(key_path=key_path, cert_path=cert_path)
        signature = build_signature()

        pdf = certificate_pdf(signature)
        assert check_seal(pdf).ok, "the benchmark certificate does not verify"
        unsealed = render_pdf("charters/pdf/certificate.html", certificate_context(signature))

        whole = timed(lambda: certificate_pdf(signature), runs)
        render = timed(
            lambda: render_pdf("charters/pdf/certificate.html", certificate_context(signature)),
            runs,
        )
        seal = timed(lambda: seal_pdf(unsealed, code=signature.verification_code), runs)

    def seconds(durations):
        median, p95, worst = summary(durations)
        return {"median_s": round(median, 3), "p95_s": round(p95, 3), "max_s": round(worst, 3)}

    median = summary(whole)[0]
    return {
        "runs": runs,
        "pdf_kib": round(len(pdf) / 1024),
        "certificate": seconds(whole),
        "render": seconds(render),
        "seal": seconds(seal),
        "goal": {"median_s_below": GOAL_SECONDS, "met": median < GOAL_SECONDS},
    }


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cos_portal.settings.base")

    import django

    django.setup()
    result = measure(runs=args.runs)

    print(f"Certificat de signature, charte complète ({result['pdf_kib']} Ko, {args.runs} mesures)")
    print(f"{'étape':<28}{'médiane':>10}{'p95':>10}{'max':>10}")
    for label, key in (
        ("certificat complet", "certificate"),
        ("  rendu WeasyPrint", "render"),
        ("  sceau pyHanko", "seal"),
    ):
        row = result[key]
        print(f"{label:<28}{row['median_s']:>9.3f}s{row['p95_s']:>9.3f}s{row['max_s']:>9.3f}s")
    verdict = "atteint" if result["goal"]["met"] else "NON atteint"
    print(f"Objectif : moins de {GOAL_SECONDS:.0f} s par certificat (médiane) — {verdict}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
