"""Health of the parts the portal needs: database, Redis broker, Celery workers, and the
jobs waiting in the outbox while the broker was down."""

from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.db import connection


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means the database is down
        return f"error: {error.__class__.__name__}"
    return "ok"


def broker_state() -> str:
    if not settings.REDIS_URL:
        return "embedded"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


def celery_state(broker: str) -> str:
    if not settings.REDIS_URL:
        return "eager"
    if broker != "ok":
        return "error: broker unreachable"
    replies = current_app.control.ping(timeout=1.0)
    return "ok" if replies else "error: no worker answered"


def outbox_size() -> int | None:
    """Jobs waiting in the outbox for the broker (core/queue.py); None if unknown."""
    from .models import OutboxJob

    try:
        return OutboxJob.objects.count()
    except Exception:  # the database is down: database_state() already says so
        return None


# Configuration an app needs for one feature (the certificates' seal key...): each check
# returns a sentence when something is missing, None when all is well. Registered by the
# apps in AppConfig.ready(); a warning does not make the portal unhealthy.
_WARNING_CHECKS: dict[str, Callable[[], str | None]] = {}


def health_warning_register(name: str, check: Callable[[], str | None]) -> None:
    _WARNING_CHECKS[name] = check


def health_warnings() -> dict[str, str]:
    found = {name: check() for name, check in sorted(_WARNING_CHECKS.items())}
    return {name: message for name, message in found.items() if message}


def health_report() -> tuple[bool, dict]:
    broker = broker_state()
    report = {"database": database_state(), "broker": broker, "celery": celery_state(broker)}
    healthy = all(state in {"ok", "embedded", "eager"} for state in report.values())
    # Jobs kept while Redis was down: informative, they are re-sent once it is back.
    return healthy, {**report, "outbox": outbox_size(), "warnings": health_warnings()}
