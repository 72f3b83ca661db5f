"""The public pages rendered without the cache, against the SQL they run and the floor.

A visitor meets an uncached page after any change: every status or profile change leaves
the cached public pages behind (core/public_cache.py). For each page, in-process (django
Client, bench.settings, the data set already built by the caller):

- cold ms: the median of requests each preceded by ``cache.clear()``;
- warm ms: the median of requests served from the cache;
- raw SQL ms: the statements of one cold request (CaptureQueriesContext) replayed through
  a cursor, each fetched whole: the median of the replays;
- floor ms: the trivial view through the whole middleware stack (needs BENCH_FLOOR=1);
- queries of a cold request and bytes of the body.

    python bench/public_cold.py --organisations 2000   # PostgreSQL cos_bench_public, Redis 11

The goal: cold within 3x of its raw SQL and within 5x of the floor.
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

RAW_GOAL = 3.0
FLOOR_GOAL = 5.0
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/cos_bench_public"
DEFAULT_REDIS = "redis://127.0.0.1:6379/11"
# Transaction control is not part of a page's reading: the replay runs in one transaction.
_TRANSACTION_PREFIXES = (
    "SAVEPOINT",
    "RELEASE SAVEPOINT",
    "ROLLBACK TO SAVEPOINT",
    "BEGIN",
    "COMMIT",
)


def choose_pages() -> list[tuple[str, str]]:
    """(name, path) of the public pages, as bench/run.py chooses them, plus the CSV exports."""
    from django.urls import NoReverseMatch, reverse

    from bench.run import choose_pages as run_pages

    pages = [(name, path) for name, path in run_pages() if name != "floor"]
    for name, url_name in (
        ("open data, CSV", "directory_csv"),
        ("open data, CSV fr", "directory_csv_fr"),
    ):
        try:
            pages.append((name, reverse(url_name)))
        except NoReverseMatch:
            continue
    return pages


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _timed_get(client, path: str) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.get(path)
    if response.streaming:
        b"".join(response.streaming_content)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return elapsed, response


def _body(response) -> bytes:
    return response.getvalue() if response.streaming else response.content


def cold_ms(client, path: str, repeat: int) -> float:
    from django.core.cache import cache

    samples = []
    for _ in range(repeat):
        cache.clear()
        samples.append(_timed_get(client, path)[0])
    return _median_ms(samples)


def warm_ms(client, path: str, repeat: int) -> float:
    _timed_get(client, path)  # stores the page
    return _median_ms([_timed_get(client, path)[0] for _ in range(repeat)])


def captured_cold(client, path: str):
    """The SQL statements of one cold request, and its response."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
        body = _body(response)
    return [query["sql"] for query in context.captured_queries], response, body


def raw_sql_ms(statements: list[str], repeat: int) -> float:
    """The statements replayed through a cursor, each result fetched whole."""
    from django.db import connection, transaction

    statements = [s for s in statements if not s.lstrip().upper().startswith(_TRANSACTION_PREFIXES)]
    samples = []
    for _ in range(repeat):
        with transaction.atomic():
            started = time.perf_counter()
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    if cursor.description is not None:
                        cursor.fetchall()
            samples.append(time.perf_counter() - started)
    return _median_ms(samples)


def measure(pages=None, repeat: int = 30) -> list[dict]:
    """One row per page: cold, warm, raw SQL and floor medians (ms), queries and bytes.

    ``pages``: (name, path) pairs, by default ``choose_pages()``; ``repeat``: requests (and
    replays) per median. Needs BENCH_FLOOR=1 (the floor's URL) and the data set built."""
    from django.test import Client
    from django.urls import reverse

    pages = pages if pages is not None else choose_pages()
    client = Client(SERVER_NAME="127.0.0.1")
    floor_path = reverse("bench_floor")
    for _name, path in pages:  # first requests: imports, templates and URL resolvers load
        _timed_get(client, path)
    _timed_get(client, floor_path)
    floor = _median_ms([_timed_get(client, floor_path)[0] for _ in range(max(repeat, 30))])
    rows = []
    for name, path in pages:
        statements, _response, body = captured_cold(client, path)
        cold = cold_ms(client, path, repeat)
        warm = warm_ms(client, path, repeat)
        raw = raw_sql_ms(statements, repeat)
        rows.append(
            {
                "name": name,
                "path": path,
                "warm_ms": round(warm, 2),
                "cold_ms": round(cold, 2),
                "raw_sql_ms": round(raw, 2),
                "floor_ms": round(floor, 2),
                "queries": len(statements),
                "bytes": len(body),
                "ratio_raw": round(cold / raw, 2) if raw else None,
                "ratio_floor": round(cold / floor, 2) if floor else None,
            }
        )
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| page | queries | bytes | warm ms | cold ms | raw SQL ms | floor ms | cold/raw | cold/floor |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['queries']} | {row['bytes']} | {row['warm_ms']:.2f} "
            f"| {row['cold_ms']:.2f} | {row['raw_sql_ms']:.2f} | {row['floor_ms']:.2f} "
            f"| {row['ratio_raw']:.2f} | {row['ratio_floor']:.2f} |"
        )
    return "\n".join(lines)


def goal_line(rows: list[dict]) -> str:
    missed = [
        row["name"]
        for row in rows
        if row["ratio_raw"] > RAW_GOAL or row["ratio_floor"] > FLOOR_GOAL
    ]
    verdict = "met" if not missed else f"NOT met ({', '.join(missed)})"
    return f"Goal: cold within {RAW_GOAL:g}x of its raw SQL and {FLOOR_GOAL:g}x of the floor: {verdict}."


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep-data", action="store_true", help="reuse the data set")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["BENCH_FLOOR"] = "1"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

    from bench.run import build_data, database_description, prepare_database

    prepare_database(keep=args.keep_data)
    import django

    django.setup()
    counts, seconds = build_data(args)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum does for a database in use
    print(f"Data set: {counts} in {seconds:.1f} s, {database_description()}", flush=True)
    rows = measure(repeat=args.repeat)
    print(table(rows))
    print(goal_line(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
