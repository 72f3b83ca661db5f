"""Every page of the table, warm and cold, against its raw SQL and the floor.

For each page (public pages as an anonymous visitor; the check-in, the dashboards and the
admin lists signed in, with the session a browser would hold):

- **queries** and **bytes**: one request in-process (Django's test client on the
  benchmark database), its SQL captured; the cold request's count, and the warm one's when
  it differs (a public page served from the cache runs none);
- **raw SQL**: the SELECT statements of that cold request replayed through a cursor,
  results fetched, no Django around them: what the database alone costs the page;
- **warm** and **cold**: medians through gunicorn. Warm: the same request again and
  again (public pages come from the cache). Cold: the cache is cleared (Redis FLUSHDB)
  before each request, as after any change to a status or a profile, or each morning;
- **floor**: a trivial view through the same stack, one request after each page request
  of the same series, so that other work on the machine weighs on both alike.
"""

from __future__ import annotations

import http.client
import statistics
import time
from dataclasses import dataclass, field

# What each kind of page must meet (issue "fast without the cache"): ratios of its cold
# median to its raw SQL and to the floor, its queries and its size.
GOALS = {
    "public": {"raw": 3.0, "floor": 5.0},
    # An export's time is set by its size: against its raw SQL only.
    "export": {"raw": 3.0},
    "checkin": {"floor": 3.0, "kib": 300},
    "dashboard": {"floor": 5.0, "queries": 12},
    "admin": {"floor": 10.0},
    # The lists of the COPIL and the organisers' form outside the issue's table: shown for
    # their size and queries at each scale, without a goal.
    "list": {},
}


@dataclass
class Page:
    name: str
    path: str
    kind: str  # a key of GOALS
    user_id: int | None = None  # signed in as this person; anonymous when None
    mfa: bool = False  # the session carries the authenticator app's use (staff, COPIL)
    cookie: str = field(default="", repr=False)


# --- sessions ---------------------------------------------------------------------------


def sign_in(page: Page) -> None:
    """A session for the page's person in the database, as a browser would hold it."""
    if page.user_id is None or page.cookie:
        return
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.test import Client

    from cos_portal.security import MFA_ACTIVATED_SESSION_KEY
    from members.models import User

    user = User.objects.get(pk=page.user_id)
    client = Client()
    client.force_login(user)
    if page.mfa:
        Authenticator.objects.get_or_create(
            user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "bench"}}
        )
        session = client.session
        session[MFA_ACTIVATED_SESSION_KEY] = str(user.pk)
        session.save()
    page.cookie = (
        f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    )


# --- in-process: queries, bytes, raw SQL -----------------------------------------------


def _client(page: Page):
    from django.conf import settings
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")
    if page.cookie:
        name, value = page.cookie.split("=", 1)
        client.cookies[name] = value
        assert name == settings.SESSION_COOKIE_NAME
    return client


def _request(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code} in-process.")
    body = b"".join(response) if response.streaming else response.content
    return context.captured_queries, len(body)


def inspect(page: Page, *, replays: int = 7) -> dict:
    """Queries and bytes of a cold and a warm request, and the raw SQL's median time."""
    from django.core.cache import cache
    from django.db import connection

    client = _client(page)
    client.get(page.path)  # process-wide caches (content types, site) warm up
    cache.clear()
    cold, size = _request(client, page.path)
    warm, _ = _request(client, page.path)
    statements = [
        q["sql"] for q in cold if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    ]
    times = []
    for _ in range(replays):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
        times.append(time.perf_counter() - started)
    return {
        "queries": len(cold),
        "queries_warm": len(warm),
        "bytes": size,
        "raw_sql_ms": round(statistics.median(times) * 1000, 2),
    }


# --- through gunicorn: warm, cold, floor ------------------------------------------------


def fetch(port: int, path: str, cookie: str = "") -> tuple[int, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": cookie} if cookie else {}
    try:
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def _series(port, page: Page, floor: str, *, requests: int, budget: float, cold: bool):
    """``requests`` page requests (each followed by one to the floor), or fewer at the
    time budget; the page's and the floor's latencies."""
    from django.core.cache import cache

    mine, floors = [], []
    deadline = time.monotonic() + budget
    while len(mine) < requests and time.monotonic() < deadline:
        if cold:
            cache.clear()
        status, seconds = fetch(port, page.path, page.cookie)
        if status != 200:
            raise SystemExit(f"{page.path} answered {status} through gunicorn.")
        mine.append(seconds)
        floors.append(fetch(port, floor)[1])
    return mine, floors


def _ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 2)


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return round(values[0] * 1000, 2)
    return round(statistics.quantiles(values, n=20, method="inclusive")[18] * 1000, 2)


def measure(port: int, pages: list[Page], *, floor: str, requests: int, warmup: int,
            budget: float) -> list[dict]:  # fmt: skip
    """Each page's row of the table (see the module's docstring)."""
    rows = []
    for page in pages:
        sign_in(page)
        row = {"page": page.name, "path": page.path, "kind": page.kind}
        row.update(inspect(page))
        _series(port, page, floor, requests=warmup, budget=budget, cold=False)
        warm, warm_floor = _series(port, page, floor, requests=requests, budget=budget, cold=False)
        cold, cold_floor = _series(port, page, floor, requests=requests, budget=budget, cold=True)
        floor_ms = _ms(warm_floor + cold_floor)
        row.update(
            {
                "warm_ms": _ms(warm),
                "warm_p95_ms": _p95(warm),
                "cold_ms": _ms(cold),
                "cold_p95_ms": _p95(cold),
                "requests": len(warm) + len(cold),
                "floor_ms": floor_ms,
                "cold_to_floor": round(_ms(cold) / floor_ms, 2),
                "cold_to_raw_sql": round(_ms(cold) / row["raw_sql_ms"], 2)
                if row["raw_sql_ms"]
                else None,
            }
        )
        row["goal"], row["met"] = verdict(row)
        rows.append(row)
        print(f"  {page.name}: warm {row['warm_ms']} ms, cold {row['cold_ms']} ms", flush=True)
    return rows


def verdict(row: dict) -> tuple[str, bool]:
    """The page's goal as text, and whether it is met (None: a page without a goal)."""
    goal = GOALS[row["kind"]]
    if not goal:
        return "no goal", None
    parts, met = [], True
    if "raw" in goal:
        parts.append(f"≤ {goal['raw']:g}x SQL")
        met &= row["cold_to_raw_sql"] is not None and row["cold_to_raw_sql"] <= goal["raw"]
    if "floor" in goal:
        parts.append(f"≤ {goal['floor']:g}x floor")
        met &= row["cold_to_floor"] <= goal["floor"]
    if "queries" in goal:
        parts.append(f"≤ {goal['queries']} queries")
        met &= row["queries"] <= goal["queries"]
    if "kib" in goal:
        parts.append(f"< {goal['kib']} KB")
        met &= row["bytes"] < goal["kib"] * 1000
    return ", ".join(parts), bool(met)


# --- the pages of the table -------------------------------------------------------------


def choose(checkin_activity_id: int) -> list[Page]:
    """The public pages as a visitor, then the signed-in pages as the person who uses each."""
    from django.urls import reverse

    from bench import dashboards, run
    from members.models import User

    pages = []
    for name, path in run.choose_pages()[1:]:
        kind = "export" if name in run.INFORMATIVE_PAGES else "public"
        pages.append(Page(name, path, kind))
    pages.append(Page("open data, CSV", reverse("directory_csv"), "export"))
    organiser = User.objects.get(email=ORGANISER_EMAIL)
    # The check-in page (the app's shell) and the roster its script fetches once shown.
    for name, url, kind in (
        ("check-in, trade-fair day", "activities:checkin", "checkin"),
        ("check-in: roster the app fetches (JSON)", "activities:checkin_roster", "list"),
    ):
        pages.append(
            Page(name, reverse(url, args=[checkin_activity_id]), kind, user_id=organiser.pk)
        )
    member = dashboards.busiest_representative().pk
    pages.append(Page("member dashboard", reverse("space:dashboard"), "dashboard", member))
    copil = dashboards.copil_member().pk
    pages.append(Page("COPIL cockpit", reverse("copil:cockpit"), "dashboard", copil, mfa=True))
    admin = User.objects.get(email=ADMIN_EMAIL)
    for name, model in ADMIN_LISTS:
        path = reverse(f"admin:{model.replace('.', '_')}_changelist")
        pages.append(Page(f"admin: {name}", path, "admin", admin.pk, mfa=True))
    for name, url in COPIL_PAGES:
        pages.append(Page(name, reverse(url), "list", copil, mfa=True))
    return pages


ORGANISER_EMAIL = "organisatrice@bench.cos-ge.fr"
ADMIN_EMAIL = "administrateur@bench.cos-ge.fr"
# Pages that once listed every entity or deadline, now paged (a COPIL member reads them).
COPIL_PAGES = [
    # The cockpit's panel of deadlines, which the cockpit loads once shown (htmx).
    ("COPIL cockpit: panel of deadlines", "copil:cockpit_deadlines"),
    ("COPIL: deadlines overview", "deadlines:overview"),
    ("COPIL: signature campaign", "charters:campaign"),
    ("COPIL member's dashboard", "space:dashboard"),
    ("activity form, new", "activities:create"),
]
ADMIN_LISTS = [
    ("organisations", "members.organisation"),
    ("participations", "activities.participation"),
    ("attendance ratios", "activities.attendanceratio"),
]


def build_people_and_event(*, now, people: int = 3000) -> dict[str, int]:
    """The people who sign in (an organiser, the technical administrator; the COPIL comes
    from bench/deadlines.py) and the event they check in: a trade-fair day starting in an hour, to which member
    organisations are convened until their representatives number ``people``."""
    import datetime

    from activities.constants import ActivityKind, ConvenedScope, ConvocationSource
    from activities.models import Activity, Convocation
    from members.models import Representative, User

    organiser = User.objects.create_user(email=ORGANISER_EMAIL, first_name="Odile")
    User.objects.create_superuser(email=ADMIN_EMAIL)
    starts = now + datetime.timedelta(hours=1)
    event = Activity.objects.create(
        kind=ActivityKind.TRADE_SHOW,
        title="Salon de l'industrie du futur : pointage",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=8),
        place="Parc des expositions",
        postcode="57000",
        city="Metz",
        convened_scope=ConvenedScope.NAMED,
        convocations_synced_at=now,
    )
    event.organisers.add(organiser)
    staff: dict[int, int] = {}
    for organisation_id in Representative.objects.filter(end_date__isnull=True).values_list(
        "organisation_id", flat=True
    ):
        staff[organisation_id] = staff.get(organisation_id, 0) + 1
    convened, total = [], 0
    for organisation_id in sorted(staff):
        if total >= people:
            break
        convened.append(organisation_id)
        total += staff[organisation_id]
    Convocation.objects.bulk_create(
        Convocation(activity=event, organisation_id=pk, source=ConvocationSource.NAMED)
        for pk in convened
    )
    return {"checkin_activity": event.pk, "checkin_people": total}
