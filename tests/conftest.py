"""Fixtures shared by the whole suite.

In CI (CI=true) a missing PostgreSQL, Redis or Chromium fails the run: those tests
never skip there. Locally, without REDIS_URL, the integration tests are skipped.
"""

import os

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


# `make test`'s second pass (Makefile, test:), on the embedded default: the tests of
# SQLite alone, and those that prove a query the same on both databases.
SQLITE_PASS = "sqlite or every_database"


def _sqlite_pass(config) -> bool:
    return config.getoption("markexpr", "") == SQLITE_PASS


def pytest_sessionstart(session):
    if not IN_CI or _sqlite_pass(session.config):
        return
    problems = []
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        problems.append("DATABASE_URL does not point to PostgreSQL")
    if not os.environ.get("REDIS_URL"):
        problems.append("REDIS_URL is not set")
    if problems:
        pytest.exit("CI needs the real services: " + "; ".join(problems), returncode=3)


def pytest_collection_modifyitems(config, items):
    # The tests of the embedded SQLite default (make run) run in a pass of their own on
    # SQLite (Makefile, test:): left out of a run on PostgreSQL, not skipped.
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        left_out = [item for item in items if "sqlite" in item.keywords]
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = [item for item in items if "sqlite" not in item.keywords]
    # Every test on a transactional database restores the migrations' data by serialized
    # rollback, as the browser tests do. Mixing the two kinds breaks on PostgreSQL: a plain
    # flush lets post_migrate recreate the content types under new ids, and the next
    # serialized restore then collides with them.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if "transactional_db" in item.fixturenames or (
            marker is not None and marker.kwargs.get("transaction")
        ):
            kwargs = dict(marker.kwargs) if marker is not None else {}
            item.add_marker(
                pytest.mark.django_db(
                    **{**kwargs, "transaction": True, "serialized_rollback": True}
                ),
                append=False,  # the closest marker wins over the test's own
            )
    if os.environ.get("REDIS_URL"):
        return
    skip = pytest.mark.skip(reason="integration test: set REDIS_URL to run it")
    for item in items:
        if "integration" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _keep_test_connections_open():
    """Closing a served file response ends the request, and Django then closes any
    connection whose autocommit differs from the settings: on PostgreSQL, the one holding
    the test's transaction. A connection inside an atomic block is never closed in tests."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    original = BaseDatabaseWrapper.close_if_unusable_or_obsolete

    def close_unless_in_atomic_block(self):
        if not self.in_atomic_block:
            original(self)

    BaseDatabaseWrapper.close_if_unusable_or_obsolete = close_unless_in_atomic_block
    yield
    BaseDatabaseWrapper.close_if_unusable_or_obsolete = original


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def celery_live_worker(transactional_db):
    """A real Celery worker consuming the Redis broker, in a thread of this process.

    Each xdist worker has its own Redis database (cos_portal/settings/test.py), so a
    worker never runs the tasks another test process sent.
    """
    from celery.contrib.testing import tasks  # noqa: F401  (registers celery.ping)
    from celery.contrib.testing.worker import start_worker

    from cos_portal.celery import app

    assert settings.REDIS_URL, "integration tests need REDIS_URL"
    assert app.conf.broker_url == settings.REDIS_URL
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", loglevel="WARNING", perform_ping_check=True) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


def _celery_pools_reset(app) -> None:
    # As after a fork: the next publish opens a connection to the broker now configured.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_broker_down():
    """Celery publishing for real (not eagerly) to a closed port: Redis is down.

    Yields a function that brings the broker back (the real Redis of REDIS_URL, or the
    in-memory transport without it), for tests of the outbox re-send.
    """
    from cos_portal.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    _celery_pools_reset(app)

    def broker_back(*, eager: bool = True) -> None:
        app.conf.broker_url = saved[0]
        app.conf.task_always_eager = eager
        _celery_pools_reset(app)

    try:
        yield broker_back
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        _celery_pools_reset(app)


@pytest.fixture(autouse=True)
def _every_mail_leaves_through_the_funnel():
    """The mail funnel (core/emails.py) is patched for every test of the suite: each mail a
    test makes the portal send, whatever its kind, must be one the funnel built (and so
    marked Auto-Submitted). No path of the portal sends around it."""
    from django.core import mail

    from core import emails

    original = emails.email_build
    mark = object()  # the test outbox keeps a copy of each mail, with its attributes

    def recording(message, **kwargs):
        email = original(message, **kwargs)
        email.built_by_the_funnel = id(mark)
        return email

    # Its own patcher: a test that undoes its monkeypatch fixture keeps this one.
    with pytest.MonkeyPatch.context() as patcher:
        patcher.setattr(emails, "email_build", recording)
        yield
    around = [
        message.subject
        for message in getattr(mail, "outbox", [])
        if getattr(message, "built_by_the_funnel", None) != id(mark)
        or message.extra_headers.get("Auto-Submitted") != emails.AUTO_SUBMITTED["Auto-Submitted"]
    ]
    assert around == [], f"sent around the mail funnel (core/emails.py): {around}"
