"""Argon2 as the portal checks passwords, with the CPU time of each check written down.

The vote's rush compares the server's CPU per ballot with Argon2's. Argon2 checked alone,
in the benchmark's own process once the rush is over, runs on a quiet machine; the
server's checks run while both cores are busy, where the same work might cost more CPU
time. So the gunicorn workers also note the CPU time of each check they make: one line per
check, in a file of their process under ``BENCH_ARGON2_DIR`` (run.Server sets it), and
bench/elections.py adds them up. Nothing is noted when the variable is not set.
"""

import os
import time
from pathlib import Path

from django.contrib.auth.hashers import Argon2PasswordHasher

ARGON2_DIR_VARIABLE = "BENCH_ARGON2_DIR"


class NotedArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (same algorithm name, same parameters, same hashes)."""

    def verify(self, password, encoded):
        started = time.process_time()
        try:
            return super().verify(password, encoded)
        finally:
            _note(time.process_time() - started)


def _note(seconds: float) -> None:
    folder = os.environ.get(ARGON2_DIR_VARIABLE)
    if folder:
        with open(Path(folder) / f"{os.getpid()}.txt", "a") as notes:
            notes.write(f"{seconds:.6f}\n")


def noted_checks(folder: str | Path) -> tuple[int, float]:
    """The checks noted under ``folder``: how many, and their CPU seconds in all."""
    count, total = 0, 0.0
    for notes in Path(folder).glob("*.txt"):
        for line in notes.read_text().split():
            count += 1
            total += float(line)
    return count, total


def forget_checks(folder: str | Path) -> None:
    """Start counting afresh (the rush's checks only, not the warm-up's)."""
    for notes in Path(folder).glob("*.txt"):
        notes.unlink(missing_ok=True)
