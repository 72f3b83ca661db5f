"""Benchmark of the COPIL election (V6-V8): a rush of 1,000 members voting within a minute,
then a tally.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cos_bench_elections \\
        .venv/bin/python bench/elections.py [--voters 1000 --window 60 --ballots 0]

Standalone (this script), or as part of `make bench` (bench/suite.py calls ``build_voting``,
``build_tally``, ``measure_voting`` and ``measure_tally`` on the shared data set):

1. Rebuilds the benchmark database (PostgreSQL with "bench" or "elections" in its name,
   created if needed and emptied; otherwise a SQLite file in the temporary directory).
   ``build_voting`` takes as many member organisations as voters (those of the data set,
   or new ones), gives each authorised signatory a password hashed with the production
   hasher (Argon2: the re-authentication at the ballot box is part of what is measured),
   and opens an election with 5 candidates. ``build_tally`` adds an election holding
   5,000 anonymous ballots, cast as the portal casts them (sealed envelopes, V6) and
   closed through the closing service, whose opening of the box is timed; and a closed
   election holding one.
2. Starts gunicorn (bench/run.py's Server; its backlog and worker timeout raised through
   GUNICORN_CMD_ARGS) and has each voter go through the voting page, the review of the
   ballot, and its confirmation with the password re-entered. Voters arrive at random
   moments spread over the window (default 60 s), each at its own moment, a thread per
   voter in flight: two workers cannot check a thousand Argon2 passwords in a minute, so
   requests queue and the run lasts until the last answer (the client waits up to
   ``CLIENT_TIMEOUT``). Reports the ballots stored (counted in the database afterwards:
   one envelope and one row of the register per voter), the errors, the median and p95
   of each step, the ballot casting's p95 beside Argon2's own CPU cost, and the server's
   CPU per ballot against Argon2's (goal: no error, every ballot stored once, at most
   ``CPU_RATIO_GOAL`` times Argon2).
3. Counts the queries of the tally of 5,000 ballots and of 1 ballot (goal: the same), and
   times the tally against the raw SQL aggregates it stands on.

Printed against goals, not asserted: this is a measurement, not a test.
"""

import argparse
import datetime
import http.client
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SQLITE_PATH = Path(tempfile.gettempdir()) / "cos-bench-elections.sqlite3"
PASSWORD = "mot-de-passe-du-banc-d-essai"  # noqa: S105 (benchmark data)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CANDIDATES = 5
SEATS = 2

# The aggregates the tally stands on, written by hand: approvals per candidacy, then
# ballots and blank ballots (what the results show).
RAW_TALLY = (
    """
SELECT c.candidacy_id, COUNT(*)
FROM governance_ballotchoice c
JOIN governance_ballot b ON b.id = c.ballot_id
WHERE b.election_id = %s
GROUP BY c.candidacy_id
""",
    """
SELECT COUNT(*),
       COUNT(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM governance_ballotchoice c
                                          WHERE c.ballot_id = b.id))
FROM governance_ballot b
WHERE b.election_id = %s
""",
)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=1000)
    parser.add_argument("--window", type=float, default=60.0, help="seconds of the arrivals")
    parser.add_argument(
        "--threads", type=int, default=0, help="voters in flight at most (0: no bound)"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--ballots", type=int, default=5000, help="ballots of the tally (0: no tally)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed tallies and raw aggregates")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


def prepare_database() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        SQLITE_PATH.unlink(missing_ok=True)
        os.environ["BENCH_DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
        return
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    name = config["NAME"]
    if "postgresql" not in config["ENGINE"] or not ("bench" in name or "elections" in name):
        raise SystemExit("BENCH_DATABASE_URL: PostgreSQL, 'bench' or 'elections' in its name.")
    with psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    ) as connection:
        identifier = sql.Identifier(name)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(identifier))


# --- the data -------------------------------------------------------------------------------


def _new_members(count: int, *, since: datetime.datetime, prefix: str):
    """``count`` new member organisations, each with an authorised signatory."""
    from members.constants import Status, StatusReason
    from members.models import Establishment, Organisation, Representative, StatusChange, User

    organisations = Organisation.objects.bulk_create(
        [
            Organisation(legal_name=f"{prefix} {n:04d}", slug=f"{prefix.lower()}-{n:04d}")
            for n in range(count)
        ]
    )
    Establishment.objects.bulk_create(
        [
            Establishment(organisation=o, address="1 rue", postcode="57000", city="Metz")
            for o in organisations
        ]
    )
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                organisation=o,
                status=Status.MEMBER,
                reason=StatusReason.APPROVED,
                effective_at=since,
            )
            for o in organisations
        ]
    )
    users = User.objects.bulk_create(
        [User(email=f"{prefix.lower()}{n:04d}@bench.cos-ge.fr") for n in range(count)]
    )
    Representative.objects.bulk_create(
        [
            Representative(
                user=u, organisation=o, start_date=since.date(), is_authorised_signatory=True
            )
            for u, o in zip(users, organisations, strict=True)
        ]
    )
    return list(zip(users, organisations, strict=True))


def _signatories(count: int, *, since: datetime.datetime):
    """(user, organisation) of ``count`` member organisations' authorised signatories: those
    of the data set first, new member organisations for the rest."""
    from governance.selectors import member_organisations
    from members.models import Organisation, Representative

    members = member_organisations().values("pk")
    rows = (
        Representative.objects.filter(
            is_authorised_signatory=True, end_date__isnull=True, organisation__in=members
        )
        .select_related("user", "organisation")
        .order_by("organisation_id", "pk")
    )
    chosen, seen = [], set()
    for representative in rows:
        if representative.organisation_id in seen:
            continue  # one signatory per organisation: one vote each (V6)
        seen.add(representative.organisation_id)
        chosen.append((representative.user, representative.organisation))
        if len(chosen) == count:
            return chosen
    prefix = f"Votante{Organisation.objects.count()}"
    return chosen + _new_members(count - len(chosen), since=since, prefix=prefix)


def build_voting(*, voters: int = 200, seed: int = 2026) -> dict:
    """An election with voting open, 5 candidates, and ``voters`` signatories who can vote,
    each with a signed-in session (a row of the benchmark database)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from activities.constants import ActivityKind
    from activities.models import Activity
    from governance.models import Candidacy, Election, ElectionStatus
    from members.models import User

    now = timezone.now()
    since = now - datetime.timedelta(days=800)
    with transaction.atomic():
        people = _signatories(voters + CANDIDATES, since=since)
        # One Argon2 hash (production parameters), the same for every voter; set on the
        # objects too, since the session of force_login() is bound to the password hash.
        hashed = make_password(PASSWORD)
        User.objects.filter(pk__in=[u.pk for u, _o in people]).update(password=hashed)
        for user, _organisation in people:
            user.password = hashed
        plenary = Activity.objects.create(
            kind=ActivityKind.ORDINARY_PLENARY,
            title="Plénière de l'élection (banc d'essai)",
            starts_at=now,
            ends_at=now + datetime.timedelta(hours=3),
        )
        election = Election.objects.create(
            title="Élection du COPIL (banc d'essai)",
            plenary=plenary,
            election_date=timezone.localdate(now),
            candidacy_deadline=now - datetime.timedelta(days=30),
            seats_to_fill=SEATS,
            status=ElectionStatus.VOTING,
            voting_opened_at=now,
        )
        candidacies = Candidacy.objects.bulk_create(
            [
                Candidacy(election=election, candidate=u, organisation=o, statement="Programme")
                for u, o in people[-CANDIDATES:]
            ]
        )
    sessions = []
    for user, organisation in people[:voters]:
        client = Client()
        client.force_login(user)
        sessions.append((client.cookies["sessionid"].value, organisation.pk))
    return {
        "election_id": election.pk,
        "candidacy_ids": [c.pk for c in candidacies],
        "voters": sessions,
    }


def _closed_election(*, title: str, day_offset: int, candidacies_from, status=None):
    from django.utils import timezone

    from activities.constants import ActivityKind
    from activities.models import Activity
    from governance.models import Candidacy, Election, ElectionStatus

    now = timezone.now() - datetime.timedelta(days=day_offset)
    election = Election.objects.create(
        title=title,
        plenary=Activity.objects.create(
            kind=ActivityKind.ORDINARY_PLENARY,
            title=f"Plénière : {title}",
            starts_at=now,
            ends_at=now + datetime.timedelta(hours=3),
        ),
        election_date=timezone.localdate(now),
        candidacy_deadline=now - datetime.timedelta(days=30),
        seats_to_fill=SEATS,
        status=status or ElectionStatus.CLOSED,
    )
    candidacies = Candidacy.objects.bulk_create(
        [
            Candidacy(election=election, candidate=u, organisation=o, statement="Programme")
            for u, o in candidacies_from
        ]
    )
    return election, [c.pk for c in candidacies]


def _commission():
    from members.models import User

    return User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        email="commission@bench.cos-ge.fr"
    )


def build_tally(*, ballots: int = 5000, seed: int = 2026) -> dict:
    """An election holding ``ballots`` anonymous ballots (0 to 2 approvals each), sealed
    in bulk as ``ballot_cast`` seals them (the register of voters plays no part in the
    tally), then closed by the closing service: the envelopes opened, shuffled and
    written as plaintext ballots, timed. And a closed election holding 1 ballot."""
    from django.db import transaction

    from governance.elections import services
    from governance.elections.models import new_receipt
    from governance.elections.services.ballot_box import ballot_box_ensure, ballot_envelope
    from governance.models import Ballot, BallotChoice, ElectionStatus, SealedBallot

    rng = random.Random(seed)
    since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=800)
    with transaction.atomic():
        people = _signatories(CANDIDATES, since=since)
        big, big_ids = _closed_election(
            title="Élection dépouillée (banc d'essai)",
            day_offset=400,
            candidacies_from=people,
            status=ElectionStatus.VOTING,
        )
        small, small_ids = _closed_election(
            title="Petite élection (banc d'essai)", day_offset=200, candidacies_from=people[:1]
        )
        box = ballot_box_ensure(election=big)
        SealedBallot.objects.bulk_create(
            [
                SealedBallot(
                    election=big,
                    ciphertext=ballot_envelope(
                        election=big,
                        box=box,
                        receipt=new_receipt(),
                        candidacy_ids=rng.sample(big_ids, rng.randint(0, SEATS)),
                    ),
                )
                for _ in range(ballots)
            ],
            batch_size=1000,
        )
        one = Ballot.objects.create(election=small)
        BallotChoice.objects.create(ballot=one, candidacy_id=small_ids[0])
    started = time.perf_counter()
    services.election_voting_close(election=big, actor=_commission())
    close_ms = (time.perf_counter() - started) * 1000
    return {
        "big_id": big.pk,
        "small_id": small.pk,
        "ballots": ballots,
        "close_ms": round(close_ms, 1),
    }


# --- the measurements -----------------------------------------------------------------------

# A rush queues requests (2 sync workers cannot hash a thousand passwords a minute): the
# client waits as long as the queue takes to drain, and gunicorn keeps every connection.
CLIENT_TIMEOUT = 900.0
GUNICORN_ARGS = "--backlog 4096 --timeout 300"
# The server's CPU per ballot (its three requests) against one Argon2 check on its own.
CPU_RATIO_GOAL = 1.3
# The stack of each client thread: a voter per thread, a thousand at once.
THREAD_STACK = 512 * 1024


def request(port, method, path, *, cookies, body=None, timeout=CLIENT_TIMEOUT):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://127.0.0.1:{port}{path}"
    try:
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookies[name] = rest.split(";", 1)[0]
        return response.status, content, elapsed
    finally:
        connection.close()


def _vote_once(port, path, voter, chosen, *, timeout) -> tuple[dict, tuple | None]:
    """One voter's three requests: the latencies of the steps done, and the error if any."""
    session, organisation_id = voter
    cookies = {"sessionid": session}
    done: dict[str, float] = {}
    step = "page"
    try:
        status, content, done["page"] = request(port, "GET", path, cookies=cookies, timeout=timeout)
        token = CSRF.search(content)
        if status != 200 or token is None:
            return done, ("page", status)
        choice = [("organisation", organisation_id), *[("candidates", c) for c in chosen]]
        body = urllib.parse.urlencode(
            [("csrfmiddlewaretoken", token.group(1)), *choice, ("step", "review")]
        )
        step = "review"
        status, content, done["review"] = request(
            port, "POST", path, cookies=cookies, body=body, timeout=timeout
        )
        token = CSRF.search(content)
        if status != 200 or token is None or "Confirmer mon bulletin" not in content:
            return done, ("review", status)
        body = urllib.parse.urlencode(
            [
                ("csrfmiddlewaretoken", token.group(1)),
                *choice,
                ("password", PASSWORD),
                ("step", "confirm"),
            ]
        )
        step = "confirm"
        status, content, elapsed = request(
            port, "POST", path, cookies=cookies, body=body, timeout=timeout
        )
        if status != 200 or "Bulletin déposé" not in content:
            return done, ("ballot", status)
        done["confirm"] = elapsed
        return done, None
    except OSError as error:  # refused, reset, timed out: an error of the run, not a crash
        return done, (step, type(error).__name__)


def vote_all(
    port, state, *, window: float, threads: int | None = None, seed: int, timeout=CLIENT_TIMEOUT
) -> dict:
    """Each voter arrives at its own moment of the window (random, spread over it) and
    goes through the voting page, the review and the confirmation.

    Arrivals follow the schedule whatever the server's pace (an open system, as a rush
    is): a thread per voter in flight, at most ``threads`` at once (default: every
    voter); a voter who must wait for a free thread starts late, and the lateness is
    reported. The run lasts until the last answer, however long the queue takes.
    """
    rng = random.Random(seed)
    candidacy_ids = state["candidacy_ids"]
    voters = state["voters"]
    arrivals = sorted(rng.uniform(0, window) for _ in voters)
    ballots = [rng.sample(candidacy_ids, rng.randint(0, SEATS)) for _ in voters]
    path = f"/elections/{state['election_id']}/voter/"
    steps: dict[str, list[float]] = {"page": [], "review": [], "confirm": []}
    errors, lateness, finished = [], [], []
    lock = threading.Lock()
    bound = threading.BoundedSemaphore(max(1, min(threads or len(voters), len(voters))))

    def voter_run(voter, chosen):
        try:
            done, error = _vote_once(port, path, voter, chosen, timeout=timeout)
            with lock:
                for step, elapsed in done.items():
                    steps[step].append(elapsed)
                if error is not None:
                    errors.append(error)
                finished.append(time.monotonic())
        finally:
            bound.release()

    previous_stack = threading.stack_size(THREAD_STACK)
    pool = []
    start = time.monotonic()
    try:
        for at, voter, chosen in zip(arrivals, voters, ballots, strict=True):
            delay = start + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            bound.acquire()
            lateness.append(max(0.0, time.monotonic() - start - at))
            thread = threading.Thread(target=voter_run, args=(voter, chosen), daemon=True)
            thread.start()
            pool.append(thread)
    finally:
        threading.stack_size(previous_stack)
        last_arrival = time.monotonic() - start
        for thread in pool:
            thread.join()
    return {
        **steps,
        "errors": errors,
        "wall": (max(finished) - start) if finished else time.monotonic() - start,
        "last_arrival": last_arrival,
        "late_max": max(lateness, default=0.0),
    }


def _ms(values, q) -> float | None:
    if not values:
        return None
    if q == 50:
        return round(statistics.median(values) * 1000, 1)
    if len(values) < 2:
        return round(values[0] * 1000, 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000, 1)


def server_cpu_seconds(pid: int | None) -> float | None:
    """CPU time used so far by gunicorn (``pid``) and its workers, from /proc (Linux)."""
    proc = Path("/proc")
    if pid is None or not proc.exists():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        # After the name: state, ppid, ..., utime (12th) and stime (13th).
        if entry.name == str(pid) or fields[1] == str(pid):
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def stored_ballots(election_id: int) -> dict:
    """What the database holds after the run: sealed envelopes, rows of the register, and
    organisations registered more than once (0: every ballot stored once)."""
    from django.db.models import Count

    from governance.models import SealedBallot, VoteRecord

    records = VoteRecord.objects.filter(election_id=election_id)
    return {
        "envelopes": SealedBallot.objects.filter(election_id=election_id).count(),
        "register": records.count(),
        "twice": records.values("organisation_id").annotate(n=Count("pk")).filter(n__gt=1).count(),
    }


def measure_voting(
    port: int,
    state: dict,
    *,
    window=60.0,
    threads=None,
    seed=2026,
    server_pid=None,
    argon2_notes=None,
) -> dict:
    """The voting rush against a running server: every voter arrives within ``window``,
    the queue drains as it may; medians and p95 of each step, the ballots stored.

    Also the server's CPU time per ballot against one Argon2 check (the password of the
    confirmation): what the three requests cost whatever else runs on the machine (on a
    shared machine, the latencies include waiting for a core). With ``argon2_notes`` (the
    folder where the workers note each check, bench/hashers.py), also Argon2's CPU in the
    server during the rush, and the server's CPU per ballot outside it.
    """
    from bench.hashers import forget_checks, noted_checks

    # Warm-up: each worker loads the page's code and templates once, before the count.
    for session, _organisation in state["voters"][:4]:
        request(
            port, "GET", f"/elections/{state['election_id']}/voter/", cookies={"sessionid": session}
        )
    if argon2_notes:
        forget_checks(argon2_notes)
    cpu_before = server_cpu_seconds(server_pid)
    run = vote_all(port, state, window=window, threads=threads, seed=seed)
    cpu_after = server_cpu_seconds(server_pid)
    checks, checks_seconds = noted_checks(argon2_notes) if argon2_notes else (0, 0.0)
    stored = stored_ballots(state["election_id"])
    argon2 = round(argon2_cpu_ms(), 1)
    every = run["page"] + run["review"] + run["confirm"]
    voters = len(state["voters"])
    ballots = stored["envelopes"]
    cpu_per_ballot = (
        round((cpu_after - cpu_before) * 1000 / ballots, 1)
        if cpu_before is not None and ballots
        else None
    )
    ratio = round(cpu_per_ballot / argon2, 2) if cpu_per_ballot and argon2 else None
    # Argon2 in the server: the same checks, made while the rush kept both cores busy.
    in_server = round(checks_seconds * 1000 / ballots, 1) if checks and ballots else None
    outside = round(cpu_per_ballot - in_server, 1) if cpu_per_ballot and in_server else None
    steps = {
        step: {
            "requests": len(run[step]),
            "median_ms": _ms(run[step], 50),
            "p95_ms": _ms(run[step], 95),
        }
        for step in ("page", "review", "confirm")
    }
    stored_once = ballots == voters == stored["register"] and not stored["twice"]
    return {
        "voters": voters,
        "window_seconds": window,
        "last_arrival_seconds": round(run["last_arrival"], 1),
        "late_start_max_seconds": round(run["late_max"], 2),
        "wall_seconds": round(run["wall"], 1),
        "ballots": len(run["confirm"]),
        "ballots_stored": ballots,
        "register_rows": stored["register"],
        "organisations_twice": stored["twice"],
        "errors": len(run["errors"]),
        "error_samples": [list(e) for e in run["errors"][:5]],
        "steps": steps,
        "all": {"requests": len(every), "median_ms": _ms(every, 50), "p95_ms": _ms(every, 95)},
        "confirm_p95_ms": steps["confirm"]["p95_ms"],
        "argon2_cpu_ms": argon2,
        "server_cpu_ms_per_ballot": cpu_per_ballot,
        "cpu_ratio_to_argon2": ratio,
        "argon2_checks_in_server": checks,
        "argon2_in_server_cpu_ms_per_ballot": in_server,
        "server_cpu_ms_per_ballot_outside_argon2": outside,
        "cpu_ratio_to_argon2_in_server": round(cpu_per_ballot / in_server, 2)
        if cpu_per_ballot and in_server
        else None,
        "goal": {
            "cpu_ratio_at_most": CPU_RATIO_GOAL,
            "met": not run["errors"]
            and stored_once
            and ratio is not None
            and ratio <= CPU_RATIO_GOAL,
        },
    }


def argon2_cpu_ms(runs: int = 3) -> float:
    """CPU time of one check of a password hashed with the production hasher (Argon2)."""
    from django.contrib.auth.hashers import check_password, make_password

    hashed = make_password(PASSWORD)
    started = time.process_time()
    for _ in range(runs):
        check_password(PASSWORD, hashed)
    return (time.process_time() - started) * 1000 / runs


def measure_tally(state: dict, *, repeat: int = 5) -> dict:
    """Queries of the tally of the big and the one-ballot election (goal: the same), and
    the tally's time against the raw SQL aggregates (medians; each tally rolled back)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from governance.elections import services
    from governance.models import Election

    commission = _commission()
    big = Election.objects.get(pk=state["big_id"])
    small = Election.objects.get(pk=state["small_id"])

    def tally(election):
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                services.election_tally(election=election, actor=commission)
                elapsed = time.perf_counter() - started
            transaction.set_rollback(True)  # the election stays closed: the next run tallies
        return elapsed, len(queries)

    def raw():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for statement in RAW_TALLY:
                cursor.execute(statement, [big.pk])
                cursor.fetchall()
        return time.perf_counter() - started

    tally(big)  # warm-up: caches (content types of the audit trail) filled once
    raw()
    _, one_queries = tally(small)
    tallies, raws = [], []
    for _ in range(max(repeat, 1)):
        elapsed, big_queries = tally(big)
        tallies.append(elapsed)
        raws.append(raw())
    task_ms = statistics.median(tallies) * 1000
    raw_ms = statistics.median(raws) * 1000
    return {
        "ballots": state["ballots"],
        # Closing the vote: the sealed envelopes opened and written in random order (V6).
        "close_ms": state.get("close_ms"),
        "queries": big_queries,
        "queries_one_ballot": one_queries,
        "constant": big_queries == one_queries,
        "median_ms": round(task_ms, 2),
        "raw_sql_median_ms": round(raw_ms, 2),
        "ratio_to_raw_sql": round(task_ms / raw_ms, 2) if raw_ms else None,
    }


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")  # no line per forced login
    # gunicorn (bench/run.py's Server) reads its extra settings from this variable.
    os.environ.setdefault("GUNICORN_CMD_ARGS", GUNICORN_ARGS)
    prepare_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.run import Server

    call_command("migrate", verbosity=0, interactive=False)
    voting = build_voting(voters=args.voters, seed=args.seed)
    tally_state = build_tally(ballots=args.ballots, seed=args.seed) if args.ballots else None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()  # gunicorn's workers open their own connections

    print(
        f"Database: {connection.vendor}; {args.voters} voters arriving within "
        f"{args.window:.0f} s; gunicorn {args.workers} workers ({os.environ['GUNICORN_CMD_ARGS']})",
        flush=True,
    )
    with Server(workers=args.workers) as server:
        result = measure_voting(
            server.port,
            voting,
            window=args.window,
            threads=args.threads or None,
            seed=args.seed,
            server_pid=server.process.pid,
            argon2_notes=server.argon2_notes.name,
        )
    print(
        f"Voting rush: {result['voters']} voters, the last arriving at "
        f"{result['last_arrival_seconds']:.1f} s (latest start {result['late_start_max_seconds']} s "
        f"behind schedule); last answer at {result['wall_seconds']:.1f} s"
    )
    print(
        f"  ballots stored: {result['ballots_stored']} envelopes, {result['register_rows']} rows "
        f"of the register, {result['organisations_twice']} organisations twice; "
        f"{result['errors']} errors {result['error_samples']}"
    )
    labels = {
        "page": "voting page",
        "review": "review of the ballot",
        "confirm": "confirmation (password re-entered: Argon2)",
    }
    for step, row in result["steps"].items():
        print(f"  {labels[step]}: median {row['median_ms']} ms, p95 {row['p95_ms']} ms")
    print(
        f"  all answers: median {result['all']['median_ms']} ms, p95 {result['all']['p95_ms']} ms"
    )
    print(
        f"  ballot casting p95 {result['confirm_p95_ms']} ms; Argon2 alone "
        f"{result['argon2_cpu_ms']:.0f} ms of CPU"
    )
    print(
        f"  server CPU per ballot (three requests): {result['server_cpu_ms_per_ballot']} ms, "
        f"x{result['cpu_ratio_to_argon2']} Argon2's — goal: no error, every ballot stored "
        f"once, at most x{CPU_RATIO_GOAL}: {'met' if result['goal']['met'] else 'NOT met'}",
        flush=True,
    )
    if result["argon2_in_server_cpu_ms_per_ballot"]:
        print(
            f"  Argon2 in the server during the rush: "
            f"{result['argon2_in_server_cpu_ms_per_ballot']} ms per ballot "
            f"({result['argon2_checks_in_server']} checks); the server's CPU outside it: "
            f"{result['server_cpu_ms_per_ballot_outside_argon2']} ms per ballot, "
            f"x{result['cpu_ratio_to_argon2_in_server']} Argon2 in the server",
            flush=True,
        )
    if tally_state is None:
        return 0
    tally = measure_tally(tally_state, repeat=args.repeat)
    print(
        f"Tally of {tally['ballots']:,} ballots: {tally['queries']} queries; of 1 ballot: "
        f"{tally['queries_one_ballot']} queries — goal the same: "
        f"{'met' if tally['constant'] else 'NOT met'}; {tally['median_ms']:.1f} ms vs raw SQL "
        f"{tally['raw_sql_median_ms']:.1f} ms (x{tally['ratio_to_raw_sql']})"
    )
    print(
        f"Closing of the vote ({tally['ballots']:,} sealed envelopes opened, shuffled and "
        f"written): {tally['close_ms']:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
