"""The whole benchmark in one run (`make bench`): one data set, every measurement, one table.

    make bench                                   # SQLite: bench/bench.sqlite3
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cos_bench make bench

1. Rebuilds the benchmark database (PostgreSQL when BENCH_DATABASE_URL is set, its name
   containing "bench"; SQLite otherwise) and builds the data set once: 2,000
   organisations with their people (bench/data.py), 3,000 activities over five years and
   300,000 attendance rows (bench/attendance.py), an election open to 200 voters and a
   closed one holding 5,000 ballots (bench/elections.py).
2. Measures, in the same run, each against its reference:
   - the public directory and organisation pages against the floor (a trivial view
     through the same middleware and gunicorn): median, p95, requests/s, queries (run.py);
   - the attendance ratio task against the single raw SQL aggregate, and a check-in tap;
   - the election: 200 voters in a 2-minute window (median of the answers, errors) and
     the tally (queries for 5,000 ballots against 1 ballot, time against raw SQL);
   - the deadline engine (queries at 200 and 2,000 organisations), when
     bench/deadlines.py is there;
   - the charter signature certificate (WeasyPrint and pyHanko).
3. Prints one table and writes bench/results/latest.json (machine, data set, settings,
   every figure). Ratios and goals are printed, never asserted: a measurement, not a test
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

PAGE_GOAL = 2.0  # cached public pages within 2x of the floor (3x for every page)
EXPORT_GOAL = 3.0  # the open-data export, whose time is set by its size
EXPORT_PAGES = {"open data, JSON"}
JOB_GOAL = 3.0  # jobs within 3x of their raw SQL
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
    add("--voters", type=int, default=200)
    add("--window", type=float, default=120.0, help="seconds of the voting window")
    add("--threads", type=int, default=16, help="client threads of the voting window")
    add("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    add("--requests", type=int, default=200, help="per page and per mode")
    add("--warmup", type=int, default=20, help="requests before measuring a page")
    add("--concurrency", type=int, default=4, help="threads of the concurrent page mode")
    add("--time-budget", type=float, default=30.0, help="seconds at most per page series")
    add("--repeat", type=int, default=5, help="timed runs of the ratio task and the tally")
    add("--taps", type=int, default=200, help="check-in taps timed")
    add("--certificate-runs", type=int, default=10)
    add("--deadline-organisations", type=int, default=None, help="default: --organisations")
    add("--seed", type=int, default=2026)
    add("--sqlite", type=Path, default=ROOT / "bench" / "bench.sqlite3", help="without PG")
    add("--output", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    add("--tiny", action="store_true", help="a tiny data set and short series (the test)")
    args = parser.parse_args(argv)
    if args.tiny:
        given = {a.lstrip("-").split("=")[0].replace("-", "_") for a in argv if a.startswith("--")}
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
    if os.environ.get("BENCH_DATABASE_URL"):
        from bench.run import prepare_database

        prepare_database(keep=False)
    else:
        args.sqlite.unlink(missing_ok=True)
        os.environ["BENCH_DATABASE_URL"] = f"sqlite:///{args.sqlite.resolve()}"


def build(args) -> tuple[dict, dict, float]:
    """The data set, once; returns its counts, the election states, and the seconds."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench import attendance, elections
    from bench.data import build as build_registry

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    now = timezone.now().replace(microsecond=0)
    counts = build_registry(organisations=args.organisations, seed=args.seed, now=now)
    counts.update(attendance.build_activities(args, now))
    states = {
        "voting": elections.build_voting(voters=args.voters, seed=args.seed),
        "tally": elections.build_tally(ballots=args.ballots, seed=args.seed),
    }
    counts["ballots"] = args.ballots
    counts["voters"] = args.voters
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return counts, states, time.perf_counter() - started


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


def measure_web(args, states) -> dict:
    """The pages against the floor, then the voting window, on one gunicorn."""
    from django.db import connections

    from bench import elections, run

    pages = run.choose_pages()
    queries = {path: run.count_queries(path) for _, path in pages}
    connections.close_all()  # gunicorn's workers open their own connections
    with run.Server(workers=args.workers) as server:
        page_rows = run.measure(server, pages, queries, args)
        voting = elections.measure_voting(
            server.port,
            states["voting"],
            window=args.window,
            threads=args.threads,
            seed=args.seed,
            server_pid=server.process.pid,
        )
    voting["argon2_cpu_ms"] = round(elections.argon2_cpu_ms(), 1)
    return {"pages": page_rows, "voting": voting}


def measure_attendance(args) -> dict:
    from bench import attendance

    ratio = attendance.measure_ratio(args)
    tap_ms, roster = attendance.measure_tap(args)
    task_ms, raw_ms = ratio["task"] * 1000, ratio["raw"] * 1000
    return {
        "members": ratio["members"],
        "queries": list(ratio["queries"]),
        "task_median_ms": round(task_ms, 2),
        "raw_sql_median_ms": round(raw_ms, 2),
        "ratio_to_raw_sql": round(task_ms / raw_ms, 2) if raw_ms else None,
        "tap_median_ms": round(tap_ms, 2),
        "tap_roster": roster,
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


def _page_goal(row) -> str:
    goal = EXPORT_GOAL if row["page"] in EXPORT_PAGES else PAGE_GOAL
    return f"≤ {goal:g}x: {_verdict(row['ratio_to_floor'] <= goal)}"


def rows(report: dict) -> list[list[str]]:
    """The table's rows: measure, median, p95, req/s, queries, reference, ratio, goal."""
    results = report["results"]
    table = []
    web = results.get("web") or {}
    pages = web.get("pages") or []
    for row in pages:
        seq = row["sequential"]
        is_floor = row["page"] == "floor"
        table.append(
            [
                "floor (trivial view, same stack)" if is_floor else f"page: {row['page']}",
                _f(seq["median_ms"], " ms"),
                _f(seq["p95_ms"], " ms"),
                _f(seq["rps"], "", 0),
                _f(row["queries"]),
                "—" if is_floor else f"floor {row['paired_floor_median_ms']:.1f} ms",
                "—" if is_floor else f"{row['ratio_to_floor']:.2f}x",
                "—" if is_floor else _page_goal(row),
            ]
        )
    att = results.get("attendance")
    if att:
        ratio = att["ratio_to_raw_sql"]
        table.append(
            [
                f"attendance ratio task ({att['members']:,} members)",
                _f(att["task_median_ms"], " ms"),
                "—",
                "—",
                _f(att["queries"][-1]),
                f"raw SQL {att['raw_sql_median_ms']:.1f} ms",
                f"{ratio:.2f}x",
                f"≤ {JOB_GOAL:g}x: {_verdict(ratio <= JOB_GOAL)}",
            ]
        )
        table.append(
            [
                f"check-in tap (roster of {att['tap_roster']})",
                _f(att["tap_median_ms"], " ms"),
                "—",
                "—",
                "—",
                "—",
                "—",
                f"< 50 ms: {_verdict(att['tap_median_ms'] < 50)}",
            ]
        )
    voting = web.get("voting")
    if voting:
        table.append(
            [
                f"vote: {voting['voters']} voters in {voting['window_seconds']:.0f} s, all answers",
                _f(voting["all"]["median_ms"], " ms"),
                _f(voting["all"]["p95_ms"], " ms"),
                "—",
                "—",
                f"{voting['errors']} errors, {voting['ballots']} ballots",
                "—",
                f"< 100 ms, no error: {_verdict(voting['goal']['met'])}",
            ]
        )
        labels = {
            "page": "vote: voting page",
            "review": "vote: review of the ballot",
            "confirm": "vote: confirmation (password, Argon2)",
        }
        for step, label in labels.items():
            data = voting["steps"][step]
            table.append(
                [label, _f(data["median_ms"], " ms"), _f(data["p95_ms"], " ms")] + ["—"] * 5
            )
        if voting.get("server_cpu_ms_per_voter") is not None:
            table.append(
                [
                    "vote: server CPU per voter (three requests)",
                    _f(voting["server_cpu_ms_per_voter"], " ms"),
                    "—",
                    "—",
                    "—",
                    f"Argon2 check alone {voting['argon2_cpu_ms']:.0f} ms",
                    "—",
                    "—",
                ]
            )
    tally = results.get("tally")
    if tally:
        table.append(
            [
                f"election tally ({tally['ballots']:,} ballots)",
                _f(tally["median_ms"], " ms"),
                "—",
                "—",
                _f(tally["queries"]),
                f"1 ballot: {tally['queries_one_ballot']} queries; "
                f"raw SQL {tally['raw_sql_median_ms']:.1f} ms",
                f"{tally['ratio_to_raw_sql']:.2f}x" if tally["ratio_to_raw_sql"] else "—",
                f"same queries: {_verdict(tally['constant'])}",
            ]
        )
    dead = results.get("deadlines")
    if dead:
        table.append(deadline_row(dead))
    elif "deadlines" in report.get("skipped", {}):
        table.append(["deadline engine"] + ["—"] * 6 + ["skipped"])
    cert = results.get("certificate")
    if cert:
        table.append(
            [
                f"charter certificate ({cert['pdf_kib']} KiB, sealed)",
                _f(cert["certificate"]["median_s"] * 1000, " ms", 0),
                _f(cert["certificate"]["p95_s"] * 1000, " ms", 0),
                "—",
                "—",
                f"render {cert['render']['median_s'] * 1000:.0f} ms + seal "
                f"{cert['seal']['median_s'] * 1000:.0f} ms",
                "—",
                f"< 2 s: {_verdict(cert['goal']['met'])}",
            ]
        )
    for name in report.get("failures", {}):
        table.append([name] + ["—"] * 6 + ["FAILED (see stderr)"])
    return table


def deadline_row(dead: dict) -> list[str]:
    """The deadline engine (bench/deadlines.py): queries of one pass per size, and the
    time of the pass at the largest size."""
    sizes = dead.get("sizes") or []
    queries = "; ".join(f"{row['organisations']:,} orgs: {row['queries']}" for row in sizes)
    largest = sizes[-1] if sizes else {}
    seconds = largest.get("seconds")
    reminders = largest.get("reminders")
    return [
        f"deadline engine, one pass ({largest.get('organisations', 0):,} organisations)",
        _f(seconds * 1000, " ms") if isinstance(seconds, int | float) else "—",
        "—",
        "—",
        queries or "—",
        f"{reminders:,} reminders sent" if isinstance(reminders, int) else "—",
        "—",
        f"same queries: {_verdict(dead.get('queries_constant'))}",
    ]


def render_table(report: dict) -> str:
    header = [
        "measure",
        "median",
        "p95",
        "req/s",
        "queries",
        "compared with",
        "ratio",
        "goal",
    ]
    lines = ["| " + " | ".join(header) + " |", "|---|--:|--:|--:|--:|---|--:|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows(report)]
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = list(argv if argv is not None else sys.argv[1:])
    args = parse_args(argv)
    started = time.perf_counter()
    prepare(args)

    import django

    django.setup()
    from bench import certificate, run

    print(f"Building the data set ({args.organisations:,} organisations)...", flush=True)
    counts, states, build_seconds = build(args)
    print(f"  {counts} in {build_seconds:.1f} s", flush=True)

    from bench import elections

    load_before = run.load_average()
    sections = Sections()
    sections.run("web", measure_web, args, states)
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
        "total_seconds": round(time.perf_counter() - started, 1),
        # Other work on the machine skews the figures: the 1-minute load around the run.
        "load_average": {"before": load_before, "after": run.load_average()},
        "settings": {
            key: (str(value) if isinstance(value, Path) else value)
            for key, value in vars(args).items()
            if key not in {"output", "sqlite"}
        },
        "goals": {
            "page_max_ratio_to_floor": PAGE_GOAL,
            "export_max_ratio_to_floor": EXPORT_GOAL,
            "job_max_ratio_to_raw_sql": JOB_GOAL,
            "vote_median_ms_below": elections.MEDIAN_GOAL_MS,
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
    print(render_table(report))
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
