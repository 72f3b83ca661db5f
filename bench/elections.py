"""Benchmark of the COPIL election (V6-V8): 200 members voting in 2 minutes, then a tally.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cos_bench_elections \\
        .venv/bin/python bench/elections.py

Standalone (this script), or as part of `make bench` (bench/suite.py calls ``build_voting``,
``build_tally``, ``measure_voting`` and ``measure_tally`` on the shared data set):

1. Rebuilds the benchmark database (PostgreSQL with "bench" or "elections" in its name,
   created if needed and emptied; otherwise a SQLite file in the temporary directory).
   ``build_voting`` takes 200 member organisations (those of the data set, or new ones),
   gives each authorised signatory a password hashed with the production hasher (Argon2:
   the re-authentication at the ballot box is part of what is measured), and opens an
   election with 5 candidates. ``build_tally`` adds an election holding 5,000 anonymous
   ballots, cast as the portal casts them (sealed envelopes, V6) and closed through the
   closing service, whose opening of the box is timed; and a closed election holding one.
2. Starts gunicorn (bench/run.py's Server) and has each voter go through the voting
   page, the review of the ballot, and its confirmation with the password re-entered,
   from a pool of threads, each voter starting at a random moment of the window (default
   120 s). Reports the median and p95 of each step and of all answers, and the errors
   (goal: no error, median under 100 ms).
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
MEDIAN_GOAL_MS = 100.0
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
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--window", type=float, default=120.0, help="seconds")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--ballots", type=int, default=5000, help="ballots of the tally")
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


def request(port, method, path, *, cookies, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
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


def vote_all(port, state, *, window: float, threads: int, seed: int) -> dict:
    """Each voter, at a random moment of the window: page, review, confirmation."""
    rng = random.Random(seed)
    schedule = sorted((rng.uniform(0, window), v) for v in state["voters"])
    candidacy_ids = state["candidacy_ids"]
    path = f"/elections/{state['election_id']}/voter/"
    pages, reviews, ballots, errors = [], [], [], []
    lock = threading.Lock()
    queue = list(schedule)
    start = time.monotonic()

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                at, (session, organisation_id) = queue.pop(0)
                chosen = rng.sample(candidacy_ids, rng.randint(0, SEATS))
            delay = start + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            cookies = {"sessionid": session}
            status, content, elapsed = request(port, "GET", path, cookies=cookies)
            token = CSRF.search(content)
            if status != 200 or token is None:
                with lock:
                    errors.append(("page", status))
                continue
            choice = [("organisation", organisation_id), *[("candidates", c) for c in chosen]]
            body = urllib.parse.urlencode(
                [("csrfmiddlewaretoken", token.group(1)), *choice, ("step", "review")]
            )
            status2, content2, elapsed2 = request(port, "POST", path, cookies=cookies, body=body)
            token = CSRF.search(content2)
            if status2 != 200 or token is None or "Confirmer mon bulletin" not in content2:
                with lock:
                    errors.append(("review", status2))
                continue
            body = urllib.parse.urlencode(
                [
                    ("csrfmiddlewaretoken", token.group(1)),
                    *choice,
                    ("password", PASSWORD),
                    ("step", "confirm"),
                ]
            )
            status3, content3, elapsed3 = request(port, "POST", path, cookies=cookies, body=body)
            with lock:
                pages.append(elapsed)
                reviews.append(elapsed2)
                if status3 == 200 and "Bulletin déposé" in content3:
                    ballots.append(elapsed3)
                else:
                    errors.append(("ballot", status3))

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return {
        "page": pages,
        "review": reviews,
        "confirm": ballots,
        "errors": errors,
        "wall": time.monotonic() - start,
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


def measure_voting(
    port: int, state: dict, *, window=120.0, threads=16, seed=2026, server_pid=None
) -> dict:
    """The voting window against a running server: medians and p95 of each step.

    Also the server's CPU time per voter: what the three requests cost whatever else
    runs on the machine (on a shared machine, the latencies include waiting for a core).
    """
    cpu_before = server_cpu_seconds(server_pid)
    run = vote_all(port, state, window=window, threads=threads, seed=seed)
    cpu_after = server_cpu_seconds(server_pid)
    every = run["page"] + run["review"] + run["confirm"]
    voters = len(run["confirm"]) or 1
    cpu_per_voter = (
        round((cpu_after - cpu_before) * 1000 / voters, 1) if cpu_before is not None else None
    )
    steps = {
        step: {
            "requests": len(run[step]),
            "median_ms": _ms(run[step], 50),
            "p95_ms": _ms(run[step], 95),
        }
        for step in ("page", "review", "confirm")
    }
    median = _ms(every, 50)
    return {
        "voters": len(state["voters"]),
        "window_seconds": window,
        "wall_seconds": round(run["wall"], 1),
        "ballots": len(run["confirm"]),
        "errors": len(run["errors"]),
        "error_samples": [list(e) for e in run["errors"][:5]],
        "steps": steps,
        "all": {"requests": len(every), "median_ms": median, "p95_ms": _ms(every, 95)},
        "server_cpu_ms_per_voter": cpu_per_voter,
        "goal": {
            "median_ms_below": MEDIAN_GOAL_MS,
            "met": not run["errors"] and median is not None and median < MEDIAN_GOAL_MS,
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
    prepare_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.run import Server

    call_command("migrate", verbosity=0, interactive=False)
    voting = build_voting(voters=args.voters, seed=args.seed)
    tally_state = build_tally(ballots=args.ballots, seed=args.seed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()  # gunicorn's workers open their own connections

    print(
        f"Database: {connection.vendor}; {args.voters} voters over {args.window:.0f} s", flush=True
    )
    with Server(workers=args.workers) as server:
        result = measure_voting(
            server.port,
            voting,
            window=args.window,
            threads=args.threads,
            seed=args.seed,
            server_pid=server.process.pid,
        )
    print(
        f"Voting window: {result['wall_seconds']:.1f} s, {result['ballots']} ballots, "
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
        f"  all answers: median {result['all']['median_ms']} ms, p95 {result['all']['p95_ms']} ms "
        f"— goal: no error and median under {MEDIAN_GOAL_MS:.0f} ms: "
        f"{'met' if result['goal']['met'] else 'NOT met'}"
    )
    print(
        f"  server CPU per voter (three requests): {result['server_cpu_ms_per_voter']} ms; "
        f"Argon2 alone: {argon2_cpu_ms():.0f} ms"
    )
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
