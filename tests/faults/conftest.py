"""Fixtures of the fault tests: real Redis, SMTP and Celery worker processes to break.

Every test here is an integration test (skipped without REDIS_URL locally; CI always sets
it) and needs PostgreSQL: the worker process works on the test database itself, so the
tests use ``@pytest.mark.django_db(transaction=True)``. On SQLite they are skipped, except
under CI=true where a missing PostgreSQL fails them.

    redis_server            its own redis-server: .port, .url(db=0), .stop(), .kill(),
                            .start(), .running
    smtp_server             aiosmtpd on a free port: .messages, .url, .wait_for(count,
                            timeout), .hold_after(n), .release(), .held, .wait_held(count)
    celery_worker_process   start(*, broker_url, env=None, concurrency=1) -> WorkerProcess
                            (.kill(), .stop(), .pid, .log())
    celery_publishing_to    (broker_url) -> this process's Celery app publishes there
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from .processes import RedisServer, SmtpServer, WorkerProcess, database_url

HERE = Path(__file__).resolve().parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}  # as tests/conftest.py


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # Before tests/conftest.py's hook, which skips the integration tests without REDIS_URL.
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(autouse=True)
def _needs_postgresql(request):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    reason = "fault tests need PostgreSQL: the worker process shares the test database"
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path, settings, request):
    """``start(*, broker_url, env=None, concurrency=1)``: a Celery worker subprocess on the
    test database, waited for until ready; every worker started is killed at teardown
    (before the database is flushed)."""
    from django.db import connection

    workers: list[WorkerProcess] = []
    smtp = request.getfixturevalue("smtp_server") if "smtp_server" in request.fixturenames else None

    def start(*, broker_url: str, env: dict | None = None, concurrency: int = 1) -> WorkerProcess:
        environment = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTEST_", "DJANGO_", "CELERY_")) and k != "EMAIL_URL"
        }
        environment.update(
            DJANGO_SETTINGS_MODULE="cos_portal.settings.base",
            DATABASE_URL=database_url(connection.settings_dict),
            REDIS_URL=broker_url,
            DJANGO_SECRET_KEY=settings.SECRET_KEY,
            PYTHONUNBUFFERED="1",
        )
        if smtp is not None:
            environment["EMAIL_URL"] = smtp.url
        environment.update(env or {})
        worker = WorkerProcess(
            env=environment,
            log_path=tmp_path / f"worker-{len(workers) + 1}.log",
            concurrency=concurrency,
        )
        workers.append(worker)
        return worker.wait_ready()

    try:
        yield start
    finally:
        for worker in workers:
            worker.kill()


@pytest.fixture
def celery_publishing_to():
    """``(broker_url)``: this process's Celery app publishes to that broker for real (not
    eagerly) until the end of the test."""
    from cos_portal.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    pointed: list[str] = []

    def point(broker_url: str) -> None:
        app.conf.broker_url = broker_url
        app.conf.task_always_eager = False
        pointed.append(broker_url)
        _pools_reset(app)

    try:
        yield point
    finally:
        for broker_url in pointed:
            _pools_close(app, broker_url)
        app.conf.broker_url, app.conf.task_always_eager = saved
        _pools_reset(app)


def _pools_reset(app) -> None:
    # As after a fork (and as tests/conftest.py's celery_broker_down does): the next
    # publish takes the pools of the broker now configured.
    app._pool = None
    app.amqp._producer_pool = None


def _pools_close(app, broker_url: str) -> None:
    """Close the connections to a broker the test started, and forget its pools (kombu
    keeps them in process-wide registries, keyed by URL: a later test on the same port
    would get a closed pool)."""
    from kombu import pools
    from kombu.utils.collections import eqhash

    connection = app.connection_for_write(broker_url)
    try:
        for group in (pools.producers, pools.connections):
            pool = dict.pop(group, eqhash(connection), None)
            if pool is not None:
                with contextlib.suppress(Exception):
                    pool.force_close_all()
    finally:
        connection.release()
