"""Settings of the benchmark: the portal's own, on the benchmark database, plus the floor view.

The database is BENCH_DATABASE_URL (a PostgreSQL database that bench/suite.py creates) or,
by default, the SQLite file bench/bench.sqlite3; never the portal's own database.
"""

import warnings
from pathlib import Path

from cos_portal.settings.base import *  # noqa: F403
from cos_portal.settings.base import DATABASES, PASSWORD_HASHERS, REDIS_URL, env, without_jit

BENCH_DIR = Path(__file__).resolve().parent
BENCH_SQLITE = BENCH_DIR / "bench.sqlite3"

_portal = DATABASES["default"]
_bench = env.db("BENCH_DATABASE_URL", default=f"sqlite:///{BENCH_SQLITE}")
# Same connection behaviour as the portal's database, on another database.
for _key in ("ATOMIC_REQUESTS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
    if _key in _portal:
        _bench[_key] = _portal[_key]
if _bench["ENGINE"] == _portal["ENGINE"] and _portal.get("OPTIONS"):
    _bench["OPTIONS"] = {**_portal["OPTIONS"], **_bench.get("OPTIONS", {})}
# Persistent connections, as production runs (.env.example: DJANGO_CONN_MAX_AGE=60):
# otherwise every signed-in or uncached request would also pay for a new PostgreSQL backend.
_bench["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES = {"default": without_jit(_bench)}

ROOT_URLCONF = "bench.urls"

# Nothing is collected for the benchmark: whitenoise serves the static files from the
# apps' folders (the check-in page's script, for Chromium on a phone's screen).
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", "No directory at", UserWarning)

# The cache is Redis, as in production, when the benchmark gives one (bench/suite.py sets
# REDIS_URL to BENCH_REDIS_URL, its own database: "cold" requests flush it). The jobs stay
# eager, as in development: no worker runs beside the benchmark.
if REDIS_URL:
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True

# Mail is kept in memory: the applications of the data set send their receipts.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Argon2 as in production, each check's CPU time noted by the gunicorn workers when the
# benchmark asks (bench/hashers.py): the vote's rush compares it with the server's CPU.
PASSWORD_HASHERS = ["bench.hashers.NotedArgon2PasswordHasher", *PASSWORD_HASHERS[1:]]
