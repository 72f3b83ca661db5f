"""Benchmark of the check-in app's sync (A2): a phone's queue of 300 check-ins sent at once.

``measure_sync`` (run by bench/suite.py right after the check-in section, on the same
gunicorn and data set) signs in as an organiser of the activity the way a phone holds its
session (a session cookie, the CSRF token read from the check-in page), builds ``n``
queued taps on people of the roster, POSTs them to the sync over HTTP, then sends the
same batch again (a phone that did not get the answer: every action a duplicate).

Its queries are counted in-process (Django's test client on the same database), for a
batch of 30 and one of 300 fresh taps: the sync reads and writes in bulk, so the two
match, on PostgreSQL as on SQLite (whose own limit of bound variables the portal uses,
core/apps.py).

Goal (printed, not asserted): the 300 check-ins synced under 1 s, queries constant.
"""

from __future__ import annotations

import datetime
import http.client
import json
import random
import re
import time
import uuid
from urllib.parse import urlsplit

GOAL_MS = 1000.0
QUERY_SIZES = (30, 300)


def _session_cookie(organiser) -> str:
    """A signed-in session of ``organiser`` in the database, as a phone's browser holds it
    (bench/checkin.py's ``measure_browser`` does the same for Chromium)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(organiser.pk)
    session[BACKEND_SESSION_KEY] = "core.auth_backends.PortalModelBackend"
    session[HASH_SESSION_KEY] = organiser.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _request(base_url: str, method: str, path: str, *, headers: dict, body: bytes | None = None):
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        return response, content, time.perf_counter() - started
    finally:
        connection.close()


def _csrf(base_url: str, path: str, cookie: str) -> tuple[str, str]:
    """The CSRF cookie and token of the check-in page (the cookie is HttpOnly: the app
    reads the token from the page, as its forms do)."""
    from django.conf import settings

    response, content, _seconds = _request(base_url, "GET", path, headers={"Cookie": cookie})
    if response.status != 200:
        raise SystemExit(f"The check-in page answered {response.status}.")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
    cookies = response.headers.get_all("Set-Cookie") or []
    name = settings.CSRF_COOKIE_NAME
    value = next(
        (c.split(";", 1)[0].split("=", 1)[1] for c in cookies if c.startswith(name + "=")), None
    )
    if token is None or value is None:
        raise SystemExit("The check-in page gave no CSRF token.")
    return f"{name}={value}", token.group(1).decode()


def _actions(people: list[int], n: int, rng: random.Random, now: datetime.datetime) -> list[dict]:
    """``n`` taps as a phone queues them: each with its id and its time within the last
    hour, people drawn from the roster (some twice when it is short)."""
    chosen = rng.sample(people, n) if n <= len(people) else [rng.choice(people) for _ in range(n)]
    choices = ["present", "present", "present", "absent", "excused"]
    return [
        {
            "id": str(uuid.uuid4()),
            "at": (now - datetime.timedelta(seconds=3600 - index)).isoformat(),
            "offline": True,
            "person": person,
            "attendance": rng.choice(choices),
        }
        for index, person in enumerate(chosen)
    ]


def _queries(client, url: str, actions: list[dict]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, json.dumps({"actions": actions}), "application/json")
    if response.status_code != 200:
        raise SystemExit(f"The sync answered {response.status_code} in-process.")
    return len(queries.captured_queries)


def measure_sync(base_url: str, activity_id: int, *, n: int = 300, seed: int = 0) -> dict:
    """The sync of ``n`` queued taps through ``base_url`` (a server on the benchmark's
    database), its replay, and its queries at 30 and 300 actions in-process."""
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from activities import selectors
    from activities.models import Activity
    from bench.checkin import _organiser

    activity = Activity.objects.get(pk=activity_id)
    organiser = _organiser(activity)
    people = [person.id for person in selectors.checkin_people(activity=activity)]
    if not people:
        raise SystemExit("The activity has nobody on its roster.")
    rng = random.Random(seed)
    url = reverse("activities:checkin_sync", args=[activity.pk])
    page = reverse("activities:checkin", args=[activity.pk])

    session = _session_cookie(organiser)
    csrf_cookie, token = _csrf(base_url, page, session)
    headers = {
        "Cookie": f"{session}; {csrf_cookie}",
        "X-CSRFToken": token,
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    body = json.dumps({"actions": _actions(people, n, rng, timezone.now())}).encode()
    response, content, seconds = _request(base_url, "POST", url, headers=headers, body=body)
    if response.status != 200:
        raise SystemExit(f"The sync answered {response.status}: {content[:300]!r}")
    answer = json.loads(content)
    outcomes: dict[str, int] = {}
    for result in answer["results"]:
        outcomes[result["outcome"]] = outcomes.get(result["outcome"], 0) + 1
    response, replayed, replay_seconds = _request(base_url, "POST", url, headers=headers, body=body)
    if response.status != 200:
        raise SystemExit(f"The replay answered {response.status}.")
    replay_outcomes: dict[str, int] = {}
    for result in json.loads(replayed)["results"]:
        replay_outcomes[result["outcome"]] = replay_outcomes.get(result["outcome"], 0) + 1

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(organiser)
    # Both sizes from the same state and with the same mix (half of the people the sync
    # above checked in, half without any participation: updates and inserts in each batch), each
    # rolled back: the counts differ only if the number of actions changes them.
    checked = sorted(
        {result["person"] for result in answer["results"] if result["outcome"] == "applied"}
    )
    participants = set(activity.participations.values_list("user_id", flat=True))
    unchecked = sorted(set(people) - participants)
    # Taps made after every check-in so far: all applied, none superseded, at both sizes.
    later = timezone.now() + datetime.timedelta(hours=1)
    counted = {}
    for size in QUERY_SIZES:
        mixed = checked[: size // 2] + unchecked[: size - size // 2]
        with transaction.atomic():
            counted[size] = _queries(client, url, _actions(mixed, size, rng, later))
            transaction.set_rollback(True)
    return {
        "actions": n,
        "people": len(people),
        "sync_ms": round(seconds * 1000, 1),
        "replay_ms": round(replay_seconds * 1000, 1),
        "per_action_ms": round(seconds * 1000 / n, 3),
        "bytes": len(body),
        "response_bytes": len(content),
        "outcomes": outcomes,
        "replay_outcomes": replay_outcomes,
        "queries_30": counted[30],
        "queries_300": counted[300],
        "constant": counted[30] == counted[300],
        "database": connection.vendor,
        "goal_ms": GOAL_MS,
    }
