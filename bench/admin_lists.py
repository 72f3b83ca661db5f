"""Benchmark of the admin's three longest lists at the issue's scale, in process.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cos_bench_ratios \\
        .venv/bin/python bench/admin_lists.py --organisations 20000 --attendance 3000000

1. Rebuilds the benchmark database (PostgreSQL; its name must contain "bench"), fills the
   registry with bench/data.py, then adds in bulk, in SQL: activities, attendance rows
   (each activity's people drawn among the representatives) and the nightly attendance
   ratio snapshots of the members over some days; VACUUM ANALYZE, as autovacuum would.
2. ``measure``: the organisations, participations and attendance ratios changelists
   through the whole stack (Django test client signed in as a superuser, middleware,
   admin view, template), each timed ``repeat`` times after a warm-up, alternating with a
   trivial view through the same stack (the floor): median milliseconds, queries, bytes.

Goals (printed, not asserted): a constant number of queries whatever the size
(tests/core/test_long_lists.py proves it at two sizes), at most 10 times the floor.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FLOOR_GOAL = 10.0
LISTS = [
    ("organisations", "admin:members_organisation_changelist"),
    ("participations", "admin:activities_participation_changelist"),
    ("ratios", "admin:activities_attendanceratio_changelist"),
]


def floor_view(request):
    from django.http import HttpResponse

    return HttpResponse("floor", content_type="text/plain; charset=utf-8")


class FloorURLConf:
    """The portal's URLs plus the floor, as a URLconf object (no module to import)."""

    def __init__(self):
        from django.urls import include, path

        self.urlpatterns = [
            path("bench/admin-floor", floor_view, name="bench_admin_floor"),
            path("", include("cos_portal.urls")),
        ]


def superuser_client():
    from django.test import Client

    from members.models import User

    user = User.objects.filter(email="admin-listes@bench.cos-ge.fr").first()
    if user is None:
        user = User.objects.create_superuser(email="admin-listes@bench.cos-ge.fr")
    client = Client()
    client.force_login(user)
    return client


def _median_ms(times: list[float]) -> float:
    return round(statistics.median(times) * 1000, 2)


def measure(client_factory=None, repeat: int = 20) -> list[dict]:
    """Each list's median time, queries and bytes, with the floor measured alternately.

    ``client_factory``: returns a Django test client signed in as a superuser (default:
    one made here). The staff MFA gate (DecisionMFAMiddleware) is off for the run: it
    would redirect to the MFA pages, and it costs no query once passed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    with override_settings(ROOT_URLCONF=FloorURLConf(), MFA_REQUIRED_FOR_STAFF=False):
        client = (client_factory or superuser_client)()
        floor_path = reverse("bench_admin_floor")
        rows = []
        for name, url_name in LISTS:
            path = reverse(url_name)
            for _ in range(2):  # warm-up: session, content types, templates
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            # Counted now: the captured queries are read from the connection's log, which
            # every later request clears.
            query_count = len(queries.captured_queries)
            page_times, floor_times = [], []
            for _ in range(repeat):
                started = time.perf_counter()
                client.get(path)
                page_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                client.get(floor_path)
                floor_times.append(time.perf_counter() - started)
            rows.append(
                {
                    "name": name,
                    "path": path,
                    "ms": _median_ms(page_times),
                    "queries": query_count,
                    "bytes": len(response.content),
                    "floor_ms": _median_ms(floor_times),
                }
            )
    return rows


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=20_000)
    parser.add_argument("--activities", type=int, default=3000)
    # 3,000,000 is the scale; the default builds in under three minutes.
    parser.add_argument("--attendance", type=int, default=1_000_000, help="attendance rows")
    parser.add_argument("--days", type=int, default=30, help="days of ratio snapshots")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


def build_lists(args, now) -> dict[str, int]:
    """Activities, attendance rows and ratio snapshots in bulk, in SQL (PostgreSQL)."""
    from django.db import connection, transaction

    from activities.models import Activity, AttendanceRatio, Participation

    activity = Activity._meta.db_table
    participation = Participation._meta.db_table
    ratio = AttendanceRatio._meta.db_table
    per_activity = max(1, args.attendance // args.activities)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {activity} (created_at, updated_at, kind, title, description,
                starts_at, ends_at, place, postcode, city, online_url, is_public,
                convened_scope, convocations_synced_at, sequence)
            SELECT %(now)s, %(now)s, 'workshop', 'Atelier ' || n, '',
                   %(now)s - n * interval '14 hours', %(now)s - n * interval '14 hours'
                       + interval '3 hours',
                   '1 rue de l''Industrie', '57000', 'Metz', '', n %% 2 = 0, 'named',
                   %(now)s, 0
            FROM generate_series(1, %(activities)s) n
            """,  # noqa: S608  # nosec B608
            {"now": now, "activities": args.activities},
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_people ON COMMIT DROP AS "
            "SELECT row_number() OVER (ORDER BY id) AS n, user_id, organisation_id "
            "FROM members_representative"
        )
        cursor.execute("SELECT count(*) FROM bench_people")
        (people,) = cursor.fetchone()
        per_activity = min(per_activity, people)
        # Each activity: ``per_activity`` distinct people, from a different offset.
        cursor.execute(
            f"""
            INSERT INTO {participation} (registration, attendance, is_walk_in,
                activity_id, user_id, organisation_id)
            SELECT 'coming',
                   (ARRAY['present', 'present', 'present', 'absent', 'excused'])[1 + (a.id + k) %% 5],
                   (a.id + k) %% 97 = 0, a.id, p.user_id, p.organisation_id
            FROM {activity} a
            CROSS JOIN generate_series(0, %(per)s - 1) k
            JOIN bench_people p ON p.n = 1 + (a.id * 7919 + k) %% %(people)s
            """,  # noqa: S608  # nosec B608
            {"per": per_activity, "people": people},
        )
        cursor.execute(
            f"""
            INSERT INTO {ratio} (organisation_id, date, window_start, window_end, convened,
                attended, threshold_percent, computed_at)
            SELECT s.organisation_id, (%(now)s - d * interval '1 day')::date,
                   %(now)s - interval '12 months' - d * interval '1 day',
                   %(now)s - d * interval '1 day',
                   10 + (s.organisation_id + d) %% 20, (s.organisation_id * 7 + d) %% 10, 33,
                   %(now)s - d * interval '1 day'
            FROM (SELECT DISTINCT organisation_id FROM members_statuschange
                  WHERE status = 'member') s
            CROSS JOIN generate_series(0, %(days)s - 1) d
            """,  # noqa: S608  # nosec B608
            {"now": now, "days": args.days},
        )
    return {
        "activities": Activity.objects.count(),
        "attendance rows": Participation.objects.count(),
        "ratio snapshots": AttendanceRatio.objects.count(),
    }


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    if "postgres" not in os.environ.get("BENCH_DATABASE_URL", ""):
        raise SystemExit("BENCH_DATABASE_URL: a PostgreSQL database with 'bench' in its name.")
    from bench.attendance import prepare_database

    prepare_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench.data import build

    call_command("migrate", verbosity=0, interactive=False)
    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    counts = build(organisations=args.organisations, seed=args.seed, now=now)
    counts.update(build_lists(args, now))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    built = time.perf_counter() - started

    rows = measure(repeat=args.repeat)
    print(f"Database: {connection.vendor}; data built in {built:.1f} s")
    for name, value in counts.items():
        print(f"  {name:>20}: {value:,}")
    print(f"{'list':<15} {'median':>9} {'floor':>7} {'ratio':>6} {'queries':>7} {'bytes':>8}")
    for row in rows:
        factor = row["ms"] / row["floor_ms"]
        print(
            f"{row['name']:<15} {row['ms']:>7.1f}ms {row['floor_ms']:>5.2f}ms {factor:>5.1f}x "
            f"{row['queries']:>7} {row['bytes']:>8,} "
            f"{'met' if factor <= FLOOR_GOAL else 'NOT met'} (goal x{FLOOR_GOAL:.0f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
