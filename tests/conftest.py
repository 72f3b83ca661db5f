"""Fixtures shared by the whole suite.

In CI (CI=true) a missing PostgreSQL, Redis or Chromium fails the run: those tests
never skip there. Locally, without REDIS_URL, the integration tests are skipped.
"""

import os

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_sessionstart(session):
    if not IN_CI:
        return
    problems = []
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        problems.append("DATABASE_URL does not point to PostgreSQL")
    if not os.environ.get("REDIS_URL"):
        problems.append("REDIS_URL is not set")
    if problems:
        pytest.exit("CI needs the real services: " + "; ".join(problems), returncode=3)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("REDIS_URL"):
        return
    skip = pytest.mark.skip(reason="integration test: set REDIS_URL to run it")
    for item in items:
        if "integration" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield


def _worker_redis_url(worker_id: str) -> str:
    """One Redis database per xdist worker, so a worker never runs another one's tasks."""
    if not worker_id.startswith("gw"):
        return settings.REDIS_URL
    base = (
        settings.REDIS_URL.rsplit("/", 1)[0]
        if settings.REDIS_URL.count("/") > 2
        else settings.REDIS_URL
    )
    return f"{base}/{8 + int(worker_id[2:])}"


@pytest.fixture
def celery_live_worker(transactional_db, worker_id, settings):
    """A real Celery worker consuming the Redis broker, in a thread of this process."""
    from celery.contrib.testing import tasks  # noqa: F401  (registers celery.ping)
    from celery.contrib.testing.worker import start_worker

    from cos_portal.celery import app

    assert settings.REDIS_URL, "integration tests need REDIS_URL"
    url = _worker_redis_url(worker_id)
    settings.REDIS_URL = url
    saved = (app.conf.broker_url, app.conf.result_backend)
    app.conf.update(task_always_eager=False, broker_url=url, result_backend=url)
    try:
        with start_worker(app, pool="solo", loglevel="WARNING", perform_ping_check=True) as worker:
            yield worker
    finally:
        app.conf.update(task_always_eager=True, broker_url=saved[0], result_backend=saved[1])
