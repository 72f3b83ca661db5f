"""`make bench`'s orchestrator (bench/suite.py), run end to end on a tiny data set.

A subprocess, as `make bench` runs it: its own SQLite file (never BENCH_DATABASE_URL,
which it would rebuild), gunicorn on a free port, every section measured once or a few
times. Figures are not checked (a loaded machine makes them anything); the shape of the
report is, so that a change to a measured page, the vote or a job cannot silently break
the benchmark.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_whole_benchmark_runs_on_a_tiny_data_set(tmp_path):
    output = tmp_path / "latest.json"
    env = {k: v for k, v in os.environ.items() if k not in {"BENCH_DATABASE_URL"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(  # noqa: S603 (our interpreter, our script, fixed arguments)
        [
            sys.executable,
            str(ROOT / "bench" / "suite.py"),
            "--tiny",
            "--sqlite",
            str(tmp_path / "bench.sqlite3"),
            "--output",
            str(output),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(output.read_text())
    assert report["failures"] == {}
    assert report["machine"]["database"].startswith("SQLite")
    assert report["data_set"]["organisations"] == 40
    assert report["data_set"]["attendance rows"] > 0
    # What the build spends where (SQLite: no VACUUM ANALYZE), adding up to its total.
    steps = report["build_steps_seconds"]
    assert list(steps) == [
        "registry",
        "activities and attendance",
        "check-in and people",
        "deadlines",
        "applications",
        "election open",
        "election to tally",
    ]
    assert report["build_seconds"] == pytest.approx(sum(steps.values()), abs=0.1)
    results = report["results"]
    pages = results["pages"]
    names = {row["page"] for row in pages}
    assert {"directory", "organisation", "member dashboard", "COPIL cockpit"} <= names
    assert {"admin: organisations", "admin: participations", "admin: attendance ratios"} <= names
    assert any(name.startswith("check-in") for name in names)
    # The COPIL's paged lists and the activity form: their size and queries, no goal.
    informative = [row for row in pages if row["kind"] == "list"]
    assert {row["page"] for row in informative} == {
        "check-in: roster the app fetches (JSON)",
        "COPIL cockpit: panel of deadlines",
        "COPIL: deadlines overview",
        "COPIL: signature campaign",
        "COPIL member's dashboard",
        "activity form, new",
    }
    assert all(row["met"] is None and row["goal"] == "no goal" for row in informative)
    for row in pages:
        assert row["requests"] > 0 and row["bytes"] > 0, row
        assert row["warm_ms"] > 0 and row["cold_ms"] > 0 and row["floor_ms"] > 0, row
        assert row["raw_sql_ms"] > 0 and row["queries"] > 0, row
    # Served from the cache when warm: the public pages run no query then.
    assert next(row for row in pages if row["page"] == "directory")["queries_warm"] == 0
    voting = results["voting"]
    assert voting["errors"] == 0, voting["error_samples"]
    assert voting["ballots_stored"] == voting["ballots"] == voting["voters"] == 5
    assert voting["all"]["requests"] == 15  # page, review and confirmation for each voter
    assert voting["server_cpu_ms_per_ballot"] > 0 and voting["cpu_ratio_to_argon2"] > 0
    # The workers noted the one Argon2 check of each ballot (bench/hashers.py).
    assert voting["argon2_checks_in_server"] == 5
    assert voting["argon2_in_server_cpu_ms_per_ballot"] > 0
    assert voting["cpu_ratio_to_argon2_in_server"] > 0
    assert results["attendance"]["ratio_to_raw_sql"] > 0
    checking_in = results["checkin"]
    assert checking_in["tap_ms"] > 0 and checking_in["search_ms"] > 0
    assert checking_in["browser_interactive_ms"] > 0 and checking_in["browser_errors"] == []
    syncing = results["checkin_sync"]
    # The check-in section's taps just before are newer than the queue (an hour old):
    # the people it tapped keep them, their queued actions are superseded.
    assert set(syncing["outcomes"]) <= {"applied", "superseded"}
    assert sum(syncing["outcomes"].values()) == 30 and syncing["outcomes"]["applied"] > 0
    assert syncing["replay_outcomes"] == {"duplicate": 30}
    assert syncing["sync_ms"] > 0 and syncing["bytes"] > 0
    assert syncing["queries_30"] > 0 and syncing["queries_300"] > 0
    tally = results["tally"]
    assert tally["ballots"] == 50
    assert tally["constant"] is True  # the same queries for 50 ballots as for 1
    assert results["certificate"]["certificate"]["median_s"] > 0
    if "deadlines" not in report["skipped"]:
        assert results["deadlines"]
    # One table, every section in it.
    table = done.stdout
    assert "| measure | warm | cold | raw SQL | floor | queries | bytes | ratio | goal |" in table
    for label in (
        "page: directory",
        "page: COPIL cockpit",
        "check-in app: sync of 30 queued check-ins",
        "attendance ratio job",
        "vote:",
        "tally",
        "certificate",
    ):
        assert label in table
    assert "deadline engine" in table
