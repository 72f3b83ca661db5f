"""Benchmark of the deadline engine: one pass over 2,000 organisations with every kind of
deadline, against the same at 200 (goal: the same number of queries to find, record and
claim the reminders, plus exactly one per reminder sent), and its time.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cos_bench_deadlines \\
        .venv/bin/python bench/deadlines.py

1. For each size (200, then 2,000 by default), in a transaction rolled back at the end:
   the registry of bench/data.py, then, in bulk and in proportion to its size, what
   makes every kind of deadline due: a charter version in force that nobody signed yet
   and that ends within six months (X4, X1), exclusion procedures awaiting an answer (L4),
   partnership agreements near their notice and renewal dates (P6), invitations ending
   and not yet accepted before an activity (I1, E1), members whose representatives all
   left (M9), proof requests (N1), a workshop convening every member with attendance
   ratios near the threshold (A3), an election to announce and another whose candidacies
   close with proxies to validate (V9, V11, V6), ad hoc commissions ending (K1), minutes
   requests (C4), a seized charter revision (X3). V2 (a year with seats to renew and no
   election planned) is computed but not due: the data set plans elections this year.
2. Runs one engine pass (deadline_reminders_send, e-mails to the in-memory outbox) and
   counts its queries and reminders, and times it; then a second pass, which sends
   nothing (everything is recorded already). The queries are counted in two parts: those
   that find, record and claim the reminders (``queries``: the same at every size), and
   the UPDATE that marks each reminder sent right after its e-mail (``queries_sent``: one
   per reminder, so that a worker killed mid-batch leaves the rest pending); the
   renewals of the run's lease, one per third of the lease a long pass lasts
   (``lease_renewals``: by the clock, not the data), are counted apart.

Printed, not asserted: this is a measurement; tests/core/test_deadlines.py holds
the tests. ``measure()`` is what the unified ``make bench`` calls (Django set up; the
portal's tables are emptied inside the rolled-back transaction when they hold data).
"""

import argparse
import datetime
import os
import random
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SQLITE_PATH = Path(tempfile.gettempdir()) / "cos-bench-deadlines.sqlite3"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# A fixed morning, so that every run finds the same deadlines due (the engine runs at 8:00).
NOW = datetime.datetime(2026, 10, 1, 8, 0, tzinfo=PARIS)
BATCH = 500


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--small", type=int, default=200, help="the size compared with")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


def prepare_database() -> None:
    """An empty benchmark database: never the portal's own."""
    from bench.attendance import prepare_database as prepare

    if not os.environ.get("BENCH_DATABASE_URL"):
        SQLITE_PATH.unlink(missing_ok=True)
        os.environ["BENCH_DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
        return
    prepare()


def _portion(items: list, share: float, rng: random.Random) -> list:
    return rng.sample(items, max(1, round(len(items) * share))) if items else []


def build_deadlines(*, now: datetime.datetime, seed: int = 2026) -> dict[str, int]:
    """Add, on top of bench/data.py's registry, what makes every kind of deadline due."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from activities.constants import ActivityKind, ConvenedScope, ConvocationSource
    from activities.models import Activity, AttendanceRatio, Convocation
    from charters.models import CharterVersion
    from core.dates import add_months
    from governance.models import (
        CharterRevision,
        Commission,
        CopilMeeting,
        CopilSeat,
        Election,
        ElectionStatus,
        Mandate,
        MinutesRequest,
        Proxy,
        RevisionOrigin,
        RevisionStatus,
    )
    from members import selectors
    from members.constants import ExclusionGround, InvitationState, Role, Status
    from members.models import (
        ExclusionProcedure,
        Invitation,
        PartnershipAgreement,
        ProofRequest,
        Representative,
    )

    rng = random.Random(seed)
    today = timezone.localdate(now)
    day = datetime.timedelta(days=1)
    statuses = dict(
        selectors.organisation_list_with_status(at=now).values_list("pk", "current_status")
    )
    members = sorted(pk for pk, status in statuses.items() if status == Status.MEMBER)
    partners = sorted(pk for pk, status in statuses.items() if status == Status.PARTNER)
    people: dict[int, list] = {}
    for representative in selectors.active_representatives(on=today).order_by("pk"):
        people.setdefault(representative.organisation_id, []).append(representative)
    staffed = [pk for pk in members if pk in people]
    counts = {}

    # The COPIL (G1) and the election commission, among the members' representatives.
    copil = [people[pk][0].user for pk in staffed[:5]]
    Group.objects.get_or_create(name=Role.COPIL)[0].user_set.add(*copil)
    commission = [people[pk][0].user for pk in staffed[5:8]]
    Group.objects.get_or_create(name=Role.ELECTION_COMMISSION)[0].user_set.add(*commission)
    seats = CopilSeat.objects.bulk_create([CopilSeat(number=n) for n in range(1, 6)])
    Mandate.objects.bulk_create(
        Mandate(
            seat=seat,
            holder=people[pk][0].user,
            organisation_id=pk,
            start_date=datetime.date(2024, 6, 1),
        )
        for seat, pk in zip(seats, staffed[:5], strict=True)
    )

    # X4, X1: a version in force for ten days, that nobody signed, ending in 90 days.
    CharterVersion.objects.create(
        label="Bench V2",
        title="Charte de la COS-GE",
        body="Charte de référence du banc d'essai.",
        effective_date=today - 10 * day,
        end_date=today + 90 * day,
        published_at=now - 10 * day,
    )

    # L4: 2 % of the members are asked to answer an exclusion procedure within 7 days.
    procedures = [
        ExclusionProcedure(
            organisation_id=pk,
            ground=ExclusionGround.IMAGE_HARM,
            facts="Propos publics.",
            opened_by=copil[0],
            opened_at=now - 23 * day,
            response_due_on=today + 7 * day,
        )
        for pk in _portion(staffed[8:], 0.02, rng)
    ]
    ExclusionProcedure.objects.bulk_create(procedures, batch_size=BATCH)
    counts["exclusion procedures"] = len(procedures)

    # P6: every partner has an agreement; half give notice within 7 days, half renew in 30.
    agreements = []
    for number, pk in enumerate(partners):
        if number % 2:
            signed = add_months(today + 7 * day, -33)  # 36 months - 3 months' notice
        else:
            signed = add_months(today + 30 * day, -48)  # renewed once, renewed again soon
        agreements.append(
            PartnershipAgreement(
                organisation_id=pk, parties="COS-GE et partenaire", signed_on=signed
            )
        )
    PartnershipAgreement.objects.bulk_create(agreements, batch_size=BATCH)
    counts["partnership agreements"] = len(agreements)

    # A3, E1: a workshop in 7 days convening every member; ratios near the threshold.
    workshop = Activity.objects.create(
        kind=ActivityKind.WORKSHOP,
        title="Atelier du banc d'essai",
        starts_at=now + 7 * day + datetime.timedelta(hours=6),
        ends_at=now + 7 * day + datetime.timedelta(hours=9),
        place="1 rue de l'Industrie",
        postcode="57000",
        city="Metz",
        convened_scope=ConvenedScope.ALL_MEMBERS,
        convocations_synced_at=now,
    )
    Convocation.objects.bulk_create(
        [
            Convocation(activity=workshop, organisation_id=pk, source=ConvocationSource.ALL_MEMBERS)
            for pk in members
        ],
        batch_size=BATCH,
    )
    AttendanceRatio.objects.bulk_create(
        [
            AttendanceRatio(
                organisation_id=pk,
                date=today - day,
                window_start=now - 365 * day,
                window_end=now - day,
                convened=10,
                attended=rng.randint(0, 10),
                threshold_percent=33,
                computed_at=now - day,
            )
            for pk in members
        ],
        batch_size=BATCH,
    )

    # I1, E1: invitations by 2 % of the members, ending in 7 days, most not yet accepted.
    invitations = [
        Invitation(
            proposed_by=people[pk][0].user,
            proposing_organisation_id=pk,
            guest_name=f"Invité {number}",
            guest_email=f"invite{number}@bench.cos-ge.fr",
            starts_on=today - 30 * day,
            ends_on=today + 7 * day,
            state=InvitationState.VALIDATED,
            accepted_at=now - day if number % 4 == 0 else None,
        )
        for number, pk in enumerate(_portion(staffed, 0.02, rng))
    ]
    Invitation.objects.bulk_create(invitations, batch_size=BATCH)
    Invitation.activities.through.objects.bulk_create(
        [Invitation.activities.through(invitation=i, activity=workshop) for i in invitations],
        batch_size=BATCH,
    )
    counts["invitations"] = len(invitations)

    # M9: 1 % of the members lost their last representative yesterday.
    alone = _portion(staffed[8:], 0.01, rng)
    Representative.objects.filter(organisation_id__in=alone, end_date__isnull=True).update(
        end_date=today - day
    )
    counts["members without representative"] = len(alone)

    # N1: 2 % of the members owe proofs within 7 days.
    requests = [
        ProofRequest(
            organisation_id=pk,
            description="Statuts à jour.",
            due_on=today + 7 * day,
            requested_by=copil[0],
            requested_at=now - 20 * day,
        )
        for pk in _portion(staffed, 0.02, rng)
    ]
    ProofRequest.objects.bulk_create(requests, batch_size=BATCH)
    counts["proof requests"] = len(requests)

    # V9: an election to announce within 7 days; V11, V6: another whose candidacies close
    # in 3 days and whose vote is in 7, with signed proxies from 1 % of the members.
    def plenary(when, title):
        return Activity.objects.create(
            kind=ActivityKind.ORDINARY_PLENARY,
            title=title,
            starts_at=when,
            ends_at=when + datetime.timedelta(hours=3),
            place="1 rue de l'Industrie",
            postcode="57000",
            city="Metz",
            convened_scope=ConvenedScope.ALL_MEMBERS,
        )

    draft_day = now + 49 * day + datetime.timedelta(hours=6)
    Election.objects.create(
        title="Élection à annoncer",
        plenary=plenary(draft_day, "Plénière d'élection"),
        election_date=timezone.localdate(draft_day),
        candidacy_deadline=now + 20 * day,
        seats_to_fill=2,
        created_by=commission[0],
    )
    vote_day = now + 7 * day + datetime.timedelta(hours=2)
    announced = Election.objects.create(
        title="Élection annoncée",
        plenary=plenary(vote_day, "Plénière de vote"),
        election_date=timezone.localdate(vote_day),
        candidacy_deadline=now + 3 * day,
        seats_to_fill=3,
        status=ElectionStatus.ANNOUNCED,
        announced_at=now - 60 * day,
        created_by=commission[0],
    )
    givers = _portion(staffed[8:], 0.01, rng)
    proxies = [
        Proxy(
            election=announced,
            giver_id=pk,
            holder_id=staffed[0],
            signed_by=people[pk][0].user,
            signed_at=now - day,
            signer_name="Signataire",
        )
        for pk in givers
    ]
    Proxy.objects.bulk_create(proxies, batch_size=BATCH)
    counts["proxies"] = len(proxies)

    # K1: one ad hoc commission for 100 organisations, ending in 7 days.
    commissions = [
        Commission(
            name=f"Commission {number}",
            slug=f"commission-{number}",
            purpose="Objet précis.",
            start_date=today - 200 * day,
            end_date=today + 7 * day,
            facilitator=people[pk][0],
        )
        for number, pk in enumerate(_portion(staffed, 0.01, rng))
    ]
    Commission.objects.bulk_create(commissions, batch_size=BATCH)
    counts["commissions"] = len(commissions)

    # C4: one minutes request for 100 organisations, awaiting the COPIL for 23 days.
    meeting = CopilMeeting.objects.create(title="COPIL de septembre", held_on=today - 30 * day)
    minutes = MinutesRequest.objects.bulk_create(
        [
            MinutesRequest(
                meeting=meeting,
                requester=people[pk][0].user,
                organisation_id=pk,
                reason="Suivi des décisions.",
            )
            for pk in _portion(staffed, 0.01, rng)
        ],
        batch_size=BATCH,
    )
    MinutesRequest.objects.filter(pk__in=[m.pk for m in minutes]).update(created_at=now - 23 * day)
    counts["minutes requests"] = len(minutes)

    # X3: a revision petition that seized the COPIL a week ago.
    CharterRevision.objects.create(
        origin=RevisionOrigin.PETITION,
        title="Révision du banc d'essai",
        reason="Actualiser.",
        status=RevisionStatus.SEIZED,
        opened_at=now - 60 * day,
        threshold_reached_at=now - 7 * day,
        copil_notified_at=now - 7 * day,
    )
    return counts


def _empty_portal_tables() -> None:
    """Inside the caller's transaction (rolled back): the portal's tables emptied, for a
    data set of the size measured. PostgreSQL only (TRUNCATE is transactional there)."""
    from django.apps import apps
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("measure() on a database with data needs PostgreSQL.")
    tables = [
        model._meta.db_table
        for label in ("members", "charters", "activities", "governance", "cos_portal", "auditlog")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE {} CASCADE".format(", ".join(f'"{t}"' for t in tables)))


class Statements(list):
    """Every SQL statement run inside the block, however many: at 20,000 organisations a
    pass sends some 75,000 reminders, past CaptureQueriesContext's 9,000."""

    def __init__(self, connection):
        super().__init__()
        self._wrapper = connection.execute_wrapper(self._record)

    def _record(self, execute, sql, params, many, context):
        self.append(sql)
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        return self._wrapper.__exit__(*exc)


def measure_size(*, organisations: int, seed: int = 2026) -> dict:
    """Build ``organisations`` and their deadlines, run the engine twice; rolled back."""
    from django.db import connection, transaction
    from django.test.utils import override_settings

    from bench.data import build
    from core.deadlines import deadline_clock, deadline_list, deadline_reminders_send
    from members.models import Organisation

    with (
        transaction.atomic(),
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
    ):
        if Organisation.objects.exists():
            _empty_portal_tables()
        build(organisations=organisations, seed=seed, now=NOW)
        counts = build_deadlines(now=NOW, seed=seed)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        today = NOW.date()
        with deadline_clock(NOW):
            window = {
                "start": today - datetime.timedelta(60),
                "end": today + datetime.timedelta(190),
            }
            kinds = {d.kind for d in deadline_list(**window)}
        started = time.perf_counter()
        with Statements(connection) as first:
            sent = deadline_reminders_send(now=NOW)
        seconds = time.perf_counter() - started
        marked_sent = sum(1 for sql in first if _marks_sent(sql))
        renewals = sum(1 for sql in first if _renews_lease(sql))
        started = time.perf_counter()
        with Statements(connection) as second:
            again = deadline_reminders_send(now=NOW)
        seconds_again = time.perf_counter() - started
        from core.models import Reminder

        sent_kinds = set(Reminder.objects.values_list("kind", flat=True).distinct())
        transaction.set_rollback(True)
    return {
        "organisations": organisations,
        "queries": len(first) - marked_sent - renewals,
        "queries_sent": marked_sent,
        "lease_renewals": renewals,
        "queries_total": len(first),
        "queries_second_run": len(second),
        "reminders": sent,
        "reminders_second_run": again,
        "seconds": seconds,
        "seconds_second_run": seconds_again,
        "kinds_listed": sorted(kinds),
        "kinds_reminded": sorted(sent_kinds),
        "data": counts,
    }


def _marks_sent(sql: str) -> bool:
    """The UPDATE of one reminder right after its e-mail (core.leases.Lease.complete)."""
    return sql.startswith('UPDATE "cos_portal_reminder"') and '"sent_at"' in sql


def _renews_lease(sql: str) -> bool:
    """The UPDATE that keeps the run's claim while a long pass goes on (core.leases.Lease
    .renew_if_due, every third of the lease): set by the clock, not by the data."""
    return sql.split(" WHERE ", 1)[0] == 'UPDATE "cos_portal_reminder" SET "claimed_until" = %s'


def measure(*, organisations: int = 2000, small: int = 200, seed: int = 2026) -> dict:
    """One engine pass at ``small`` and at ``organisations``: queries (goal: the same to
    find, record and claim, plus one per reminder sent), time."""
    from core.deadlines import deadline_kinds

    results = [measure_size(organisations=n, seed=seed) for n in (small, organisations)]
    return {
        "sizes": results,
        "kinds": sorted(deadline_kinds()),
        "queries_constant": results[0]["queries"] == results[1]["queries"]
        and all(size["queries_sent"] == size["reminders"] for size in results),
    }


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    prepare_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    result = measure(organisations=args.organisations, small=args.small, seed=args.seed)
    print(f"Database: {connection.vendor}; engine run at {NOW:%Y-%m-%d %H:%M %Z}")
    print(f"Deadline kinds registered: {len(result['kinds'])}")
    for size in result["sizes"]:
        missing = sorted(set(result["kinds"]) - set(size["kinds_listed"]))
        print(
            f"  {size['organisations']:>5} organisations: {size['queries']} queries to find, "
            f"record and claim + {size['queries_sent']:,} to mark each reminder sent "
            f"+ {size['lease_renewals']} to renew the lease, "
            f"{size['reminders']:,} reminders sent in {size['seconds']:.2f} s; "
            f"second run {size['queries_second_run']} queries, "
            f"{size['reminders_second_run']} sent in {size['seconds_second_run']:.2f} s; "
            f"kinds due in the window {len(size['kinds_listed'])}, reminded "
            f"{len(size['kinds_reminded'])}"
            + (f" (not due: {', '.join(missing)})" if missing else "")
        )
        print("        " + ", ".join(f"{k}: {v:,}" for k, v in size["data"].items()))
    small, large = result["sizes"]
    print(
        f"Queries to find, record and claim at {small['organisations']} and "
        f"{large['organisations']} organisations: {small['queries']} and {large['queries']}; "
        f"plus one per reminder sent: {small['queries_sent']:,} for {small['reminders']:,} "
        f"and {large['queries_sent']:,} for {large['reminders']:,} — goal (the same, plus "
        f"one per reminder sent): {'met' if result['queries_constant'] else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
