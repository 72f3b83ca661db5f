"""Benchmark of the signed-in dashboards: a member's space (/espace/) and the COPIL's
cockpit (/copil/, also the admin's index), against the framework's floor.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cos_bench_dash \\
        .venv/bin/python bench/dashboards.py

1. For each size (200, then 2,000 organisations by default), rebuilds the benchmark
   database (PostgreSQL when BENCH_DATABASE_URL is set, its name must contain "bench";
   otherwise a SQLite file in the temporary directory) with bench/data.py, then adds what
   makes every kind of deadline due (bench/deadlines.py build_deadlines, as of now) and
   applications awaiting the COPIL's decision.
2. ``measure()``: in-process (Django's test client, the whole middleware stack), signed in
   as the member's representative with the most going on, then as a COPIL member (MFA
   done in the session: an authenticator app and the session flag DecisionMFAMiddleware
   reads), it counts the queries of one request to each page and times ``repeat`` more;
   the floor (bench/views.py, BENCH_FLOOR=1) is timed the same way.
3. Prints, per size, each page's median, its ratio to the floor, its queries and size,
   then the queries at both sizes (goal: at most 12, the same at every size; time at
   most 5x the floor). Each row also has this process's CPU time (median), as the wall
   clock of a machine shared with other work inflates every figure, the floor's too.

Printed, not asserted: tests/members/test_dashboard_queries.py and
tests/cos_portal/test_cockpit.py hold the tests.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SQLITE_PATH = Path(tempfile.gettempdir()) / "cos-bench-dashboards.sqlite3"
QUERY_GOAL = 12
FLOOR_RATIO_GOAL = 5.0
SERVER_NAME = "127.0.0.1"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--small", type=int, default=200, help="the size compared with")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", type=Path, help="write a cProfile of each page there")
    return parser.parse_args(argv)


def prepare_database() -> None:
    """An empty benchmark database: never the portal's own."""
    if not os.environ.get("BENCH_DATABASE_URL"):
        SQLITE_PATH.unlink(missing_ok=True)
        os.environ["BENCH_DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
        return
    from bench.attendance import prepare_database as prepare

    prepare()


# --- The data ------------------------------------------------------------------------------


def build_applications(*, count: int) -> int:
    """``count`` applications submitted through the service (each signs the charter)."""
    from django.contrib.auth.hashers import make_password
    from django.test.utils import override_settings

    from members import services
    from members.models import User

    password = "banc-d-essai-2026"  # noqa: S105 # nosec B105: accounts of the data set
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        hashed = make_password(password)
        for number in range(count):
            applicant = User.objects.create(
                email=f"candidat{number}@bench.cos-ge.fr",
                first_name="Camille",
                last_name=f"Candidat {number}",
                password=hashed,
            )
            services.application_submit(
                applicant=applicant,
                data={
                    "legal_name": f"Candidate du banc {number:04d}",
                    "kind": "company",
                    "job_title": "Gérante",
                    "establishments": [
                        {
                            "name": "",
                            "siret": "",
                            "address": "1 rue Haute",
                            "postcode": "88000",
                            "city": "Épinal",
                        }
                    ],
                },
                aif_reference="AIF-1234",
                motivation="Motivation.",
                password=password,
                consent_given=True,
            )
    return count


def build_all(*, organisations: int, seed: int = 2026) -> dict[str, int]:
    """The registry, every kind of deadline due as of now, applications to decide."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.data import build
    from bench.deadlines import build_deadlines

    now = timezone.now()
    with transaction.atomic():
        counts = build(organisations=organisations, seed=seed, now=now)
        counts.update(build_deadlines(now=now, seed=seed))
        counts["applications"] = build_applications(count=max(1, organisations // 100))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return counts


# --- Who is signed in ----------------------------------------------------------------------


def busiest_representative():
    """The user of a member organisation (outside the COPIL) with the most going on: their
    organisation's exclusion procedure and proof requests, the invitations and proxies they
    signed, then the signatory first."""
    from django.db.models import Exists, IntegerField, OuterRef, Value
    from django.db.models.functions import Cast

    from core.roles import copil_group
    from governance.models import Proxy
    from members import selectors
    from members.constants import Status
    from members.models import ExclusionProcedure, Invitation, ProofRequest

    organisation = OuterRef("organisation_id")
    flags = [
        Exists(ExclusionProcedure.objects.filter(organisation=organisation)),
        Exists(ProofRequest.objects.filter(organisation=organisation)),
        Exists(Invitation.objects.filter(proposed_by=OuterRef("user_id"))),
        Exists(Proxy.objects.filter(signed_by=OuterRef("user_id"))),
    ]
    score = Value(0)
    for flag in flags:
        score = score + Cast(flag, IntegerField())
    members = selectors.organisation_list_with_status().filter(current_status=Status.MEMBER)
    representative = (
        selectors.active_representatives()
        .filter(organisation__in=members.values("pk"), user__is_active=True)
        .exclude(user__groups__name=copil_group())
        .annotate(score=score)
        .order_by("-score", "-is_authorised_signatory", "pk")
        .select_related("user")
        .first()
    )
    if representative is None:
        raise SystemExit("The data set has no active representative outside the COPIL.")
    return representative.user


def copil_member():
    """A COPIL member with an authenticator app (MFA is asked before the COPIL's pages),
    staff to open the admin's index."""
    from allauth.mfa.models import Authenticator

    from core.roles import copil_group
    from members.models import User

    user = User.objects.filter(groups__name=copil_group(), is_active=True).order_by("pk").first()
    if user is None:
        raise SystemExit("The data set has no COPIL member (bench/deadlines.py names five).")
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "bench"}}
    )
    return user


def signed_in_client(user, *, mfa: bool = False):
    from django.test import Client

    from cos_portal.security import MFA_ACTIVATED_SESSION_KEY

    client = Client(SERVER_NAME=SERVER_NAME)
    client.force_login(user)
    if mfa:
        session = client.session
        session[MFA_ACTIVATED_SESSION_KEY] = str(user.pk)
        session.save()
    return client


# --- The measure ---------------------------------------------------------------------------


def _time(client, path: str, repeat: int) -> tuple[float, float, int, int]:
    """Median ms of ``repeat`` requests after a warm-up one, and the median of this
    process's CPU ms (the server's share, less sensitive to a loaded machine than the
    wall clock; the database's own time is not in it); queries of one; bytes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)  # warm-up: templates, translations, the groups
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code} in-process.")
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    # Counted now: each request starts with an empty log (Django's reset_queries).
    queries = len(context.captured_queries)
    samples, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(samples), statistics.median(cpu), queries, len(response.content)


def pages() -> list[tuple[str, str, str]]:
    """(name, path, who): the pages measured."""
    from django.urls import reverse

    return [
        ("member dashboard", reverse("space:dashboard"), "member"),
        ("COPIL cockpit", reverse("copil:cockpit"), "copil"),
        ("admin index (cockpit)", reverse("admin:index"), "copil"),
    ]


def measure(repeat: int = 30, *, profile: Path | None = None) -> list[dict]:
    """Each page's median ms, queries and bytes, with the floor's median (same process),
    signed in as the busiest member's representative and as a COPIL member; rows
    {name, path, ms, queries, bytes, floor_ms, cpu_ms, floor_cpu_ms}."""
    from django.test.utils import override_settings
    from django.urls import clear_url_caches, reverse

    previous = os.environ.get("BENCH_FLOOR")
    os.environ["BENCH_FLOOR"] = "1"
    try:
        import importlib

        import bench.urls

        importlib.reload(bench.urls)
        clear_url_caches()
        with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=[SERVER_NAME], DEBUG=False):
            clients = {
                "member": signed_in_client(busiest_representative()),
                "copil": signed_in_client(copil_member(), mfa=True),
            }
            floor_path = reverse("bench_floor")
            floor_ms, floor_cpu_ms, _, _ = _time(clients["member"], floor_path, repeat)
            rows = []
            for name, path, who in pages():
                ms, cpu_ms, queries, size = _time(clients[who], path, repeat)
                if profile is not None:
                    _profile(clients[who], path, profile / f"{name.replace(' ', '_')}.prof")
                rows.append(
                    {
                        "name": name,
                        "path": path,
                        "ms": ms,
                        "queries": queries,
                        "bytes": size,
                        "floor_ms": floor_ms,
                        "cpu_ms": cpu_ms,
                        "floor_cpu_ms": floor_cpu_ms,
                    }
                )
    finally:
        if previous is None:
            os.environ.pop("BENCH_FLOOR", None)
        else:
            os.environ["BENCH_FLOOR"] = previous
        importlib.reload(bench.urls)
        clear_url_caches()
    return rows


def _profile(client, path: str, output: Path) -> None:
    import cProfile

    output.parent.mkdir(parents=True, exist_ok=True)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        client.get(path)
    profiler.disable()
    profiler.dump_stats(output)


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sizes = {}
    for organisations in (args.small, args.organisations):
        prepare_database()
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        connection.close()  # the database was dropped and created again
        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        counts = build_all(organisations=organisations, seed=args.seed)
        built = time.perf_counter() - started
        profile = args.profile / str(organisations) if args.profile else None
        rows = measure(repeat=args.repeat, profile=profile)
        sizes[organisations] = rows
        print(f"{organisations:,} organisations on {connection.vendor} (built in {built:.1f} s)")
        print("    " + ", ".join(f"{k}: {v:,}" for k, v in counts.items()))
        print(
            f"    {'floor':<24}{rows[0]['floor_ms']:>8.2f} ms"
            f"{rows[0]['floor_cpu_ms']:>17.2f} ms CPU"
        )
        for row in rows:
            print(
                f"    {row['name']:<24}{row['ms']:>8.2f} ms  x{row['ms'] / row['floor_ms']:<6.1f}"
                f"{row['cpu_ms']:>8.2f} ms CPU x{row['cpu_ms'] / row['floor_cpu_ms']:<6.1f}"
                f"{row['queries']:>4} queries  {row['bytes']:>8,} bytes  {row['path']}"
            )
    small, large = (sizes[args.small], sizes[args.organisations])
    for before, after in zip(small, large, strict=True):
        same = before["queries"] == after["queries"]
        met = same and after["queries"] <= QUERY_GOAL
        fast = after["ms"] <= FLOOR_RATIO_GOAL * after["floor_ms"]
        print(
            f"{before['name']}: {before['queries']} queries at {args.small:,} and "
            f"{after['queries']} at {args.organisations:,} organisations — goal (the same, "
            f"at most {QUERY_GOAL}): {'met' if met else 'NOT met'}; "
            f"{after['ms'] / after['floor_ms']:.1f}x the floor — goal (at most "
            f"{FLOOR_RATIO_GOAL:g}x): {'met' if fast else 'NOT met'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
