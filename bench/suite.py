"""The whole benchmark in one run (`make bench`): one data set, every measurement, one table.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cos_bench make bench
    BENCH_DATABASE_URL=... make bench BENCH_ARGS="--scale 10"   # 20,000 organisations
    make bench                                                  # SQLite: bench/bench.sqlite3

1. Rebuilds the benchmark database (PostgreSQL when BENCH_DATABASE_URL is set, its name
   containing "bench"; SQLite otherwise) and builds the data set once, at ``--scale`` times
   this size: 2,000 organisations with their people (bench/data.py), 3,000 activities
   over five years and 300,000 attendance rows (bench/attendance.py), a trade-fair day
   of 3,000 people to check in, an organiser, a COPIL member and an administrator
   (bench/pages.py), an election open to 1,000 voters and a closed one holding 5,000
   ballots (bench/elections.py). The cache is Redis (BENCH_REDIS_URL, default database 9
   of the local server), as in production.
2. Measures, in the same run, each against its reference:
   - every page, public and signed in, warm and cold, against the raw SQL it runs and
     the floor (a trivial view through the same stack), with its queries and bytes,
     through gunicorn (bench/pages.py);
   - the attendance ratio job against the fastest equivalent SQL, and a check-in tap;
   - the vote's rush: 1,000 voters arriving within 60 s, errors, each step's median and
     p95, the server's CPU per ballot against Argon2's own cost; the tally (queries for
     5,000 ballots against 1 ballot, time against raw SQL);
   - the deadline engine (queries at a tenth of the size and at the size);
   - the charter signature certificate (WeasyPrint and pyHanko).
3. Prints one table and writes bench/results/latest.json (scale 1) or
   bench/results/scale-N.json (machine, load average, data set, settings, every figure);
   a scale run shows beside each page's queries those of the last run at scale 1.
   Ratios and goals are printed, never asserted: a measurement, not a test
   (tests/bench/test_suite.py runs it on a tiny data set so that it cannot rot).

The time-budget arguments bound the run: --time-budget per page series, --window for the
vote, --repeat and --certificate-runs for the jobs.
"""

import argparse
import datetime
import importlib.util
import inspect
import json
import os
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TALLY_GOAL = 3.0  # the tally within 3x of its raw SQL
RATIO_GOAL = 1.5  # the attendance ratio job within 1.5x of the fastest equivalent SQL
VOTE_CPU_GOAL = 1.3  # the server's CPU per ballot within 1.3x of Argon2's own cost
# What --scale multiplies: the community and its history; the vote's rush stays 1,000 voters.
SCALED = ("organisations", "activities", "attendance", "ballots")
TINY = {
    "organisations": 40,
    "activities": 30,
    "attendance": 2000,
    "ballots": 50,
    "voters": 5,
    "window": 2.0,
    "threads": 4,
    "workers": 1,
    "requests": 5,
    "warmup": 1,
    "concurrency": 2,
    "time_budget": 10.0,
    "repeat": 1,
    "taps": 3,
    "sync_actions": 30,
    "loads": 1,
    "certificate_runs": 1,
    "deadline_organisations": 20,
}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--organisations", type=int, default=2000)
    add("--activities", type=int, default=3000)
    add("--attendance", type=int, default=300_000, help="attendance rows at most")
    add("--years", type=int, default=5, help="span of the activities")
    add("--ballots", type=int, default=5000, help="ballots of the tallied election")
    add("--voters", type=int, default=1000, help="voters of the rush")
    add("--window", type=float, default=60.0, help="seconds within which the voters arrive")
    add("--threads", type=int, default=0, help="voters in flight at most (0: no cap)")
    add("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    add("--requests", type=int, default=200, help="per page and per mode")
    add("--warmup", type=int, default=20, help="requests before measuring a page")
    add("--concurrency", type=int, default=4, help="threads of the concurrent page mode")
    add("--time-budget", type=float, default=30.0, help="seconds at most per page series")
    add("--repeat", type=int, default=5, help="timed runs of the ratio task and the tally")
    add("--taps", type=int, default=50, help="check-in taps and searches timed")
    add("--loads", type=int, default=5, help="check-in page loads in Chromium")
    add("--sync-actions", type=int, default=300, help="queued check-ins of the app's sync")
    add("--certificate-runs", type=int, default=10)
    add("--deadline-organisations", type=int, default=None, help="default: --organisations")
    add("--seed", type=int, default=2026)
    add("--sqlite", type=Path, default=ROOT / "bench" / "bench.sqlite3", help="without PG")
    add("--output", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    add("--tiny", action="store_true", help="a tiny data set and short series (the test)")
    add(
        "--scale",
        type=int,
        default=1,
        help="multiplies organisations, activities, attendance rows and ballots (10: 20,000 "
        "organisations and 3 million attendance rows); writes bench/results/scale-N.json",
    )
    args = parser.parse_args(argv)
    given = {a.lstrip("-").split("=")[0].replace("-", "_") for a in argv if a.startswith("--")}
    if args.scale != 1:
        for key in SCALED:
            if key not in given:
                setattr(args, key, getattr(args, key) * args.scale)
        if "output" not in given:
            args.output = ROOT / "bench" / "results" / f"scale-{args.scale}.json"
    if args.tiny:
        for key, value in TINY.items():
            if key not in given:
                setattr(args, key, value)
    if args.deadline_organisations is None:
        args.deadline_organisations = args.organisations
    return args


def prepare(args) -> None:
    """Environment of the benchmark settings, and an empty benchmark database."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["BENCH_FLOOR"] = "1"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    # Playwright's sync API runs an event loop in this thread; the ORM calls are ours.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Pages are cached in Redis as in production; a cold request follows a FLUSHDB of this
    # database, never of the portal's own.
    os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    os.environ["CACHE_KEY_PREFIX"] = "cos-bench"
    if os.environ.get("BENCH_DATABASE_URL"):
        from bench.run import prepare_database

        prepare_database(keep=False)
    else:
        args.sqlite.unlink(missing_ok=True)
        os.environ["BENCH_DATABASE_URL"] = f"sqlite:///{args.sqlite.resolve()}"


def build(args) -> tuple[dict, dict, dict[str, float]]:
    """The data set, once; returns its counts, the election states, and the seconds of
    each step of the build (what a scale run spends where)."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench import attendance, dashboards, elections, pages
    from bench.data import build as build_registry
    from bench.deadlines import build_deadlines

    call_command("migrate", verbosity=0, interactive=False)
    seconds: dict[str, float] = {}

    def step(name, function, *arguments, **options):
        started = time.perf_counter()
        result = function(*arguments, **options)
        seconds[name] = round(time.perf_counter() - started, 1)
        return result

    now = timezone.now().replace(microsecond=0)
    counts = step(
        "registry", build_registry, organisations=args.organisations, seed=args.seed, now=now
    )
    counts.update(step("activities and attendance", attendance.build_activities, args, now))
    counts.update(step("check-in and people", pages.build_people_and_event, now=now))
    # What waits for the COPIL and the members: every kind of deadline due, applications.
    counts.update(step("deadlines", build_deadlines, now=now, seed=args.seed))
    counts["applications"] = step(
        "applications",
        dashboards.build_applications,
        count=max(1, args.organisations // 100),
    )
    states = {
        "voting": step("election open", elections.build_voting, voters=args.voters, seed=args.seed),
        "tally": step(
            "election to tally", elections.build_tally, ballots=args.ballots, seed=args.seed
        ),
    }
    counts["ballots"] = args.ballots
    counts["voters"] = args.voters
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The steady state of a live database (autovacuum): statistics and the
            # visibility map that index-only scans rely on.
            step("vacuum analyze", cursor.execute, "VACUUM ANALYZE")
    return counts, states, seconds


class Sections:
    """Runs each measurement; one that fails is reported, and the others still run."""

    def __init__(self):
        self.results: dict[str, object] = {}
        self.failures: dict[str, str] = {}
        self.skipped: dict[str, str] = {}

    def run(self, name: str, function, *args, may_refuse: bool = False, **kwargs):
        """``may_refuse``: a SystemExit of the measurement means "cannot run on this
        database" (a skip, with its reason), not a failure."""
        print(f"Measuring: {name}...", flush=True)
        started = time.perf_counter()
        try:
            result = function(*args, **kwargs)
        except SystemExit as refusal:
            if not may_refuse:
                self.failures[name] = f"SystemExit: {refusal.code}"
                print(self.failures[name], file=sys.stderr, flush=True)
                return None
            self.skipped[name] = str(refusal.code)
            print(f"  skipped: {refusal.code}", flush=True)
            return None
        except Exception:  # noqa: BLE001 (reported in the table and the JSON, exit code 1)
            self.failures[name] = traceback.format_exc(limit=8)
            print(self.failures[name], file=sys.stderr, flush=True)
            return None
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
        self.results[name] = result
        return result


def measure_web(sections: Sections, args, states, counts) -> None:
    """On one gunicorn, three sections (each reported on its own if it fails): every page
    warm and cold against its raw SQL and the floor (bench/pages.py); the check-in's
    search, tap and phone load (bench/checkin.py); the vote's rush (bench/elections.py)."""
    from django.db import connections
    from django.urls import reverse

    from bench import checkin, checkin_sync, elections, pages, run

    chosen = pages.choose(counts["checkin_activity"])
    for page in chosen:
        pages.sign_in(page)
    connections.close_all()  # gunicorn's workers open their own connections
    # The rush queues a thousand connections: a deep backlog, and a long timeout while
    # Argon2 checks wait for a core.
    os.environ.setdefault("GUNICORN_CMD_ARGS", elections.GUNICORN_ARGS)
    with run.Server(workers=args.workers) as server:
        sections.run(
            "pages",
            pages.measure,
            server.port,
            chosen,
            floor=reverse("bench_floor"),
            requests=args.requests,
            warmup=args.warmup,
            budget=args.time_budget,
        )
        # The check-in beyond its page: the search without JavaScript, a tap, and the
        # page on a phone's screen in Chromium until its search filters the roster.
        sections.run(
            "checkin",
            checkin.measure,
            counts["checkin_activity"],
            repeat=args.taps,
            base_url=server.url,
            loads=args.loads,
            seed=args.seed,
        )
        # The check-in app's queue sent when the network returns, then sent again.
        sections.run(
            "checkin_sync",
            checkin_sync.measure_sync,
            server.url,
            counts["checkin_activity"],
            n=args.sync_actions,
            seed=args.seed,
        )
        connections.close_all()
        sections.run(
            "voting",
            elections.measure_voting,
            server.port,
            states["voting"],
            window=args.window,
            threads=args.threads or None,
            seed=args.seed,
            server_pid=server.process.pid,
            argon2_notes=server.argon2_notes.name,
        )


def measure_attendance(args) -> dict:
    from bench import attendance

    ratio = attendance.measure_ratio(args)
    task_ms, raw_ms = ratio["task"] * 1000, ratio["raw"] * 1000
    return {
        "members": ratio["members"],
        "queries": list(ratio["queries"]),
        "task_median_ms": round(task_ms, 2),
        "raw_sql_median_ms": round(raw_ms, 2),
        "ratio_to_raw_sql": round(task_ms / raw_ms, 2) if raw_ms else None,
    }


def deadlines_module():
    if importlib.util.find_spec("bench.deadlines") is None:
        return None
    from bench import deadlines

    return deadlines if callable(getattr(deadlines, "measure", None)) else None


# --- the report -----------------------------------------------------------------------------


def _f(value, unit="", digits=1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}{unit}"
    return f"{value:,}{unit}"


def _verdict(met) -> str:
    return "—" if met is None else ("met" if met else "NOT met")


def _kib(value) -> str:
    return "—" if value is None else f"{value / 1024:,.1f} KiB"


def page_row(row: dict, earlier: dict | None) -> list[str]:
    """A page: warm, cold, raw SQL, floor, queries (cold; warm when the cache spares
    some; at scale 1 beside, on a scale run), bytes, ratios, goal."""
    queries = str(row["queries"])
    if row.get("queries_warm") not in (None, row["queries"]):
        queries += f" (warm {row['queries_warm']})"
    if earlier is not None:
        same = earlier.get(row["page"]) == row["queries"]
        queries += f"; scale 1: {earlier.get(row['page'], '—')} {'=' if same else '≠'}"
    ratio = f"{row['cold_to_floor']:.1f}x floor"
    if row.get("cold_to_raw_sql") is not None:
        ratio = f"{row['cold_to_raw_sql']:.1f}x SQL, " + ratio
    return [
        f"page: {row['page']}",
        _f(row["warm_ms"], " ms"),
        _f(row["cold_ms"], " ms"),
        _f(row["raw_sql_ms"], " ms", 2),
        _f(row["floor_ms"], " ms", 2),
        queries,
        _kib(row["bytes"]),
        ratio,
        f"{row['goal']}: {_verdict(row['met'])}",
    ]


def other_row(measure, median, *, reference="—", queries="—", ratio="—", goal="—"):
    """A job or a step: its median in the warm column; what it is compared with in the raw
    SQL column."""
    return [measure, median, "—", reference, "—", queries, "—", ratio, goal]


def rows(report: dict, earlier: dict | None = None) -> list[list[str]]:
    """The table's rows: the pages, then the jobs, the vote, the tally, the deadlines and
    the certificate."""
    results = report["results"]
    table = []
    for row in results.get("pages") or []:
        table.append(page_row(row, earlier))
    att = results.get("attendance")
    if att:
        ratio = att["ratio_to_raw_sql"]
        table.append(
            other_row(
                f"attendance ratio job ({att['members']:,} members)",
                _f(att["task_median_ms"], " ms"),
                reference=f"fastest SQL {att['raw_sql_median_ms']:.1f} ms",
                queries=_f(att["queries"][-1]),
                ratio=f"{ratio:.2f}x SQL",
                goal=f"≤ {RATIO_GOAL:g}x SQL: {_verdict(ratio <= RATIO_GOAL)}",
            )
        )
    if results.get("checkin"):
        table += checkin_rows(results["checkin"])
    if results.get("checkin_sync"):
        table.append(checkin_sync_row(results["checkin_sync"]))
    voting = results.get("voting")
    if voting:
        table += voting_rows(voting)
    tally = results.get("tally")
    if tally:
        table.append(
            other_row(
                f"election tally ({tally['ballots']:,} ballots)",
                _f(tally["median_ms"], " ms"),
                reference=f"raw SQL {tally['raw_sql_median_ms']:.1f} ms",
                queries=f"{tally['queries']} (1 ballot: {tally['queries_one_ballot']})",
                ratio=f"{tally['ratio_to_raw_sql']:.2f}x SQL" if tally["ratio_to_raw_sql"] else "—",
                goal=f"same queries: {_verdict(tally['constant'])}",
            )
        )
    dead = results.get("deadlines")
    if dead:
        table.append(deadline_row(dead))
    elif "deadlines" in report.get("skipped", {}):
        table.append(other_row("deadline engine", "—", goal="skipped"))
    cert = results.get("certificate")
    if cert:
        table.append(
            other_row(
                f"charter certificate ({cert['pdf_kib']} KiB, sealed)",
                _f(cert["certificate"]["median_s"] * 1000, " ms", 0),
                reference=f"render {cert['render']['median_s'] * 1000:.0f} ms + seal "
                f"{cert['seal']['median_s'] * 1000:.0f} ms",
                goal=f"< 2 s: {_verdict(cert['goal']['met'])}",
            )
        )
    for name in report.get("failures", {}):
        table.append(other_row(name, "—", goal="FAILED (see stderr)"))
    return table


def checkin_rows(data: dict) -> list[list[str]]:
    """The check-in's search without JavaScript, a tap, and the phone in Chromium."""
    table = [
        other_row(
            f"check-in: search without JavaScript ({data['people']:,} people)",
            _f(data["search_ms"], " ms"),
            queries=str(data["search_queries"]),
            goal=f"< 50 ms: {_verdict(data['search_ms'] < 50)}",
        ),
        other_row(
            "check-in: a tap (one presence recorded)",
            _f(data["tap_ms"], " ms"),
            queries=str(data["tap_queries"]),
            goal=f"< 50 ms: {_verdict(data['tap_ms'] < 50)}",
        ),
    ]
    if "browser_interactive_ms" in data:
        table.append(
            other_row(
                "check-in on a phone (Chromium 390x844): search filters",
                _f(data["browser_interactive_ms"], " ms"),
                reference=f"DOM ready {data['browser_dom_ms']:.0f} ms, "
                f"load {data['browser_load_ms']:.0f} ms",
                goal=f"no script error: {_verdict(not data['browser_errors'])}",
            )
        )
    return table


def checkin_sync_row(data: dict) -> list[str]:
    """The check-in app's sync: the queue sent once, then again (all duplicates), and its
    queries at 30 and 300 actions (bench/checkin_sync.py)."""
    queries = f"30: {data['queries_30']}, 300: {data['queries_300']}"
    met = data["sync_ms"] < data["goal_ms"] and data["constant"]
    return other_row(
        f"check-in app: sync of {data['actions']:,} queued check-ins",
        _f(data["sync_ms"], " ms"),
        reference=f"replay {data['replay_ms']:.0f} ms, {data['per_action_ms']:.2f} ms/action",
        queries=queries,
        goal=f"< 1 s, same queries: {_verdict(met)}",
    )


def voting_rows(voting: dict) -> list[list[str]]:
    """The vote's rush: every answer, each step, and the server's CPU per ballot against
    Argon2's own cost (bench/elections.py)."""
    stored = voting["ballots_stored"]
    table = [
        other_row(
            f"vote: {voting['voters']:,} voters arriving within {voting['window_seconds']:.0f} s "
            f"(last answer at {voting['wall_seconds']:.0f} s)",
            _f(voting["all"]["median_ms"], " ms"),
            reference=f"p95 {_f(voting['all']['p95_ms'], ' ms')}",
            queries=f"{voting['errors']} errors, {stored:,} ballots stored",
            goal="no error, one ballot each: "
            f"{_verdict(voting['errors'] == 0 and stored == voting['voters'])}",
        )
    ]
    labels = {
        "page": "vote: voting page",
        "review": "vote: review of the ballot",
        "confirm": "vote: casting the ballot (password, Argon2)",
    }
    argon2 = voting.get("argon2_cpu_ms")
    for step, label in labels.items():
        data = voting["steps"][step]
        reference = f"p95 {_f(data['p95_ms'], ' ms')}"
        if step == "confirm" and argon2:
            reference += f" beside Argon2 alone {argon2:.0f} ms"
        table.append(other_row(label, _f(data["median_ms"], " ms"), reference=reference))
    ratio = voting.get("cpu_ratio_to_argon2")
    if ratio is not None:
        table.append(
            other_row(
                "vote: server CPU per ballot (three requests)",
                _f(voting["server_cpu_ms_per_ballot"], " ms"),
                reference=f"Argon2 alone {argon2:.0f} ms",
                ratio=f"{ratio:.2f}x Argon2",
                goal=f"≤ {VOTE_CPU_GOAL:g}x Argon2: {_verdict(ratio <= VOTE_CPU_GOAL)}",
            )
        )
    in_server = voting.get("argon2_in_server_cpu_ms_per_ballot")
    if ratio is not None and in_server:
        # The same checks made by the workers during the rush (bench/hashers.py): what
        # the server spends per ballot besides Argon2, with both cores busy.
        table.append(
            other_row(
                "vote: Argon2 in the server during the rush (per ballot)",
                _f(in_server, " ms"),
                reference="outside Argon2 "
                f"{_f(voting['server_cpu_ms_per_ballot_outside_argon2'], ' ms')} per ballot",
                ratio=f"{voting['cpu_ratio_to_argon2_in_server']:.2f}x Argon2 in the server",
            )
        )
    return table


def deadline_row(dead: dict) -> list[str]:
    """The deadline engine (bench/deadlines.py): queries of one pass per size, and the
    time of the pass at the largest size."""
    sizes = dead.get("sizes") or []
    queries = "; ".join(
        f"{row['organisations']:,} orgs: {row['queries']}"
        + (f" (+{row['lease_renewals']} lease renewal)" if row.get("lease_renewals") else "")
        for row in sizes
    )
    largest = sizes[-1] if sizes else {}
    seconds = largest.get("seconds")
    reminders = largest.get("reminders")
    return other_row(
        f"deadline engine, one pass ({largest.get('organisations', 0):,} organisations)",
        _f(seconds * 1000, " ms") if isinstance(seconds, int | float) else "—",
        reference=f"{reminders:,} reminders sent" if isinstance(reminders, int) else "—",
        queries=queries or "—",
        goal=f"same queries: {_verdict(dead.get('queries_constant'))}",
    )


HEADER = ["measure", "warm", "cold", "raw SQL", "floor", "queries", "bytes", "ratio", "goal"]


def render_table(report: dict, earlier: dict | None = None) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|---|--:|--:|--:|--:|---|--:|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows(report, earlier)]
    return "\n".join(lines)


def scale_one_queries(args) -> dict | None:
    """On a scale run, each page's queries in the last run at scale 1 (latest.json), to
    show them unchanged."""
    latest = ROOT / "bench" / "results" / "latest.json"
    if args.scale == 1 or not latest.exists():
        return None
    report = json.loads(latest.read_text())
    pages = report.get("results", {}).get("pages") or []
    return {row["page"]: row.get("queries") for row in pages}


def main(argv=None) -> int:
    argv = list(argv if argv is not None else sys.argv[1:])
    args = parse_args(argv)
    started = time.perf_counter()
    prepare(args)

    import django

    django.setup()
    from bench import certificate, pages, run

    print(f"Building the data set ({args.organisations:,} organisations)...", flush=True)
    counts, states, build_steps = build(args)
    build_seconds = sum(build_steps.values())
    print(f"  {counts} in {build_seconds:.1f} s: {build_steps}", flush=True)

    from bench import elections

    load_before = run.load_average()
    sections = Sections()
    measure_web(sections, args, states, counts)
    sections.run("attendance", measure_attendance, args)
    sections.run("tally", elections.measure_tally, states["tally"], repeat=args.repeat)
    deadlines = deadlines_module()
    if deadlines is None:
        sections.skipped["deadlines"] = "bench/deadlines.py with measure() is not there yet"
        print(f"Skipped: the deadline engine ({sections.skipped['deadlines']}).", flush=True)
    else:
        size = args.deadline_organisations
        options = {"organisations": size}
        if "small" in inspect.signature(deadlines.measure).parameters:
            options["small"] = min(200, max(size // 10, 2))  # 200 against 2,000
        sections.run("deadlines", deadlines.measure, may_refuse=True, **options)
    sections.run("certificate", certificate.measure, runs=args.certificate_runs)

    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": run.machine(args),
        "data_set": counts,
        "build_seconds": round(build_seconds, 1),
        "build_steps_seconds": build_steps,
        "total_seconds": round(time.perf_counter() - started, 1),
        # Other work on the machine skews the figures: the 1-minute load around the run.
        "load_average": {"before": load_before, "after": run.load_average()},
        "settings": {
            key: (str(value) if isinstance(value, Path) else value)
            for key, value in vars(args).items()
            if key not in {"output", "sqlite"}
        },
        "goals": {
            "pages": pages.GOALS,
            "tally_max_ratio_to_raw_sql": TALLY_GOAL,
            "ratio_job_max_ratio_to_fastest_sql": RATIO_GOAL,
            "vote_cpu_max_ratio_to_argon2": VOTE_CPU_GOAL,
            "certificate_median_s_below": certificate.GOAL_SECONDS,
        },
        "results": sections.results,
        "skipped": sections.skipped,
        "failures": sections.failures,
    }
    info = report["machine"]
    print()
    print(
        f"{info['cores']} cores ({info['cpu']}), Python {info['python']}, Django "
        f"{info['django']}, {info['database']}, {info['server']}; data set built in "
        f"{build_seconds:.0f} s, whole run {report['total_seconds']:.0f} s"
    )
    earlier = scale_one_queries(args)
    print(render_table(report, earlier))
    print(f"Load average (1 min) before / after: {load_before} / {report['load_average']['after']}")
    for name, reason in sections.skipped.items():
        print(f"Skipped: {name}: {reason.rstrip('.')}.")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    shown = args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output
    print(f"Written to {shown}")
    return 1 if sections.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
