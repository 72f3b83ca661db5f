"""Benchmark of the portal's public pages against the framework's floor (`make bench`).

1. Builds the data set (bench/data.py) in the benchmark database: bench/bench.sqlite3, or the
   PostgreSQL database of BENCH_DATABASE_URL, created here (its name must contain "bench":
   it is dropped and rebuilt on each run).
2. Counts the SQL queries of one request to each page, in-process, with
   CaptureQueriesContext on that same database.
3. Starts gunicorn on 127.0.0.1 (a free port, DJANGO_DEBUG=false, bench.settings) and, per
   page, sends a bounded number of requests after a warm-up: sequentially, then from a few
   threads at once; each series also stops at a time budget.
4. Prints a table (median and p95 latency, requests per second, queries, ratio to the
   floor), the goal line, and writes bench/results/pages.json (`make bench`, bench/suite.py,
   measures these pages along with the rest and writes bench/results/latest.json).

The floor is a trivial view through the portal's whole middleware stack (bench/views.py):
what any page costs before it does its own work.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The public pages (directory, organisation pages, referents, charter, open data) are
# served from the cache to anonymous visitors (core/public_cache.py): each within 2x
# of the floor's median latency, cache hits after the warm-up, as visitors mostly get them.
GOAL_RATIO = 2.0
# Measured for information, outside the goal: a bulk download (the whole directory, about
# a megabyte on 2,000 organisations) is bound by its size, not by the stack.
INFORMATIVE_PAGES = {"open data, JSON"}


def goal_rows(results) -> list[dict]:
    """The rows the goal applies to: every page but the floor and the informative ones."""
    return [row for row in results[1:] if row["page"] not in INFORMATIVE_PAGES]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--requests", type=int, default=200, help="per page and per mode")
    parser.add_argument("--warmup", type=int, default=20, help="requests before measuring")
    parser.add_argument("--concurrency", type=int, default=4, help="threads of the second mode")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--time-budget", type=float, default=60.0, help="seconds at most per page and mode"
    )
    parser.add_argument(
        "--keep-data", action="store_true", help="reuse the data set of the previous run"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "pages.json")
    return parser.parse_args(argv)


# --- the database ---------------------------------------------------------------------------


def prepare_database(*, keep: bool) -> None:
    """Start from an empty benchmark database (unless keep), creating it if needed."""
    import environ

    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        sqlite = ROOT / "bench" / "bench.sqlite3"
        if not keep:
            sqlite.unlink(missing_ok=True)
        return
    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        raise SystemExit("BENCH_DATABASE_URL: PostgreSQL or nothing (SQLite is the default).")
    name = config["NAME"]
    if "bench" not in name:
        raise SystemExit(
            f"Refusing to rebuild {name!r}: a benchmark database has 'bench' in its name."
        )
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists and keep:
            return
        if exists:
            connection.execute(
                sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
            )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def build_data(args) -> tuple[dict, float]:
    from django.core.management import call_command

    from bench.data import build
    from members.models import Organisation

    call_command("migrate", verbosity=0, interactive=False)
    if args.keep_data and Organisation.objects.exists():
        return {"organisations": Organisation.objects.count(), "reused": 1}, 0.0
    started = time.perf_counter()
    counts = build(organisations=args.organisations, seed=args.seed)
    return counts, time.perf_counter() - started


def database_description() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        major, rest = divmod(connection.pg_version, 10000)
        return f"PostgreSQL {major}.{rest}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


# --- the pages ------------------------------------------------------------------------------


def choose_pages() -> list[tuple[str, str]]:
    """(name, path) of the pages measured; the floor first."""
    from django.db.models import Count
    from django.urls import reverse

    from members import selectors
    from members.models import Representative

    # The listed organisation with the most representatives on its public page.
    busiest = (
        selectors.active_representatives()
        .filter(public_consent=True, organisation__in=selectors.directory_list().values("pk"))
        .values("organisation__slug")
        .annotate(total=Count("pk"))
        .order_by("-total", "organisation__slug")
        .first()
    )
    if busiest is None:
        raise SystemExit("The data set lists no organisation with a public representative.")
    assert Representative.objects.exists()
    directory = reverse("members:directory")
    return [
        ("floor", reverse("bench_floor")),
        ("directory", directory),
        ("directory, filtered", f"{directory}?q=robotique&department=57"),
        ("directory, page 40", f"{directory}?page=40"),
        ("organisation", reverse("members:organisation", args=[busiest["organisation__slug"]])),
        ("referents", reverse("commissions:referents")),
        ("charter", reverse("charters:current")),
        ("embedded directory", reverse("members:directory_embed")),
        ("open data, JSON", reverse("directory_json")),
    ]


def count_queries(path: str) -> tuple[int, int]:
    """SQL queries of one request to ``path`` (after a first one), and the cards it shows."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    client.get(path)  # first request: caches (content types, site, charter, page) warm up
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code} in-process.")
    cards = len(re.findall(r"<article[^>]*\borg-card\b", response.content.decode()))
    return len(context.captured_queries), cards


def count_uncached_queries(path: str) -> int:
    """SQL queries of ``path`` rendered anew: what a cache miss costs."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.public_cache import public_pages_changed

    client = Client(SERVER_NAME="127.0.0.1")
    public_pages_changed()
    with CaptureQueriesContext(connection) as context:
        client.get(path)
    return len(context.captured_queries)


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving the portal with the benchmark settings, as in production."""

    def __init__(self, *, workers: int):
        self.workers = workers
        self.port = free_port()
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in __exit__)
        self.process = None

    def __enter__(self):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_DEBUG": "false",
            "BENCH_FLOOR": "1",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        command = [
            sys.executable, "-m", "gunicorn", "cos_portal.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
            "--log-level", "warning", "--chdir", str(ROOT),
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            command, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if fetch(self.port, "/bench/floor")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        output = self.output()
        self.__exit__(None, None, None)
        raise SystemExit(f"gunicorn did not start:\n{output}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()[-4000:]

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def fetch(port: int, path: str) -> tuple[int, float]:
    """One GET on a new connection (gunicorn's sync workers close each one): status, seconds."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def summary(latencies: list[float], *, requests: int, wall: float) -> dict:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(statistics.quantiles(ordered, n=20, method="inclusive")[18] * 1000, 2),
        "rps": round(len(ordered) / wall, 1),
        "complete": len(ordered) == requests,
    }


def series(port: int, paths, *, requests: int, threads: int, budget: float) -> dict:
    """GET each of ``paths`` ``requests`` times, in turn, from ``threads`` threads.

    Stops early after ``budget`` seconds. Returns each path's latencies, and the wall time.
    """
    latencies: dict[str, list[float]] = {path: [] for path in paths}
    failures: list[tuple[str, int]] = []
    lock = threading.Lock()
    queue = [paths[index % len(paths)] for index in range(requests * len(paths))]
    queue.reverse()
    deadline = time.monotonic() + budget

    def worker():
        while time.monotonic() < deadline:
            with lock:
                if not queue:
                    return
                path = queue.pop()
            status, seconds = fetch(port, path)
            with lock:
                if status == 200:
                    latencies[path].append(seconds)
                else:
                    failures.append((path, status))

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} requests failed: {sorted(set(failures))}.")
    return {"latencies": latencies, "wall": wall}


def measure(server: Server, pages, queries, args) -> list[dict]:
    """Each page alone from 1 thread, then from ``concurrency`` threads.

    The ratio to the floor compares the page's median latency with the floor's, measured
    in the same sequential series (one floor request after each page request), so that
    other work on the machine weighs on both alike.
    """
    port, budget = server.port, args.time_budget
    floor_path = pages[0][1]
    results = []
    for name, path in pages:
        paths = [path] if path == floor_path else [path, floor_path]
        series(port, paths, requests=args.warmup, threads=1, budget=budget)
        run = series(port, paths, requests=args.requests, threads=1, budget=budget)
        sequential = summary(
            run["latencies"][path],
            requests=args.requests,
            # One client: its request rate is what the page alone would give it.
            wall=sum(run["latencies"][path]),
        )
        paired_floor = statistics.median(run["latencies"][floor_path]) * 1000
        run = series(port, [path], requests=args.requests, threads=args.concurrency, budget=budget)
        concurrent = summary(run["latencies"][path], requests=args.requests, wall=run["wall"])
        count, cards = queries[path]
        results.append(
            {
                "page": name,
                "path": path,
                "queries": count,
                "cards": cards,
                "sequential": sequential,
                "concurrent": concurrent,
                "paired_floor_median_ms": round(paired_floor, 2),
                "ratio_to_floor": round(sequential["median_ms"] / paired_floor, 2),
            }
        )
    floor = results[0]
    for row in results:
        row["concurrent_ratio_to_floor"] = round(
            floor["concurrent"]["rps"] / row["concurrent"]["rps"], 2
        )
    return results


# --- the report -----------------------------------------------------------------------------


def load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def machine(args) -> dict:
    import django
    import gunicorn

    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu": model or platform.processor(),
        "system": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database_description(),
        "server": f"gunicorn {gunicorn.__version__}, {args.workers} sync workers",
    }


def table(report: dict) -> str:
    concurrency = report["settings"]["concurrency"]
    lines = [
        f"| page | SQL queries (cache miss) | median ms | p95 ms | req/s | median ms ({concurrency} threads) "
        f"| p95 ms ({concurrency} threads) | req/s ({concurrency} threads) | x floor |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in report["results"]:
        seq, conc = row["sequential"], row["concurrent"]
        lines.append(
            f"| {row['page']} | {row['queries']} ({row.get('queries_uncached', '?')}) "
            f"| {seq['median_ms']:.1f} | {seq['p95_ms']:.1f} "
            f"| {seq['rps']:.0f} | {conc['median_ms']:.1f} | {conc['p95_ms']:.1f} "
            f"| {conc['rps']:.0f} | {row['ratio_to_floor']:.2f} |"
        )
    return "\n".join(lines)


def goal_line(results) -> str:
    pages = goal_rows(results)
    worst = max(pages, key=lambda row: row["ratio_to_floor"])
    verdict = "met" if worst["ratio_to_floor"] <= GOAL_RATIO else "NOT met"
    return (
        f"Goal: every public page within {GOAL_RATIO:g}x of the floor's median latency "
        f"(served from the cache): {verdict} "
        f"(slowest: {worst['page']}, {worst['ratio_to_floor']:.2f}x)."
    )


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["BENCH_FLOOR"] = "1"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

    prepare_database(keep=args.keep_data)
    import django

    django.setup()
    print(f"Building the data set ({args.organisations} organisations)...", flush=True)
    counts, build_seconds = build_data(args)
    print(f"  {counts} in {build_seconds:.1f} s", flush=True)

    pages = choose_pages()
    queries = {path: count_queries(path) for _, path in pages}
    uncached = {path: count_uncached_queries(path) for _, path in pages}
    from django.db import connections

    connections.close_all()

    print(f"Measuring {len(pages)} pages through gunicorn...", flush=True)
    load_before = load_average()
    started = time.perf_counter()
    with Server(workers=args.workers) as server:
        results = measure(server, pages, queries, args)
    for row in results:
        row["queries_uncached"] = uncached[row["path"]]
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(args),
        "data_set": counts,
        "build_seconds": round(build_seconds, 1),
        "measure_seconds": round(time.perf_counter() - started, 1),
        # Other work on the machine skews the figures: the 1-minute load around the run.
        "load_average": {"before": load_before, "after": load_average()},
        "settings": {
            "requests": args.requests,
            "warmup": args.warmup,
            "concurrency": args.concurrency,
            "time_budget_seconds": args.time_budget,
        },
        "goal": {"max_ratio_to_floor": GOAL_RATIO, "met": None},
        "results": results,
    }
    report["goal"]["met"] = all(row["ratio_to_floor"] <= GOAL_RATIO for row in goal_rows(results))
    report["goal"]["informative"] = sorted(INFORMATIVE_PAGES)

    info = report["machine"]
    print()
    print(
        f"{info['cores']} cores ({info['cpu']}), Python {info['python']}, Django {info['django']}, "
        f"{info['database']}, {info['server']}"
    )
    print(table(report))
    print(f"Load average (1 min) before / after: {load_before} / {report['load_average']['after']}")
    for row in results:
        if not (row["sequential"]["complete"] and row["concurrent"]["complete"]):
            print(f"  {row['page']}: stopped by the time budget before {args.requests} requests.")
    print(goal_line(results))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(
        f"Written to {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
