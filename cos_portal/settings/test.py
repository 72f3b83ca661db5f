"""Test settings: the base settings with quick password hashing and in-memory e-mail.

DATABASE_URL and REDIS_URL still decide between SQLite/PostgreSQL and
eager/real Celery, as in base.
"""

import os

from .base import *  # noqa: F403
from .base import PASSWORD_HASHERS

# Argon2 stays available (tests of the hasher set it explicitly); MD5 keeps the suite fast.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEBUG = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# Tasks run eagerly in ordinary tests; tests marked ``integration`` switch to the real
# Redis broker and start a Celery worker (tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = True
# One Redis database per pytest-xdist worker (gw0 -> 8, gw1 -> 9...), so that a test
# process's Celery worker never consumes the tasks of another process.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _XDIST_WORKER.startswith("gw"):  # noqa: F405
    REDIS_URL = f"{REDIS_URL.rsplit('/', 1)[0]}/{8 + int(_XDIST_WORKER[2:])}"  # noqa: F405
    CELERY_BROKER_URL = REDIS_URL
# The integration tests read their tasks' results (.get()); the portal itself never does,
# so it runs without a result backend (settings/base.py).
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"  # noqa: F405
CELERY_TASK_IGNORE_RESULT = False
# Each test starts with an empty local cache (rate limits, cached pages); the Redis
# cache is exercised by the integration tests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# force_login() in admin tests skips allauth's MFA stage: the staff MFA gate is off
# here and tests/security turn it on with the ``settings`` fixture.
MFA_REQUIRED_FOR_STAFF = False
