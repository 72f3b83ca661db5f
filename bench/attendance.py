"""Benchmark of the attendance ratio job (A3, A4) against the fastest equivalent SQL.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cos_bench_attendance \\
        .venv/bin/python bench/attendance.py

1. Rebuilds the benchmark database (PostgreSQL when BENCH_DATABASE_URL is set, its name
   must contain "bench"; otherwise a SQLite file in the temporary directory), fills the
   registry with bench/data.py, then adds the issue's scale in bulk: activities over five
   years (plenaries convening all members, the rest named organisations), their
   convocations, and attendance rows (present, absent, excused).
2. Counts the queries of the ratio recomputation (the same whatever the number of
   members: see tests/activities/test_ratios.py), then times, alternately, the Celery
   task (run in-process) and the fastest SQL written for the same rows (FAST_AGGREGATE);
   prints both medians and their ratio (goal: at most 1.5). The check-in's tap is
   measured by bench/checkin.py.

Printed as ratios against goals, not asserted: this is a measurement, not a test.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SQLITE_PATH = Path(tempfile.gettempdir()) / "cos-bench-attendance.sqlite3"
RATIO_GOAL = 1.5
BATCH = 5000

# The fastest SQL found for what the task computes (A2, A3), the reference it is timed
# against: per current member at ``now``, the activities held in the window (from
# ``start``, before ``now``, not cancelled) it was convened to since its current membership
# started (its first change to "member" that no other status followed), and those where
# one of its people was present. Its shape: the held activities first (index on
# starts_at), their convocations once (index-only scan of the unique pair), "present" as
# one set of (activity, organisation) pairs from the partial index of present
# participations, joined to the convocations (not ``IN (subquery)``, which PostgreSQL
# rescans per convocation once the set outgrows its memory: at 20,000 organisations),
# each member's bound computed once from one pass over the status history. Runs on
# PostgreSQL and SQLite.
FAST_AGGREGATE = """
WITH history AS (
    SELECT s.organisation_id, s.status, s.effective_at,
           COUNT(*) FILTER (WHERE s.status <> 'member') OVER later AS left_after,
           ROW_NUMBER() OVER later AS rank_from_last
    FROM members_statuschange s
    WHERE s.effective_at <= %(now)s
    WINDOW later AS (PARTITION BY s.organisation_id ORDER BY s.effective_at DESC, s.id DESC
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
), members AS (
    SELECT organisation_id AS id,
           MIN(effective_at) FILTER (WHERE status = 'member' AND left_after = 0) AS since
    FROM history
    GROUP BY organisation_id
    HAVING MIN(status) FILTER (WHERE rank_from_last = 1) = 'member'
), held AS (
    SELECT a.id, a.starts_at FROM activities_activity a
    WHERE a.starts_at >= %(start)s AND a.starts_at < %(now)s AND a.cancelled_at IS NULL
), present AS MATERIALIZED (
    SELECT DISTINCT p.activity_id, p.organisation_id FROM activities_participation p
    WHERE p.attendance = 'present' AND p.activity_id IN (SELECT id FROM held)
), counted AS MATERIALIZED (
    SELECT c.organisation_id, h.starts_at, (r.activity_id IS NOT NULL) AS attended
    FROM held h JOIN activities_convocation c ON c.activity_id = h.id
    LEFT JOIN present r ON r.activity_id = c.activity_id AND r.organisation_id = c.organisation_id
)
SELECT m.id, COUNT(k.starts_at), COUNT(k.starts_at) FILTER (WHERE k.attended)
FROM members m
LEFT JOIN counted k ON k.organisation_id = m.id AND k.starts_at >= m.since
GROUP BY m.id
"""


def fast_aggregate(*, now, months: int) -> list[tuple[int, int, int]]:
    """The rows of FAST_AGGREGATE at ``now`` over a window of ``months``: (member id,
    convened, attended)."""
    from dateutil.relativedelta import relativedelta
    from django.db import connection

    adapt = connection.ops.adapt_datetimefield_value
    params = {"start": adapt(now - relativedelta(months=months)), "now": adapt(now)}
    with connection.cursor() as cursor:
        cursor.execute(FAST_AGGREGATE, params)
        return [tuple(row) for row in cursor.fetchall()]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--organisations", type=int, default=2860, help="total; about 70 %% are members"
    )
    parser.add_argument("--activities", type=int, default=3000)
    parser.add_argument("--attendance", type=int, default=300_000, help="attendance rows")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each side")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


def prepare_database() -> None:
    """An empty benchmark database: never the portal's own."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        SQLITE_PATH.unlink(missing_ok=True)
        os.environ["BENCH_DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
        return
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"] or "bench" not in config["NAME"]:
        raise SystemExit("BENCH_DATABASE_URL: a PostgreSQL database with 'bench' in its name.")
    with psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    ) as connection:
        name = sql.Identifier(config["NAME"])
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))


def member_periods() -> dict[int, list[tuple[datetime.datetime, datetime.datetime | None]]]:
    """Each organisation's periods as a member, from its status history (S1)."""
    from members.constants import Status
    from members.models import StatusChange

    periods: dict[int, list] = {}
    opened: dict[int, datetime.datetime] = {}
    rows = StatusChange.objects.order_by("organisation_id", "effective_at", "id").values_list(
        "organisation_id", "status", "effective_at"
    )
    for organisation_id, status, when in rows:
        if status == Status.MEMBER:
            opened.setdefault(organisation_id, when)
        elif organisation_id in opened:
            periods.setdefault(organisation_id, []).append((opened.pop(organisation_id), when))
    for organisation_id, start in opened.items():
        periods.setdefault(organisation_id, []).append((start, None))
    return periods


def build_activities(args, now: datetime.datetime) -> dict[str, int]:
    """Activities, convocations and attendance at the issue's scale, in bulk.

    Activities are walked in date order while the set of members is kept up to date from
    their periods (one sweep, not a scan of every member per activity), and the rows go
    through COPY on PostgreSQL (bench/bulk.py): the scale run writes millions of them.
    """
    from django.db import transaction

    from activities.constants import (
        ActivityKind,
        Attendance,
        ConvenedScope,
        ConvocationSource,
    )
    from activities.models import Activity, Convocation, Participation
    from bench.bulk import RowWriter
    from members.models import Representative

    rng = random.Random(args.seed)
    periods = member_periods()
    people: dict[int, list[int]] = {}
    for organisation_id, user_id in Representative.objects.values_list(
        "organisation_id", "user_id"
    ):
        people.setdefault(organisation_id, []).append(user_id)
    engagement = {pk: rng.uniform(0.05, 0.95) for pk in sorted(periods)}
    span = datetime.timedelta(days=365 * args.years)
    kinds = [k for k in ActivityKind.values if k != ActivityKind.ORDINARY_PLENARY]
    # About 150 plenaries over the span whatever the scale: a plenary convenes every member.
    plenary_share = min(0.05, 150 / max(args.activities, 1))

    activities = []
    for number in range(args.activities):
        starts = now - datetime.timedelta(days=1) - span * rng.random()
        plenary = rng.random() < plenary_share
        activities.append(
            Activity(
                kind=ActivityKind.ORDINARY_PLENARY if plenary else rng.choice(kinds),
                title=f"Activité {number + 1}",
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=3),
                place="1 rue de l'Industrie",
                postcode="57000",
                city="Metz",
                is_public=rng.random() < 0.5,
                convened_scope=ConvenedScope.ALL_MEMBERS if plenary else ConvenedScope.NAMED,
                # Already held and synced: the task's sync step finds nothing to do.
                convocations_synced_at=starts + datetime.timedelta(days=1),
            )
        )
    # The members' comings and goings, in date order: (when, joins, organisation).
    events = sorted(
        (when, joins, pk)
        for pk, spans in periods.items()
        for start, end in spans
        for when, joins in ((start, True), (end, False))
        if when is not None
    )
    active: list[int] = []  # the members at the current date, and where each one sits
    position: dict[int, int] = {}
    attendance = []
    with transaction.atomic():
        Activity.objects.bulk_create(activities, batch_size=BATCH)
        columns = ["activity_id", "organisation_id", "source"]
        with RowWriter(Convocation, columns) as convocations:
            cursor = 0
            for activity in sorted(activities, key=lambda a: (a.starts_at, a.pk)):
                while cursor < len(events) and events[cursor][0] <= activity.starts_at:
                    _, joins, pk = events[cursor]
                    cursor += 1
                    if joins and pk not in position:
                        position[pk] = len(active)
                        active.append(pk)
                    elif not joins and pk in position:
                        last = active.pop()
                        index = position.pop(pk)
                        if last != pk:
                            active[index] = last
                            position[last] = index
                if activity.convened_scope == ConvenedScope.ALL_MEMBERS:
                    convened, source = sorted(active), ConvocationSource.ALL_MEMBERS
                else:
                    convened = rng.sample(active, min(len(active), rng.randint(20, 140)))
                    source = ConvocationSource.NAMED
                for organisation_id in convened:
                    convocations.add((activity.pk, organisation_id, source))
                    staff = people.get(organisation_id, [])
                    if not staff:
                        continue
                    if rng.random() < engagement[organisation_id]:
                        for user_id in rng.sample(staff, min(len(staff), rng.choice([1, 1, 2]))):
                            attendance.append(
                                (activity.pk, user_id, organisation_id, Attendance.PRESENT)
                            )
                    elif rng.random() < 0.4:
                        status = rng.choice([Attendance.ABSENT, Attendance.EXCUSED])
                        attendance.append((activity.pk, staff[0], organisation_id, status))
        if len(attendance) > args.attendance:
            attendance = rng.sample(attendance, args.attendance)
        columns = ["activity_id", "user_id", "organisation_id", "attendance"]
        columns += ["registration", "is_walk_in"]
        with RowWriter(Participation, columns) as participations:
            participations.add_all(row + ("", False) for row in attendance)
    return {
        "activities": len(activities),
        "convocations": convocations.count,
        "attendance rows": participations.count,
    }


def time_it(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def measure_ratio(args) -> dict:
    """Queries of the task, then medians of the task and of FAST_AGGREGATE, timed
    alternately; ``raw`` is the fastest SQL's median (seconds)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from activities.models import AttendanceRatio
    from activities.tasks import attendance_ratios_compute_task
    from charters.selectors import charter_parameters

    months = charter_parameters().attendance_window_months
    now = timezone.now()

    def task():
        return attendance_ratios_compute_task.apply().get()

    # Real time (freezegun would also freeze the clock that measures): the task reads now.
    with CaptureQueriesContext(connection) as first:
        members = task()
    AttendanceRatio.objects.all().delete()
    with CaptureQueriesContext(connection) as second:
        task()
    # The task and the fastest SQL count the same thing for every member, at the instant
    # the task computed.
    snapshots = set(AttendanceRatio.objects.values_list("organisation_id", "convened", "attended"))
    computed_at = AttendanceRatio.objects.values_list("computed_at", flat=True).first()
    assert set(fast_aggregate(now=computed_at, months=months)) == snapshots
    assert len(snapshots) == members
    raw_times, task_times = [], []
    for _ in range(args.repeat):
        raw_times.append(time_it(lambda: fast_aggregate(now=now, months=months)))
        task_times.append(time_it(task))
    result = {
        "members": members,
        "queries": (len(first), len(second)),
        "raw": statistics.median(raw_times),
        "task": statistics.median(task_times),
    }
    print(
        f"Ratio job median {result['task'] * 1000:.1f} ms, fastest SQL median "
        f"{result['raw'] * 1000:.1f} ms (of {args.repeat} each): "
        f"x{result['task'] / result['raw']:.2f} (goal at most x{RATIO_GOAL})"
    )
    return result


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
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
    counts.update(build_activities(args, now))
    built = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The steady state of a live database (autovacuum): statistics and the
            # visibility map that index-only scans rely on.
            cursor.execute("VACUUM ANALYZE")

    ratio = measure_ratio(args)

    print(f"Database: {connection.vendor}; data built in {built:.1f} s")
    for name, value in counts.items():
        print(f"  {name:>20}: {value:,}")
    print(f"Members with a snapshot: {ratio['members']:,}")
    print(f"Queries of one recomputation (twice): {ratio['queries'][0]} and {ratio['queries'][1]}")
    factor = ratio["task"] / ratio["raw"]
    print(
        f"Ratio task {ratio['task'] * 1000:.1f} ms vs fastest SQL {ratio['raw'] * 1000:.1f} ms "
        f"(medians of {args.repeat}): x{factor:.2f} — goal at most x{RATIO_GOAL:g}: "
        f"{'met' if factor <= RATIO_GOAL else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
