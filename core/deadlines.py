"""The deadline engine: every deadline the charter creates, from one registry of sources.

Each app declares its deadlines in ``<app>/deadlines.py`` with ``@deadline_source``,
imported from its ``AppConfig.ready()``. A source is a function
``fn(*, start: date, end: date) -> Iterable[Deadline]`` returning the deadlines whose
due date falls in ``[start, end]``; it reads the database in a constant number of
queries whatever the number of organisations (select_related, prefetch, annotations).

``deadline_list`` merges the sources (the COPIL overview, a person's dashboard, iCal).
A person's dashboard passes a ``DeadlineViewer`` (who they are, the organisations they
represent, their roles): a source that accepts ``viewer`` then reads only what concerns
that person (their organisations' rows, their own), or nothing at all when its actors and
informed are a role the person does not hold, so that the dashboard costs the same
whatever the number of organisations. What a source asks of each of the person's
representations (``viewer_fact``) is read with them, in their query. During one
``deadline_list`` the sources share what does not change within it (the COPIL's
members, the charter in force) through ``deadline_cached``.
``deadline_reminders_send`` is the engine run daily by django-celery-beat: it records
each reminder under the unique key (deadline, recipient, offset) before sending it, then
sends only the reminders it claimed (core/leases.py), marking each one sent right
after its e-mail: two runs, or two workers at once, never send the same reminder twice,
and the reminders of a worker killed in the middle of a batch are sent by the next run
or by ``reminders_resume`` (every few minutes) once that worker's lease has expired.
"""

from __future__ import annotations

import datetime
import inspect
import json
import logging
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy

from . import emails, queue
from .audit import audit_log
from .audit_actions import CoreAudit
from .emails import email_compose, recipient_language
from .leases import Lease
from .models import Reminder, ReminderMute, ReminderStatus
from .roles import copil_group
from .site import absolute_url

# Registers the engine's tasks in every process that loads the deadline sources.
from .tasks_reminders import reminder_send_task

logger = logging.getLogger(__name__)

__all__ = [
    "AHEAD_DAYS",
    "OVERDUE_DAYS",
    "Deadline",
    "DeadlineRow",
    "DeadlineKind",
    "DeadlineViewer",
    "deadline_cached",
    "deadline_memo",
    "deadline_memo_active",
    "deadline_kinds",
    "deadline_label",
    "deadline_list",
    "deadline_clock",
    "deadline_now",
    "deadline_reminders_send",
    "deadline_source",
    "reminders_resume",
    "viewer_fact",
    "viewer_fact_expressions",
    "viewer_fact_names",
]


@dataclass(frozen=True, slots=True)  # no __dict__: the COPIL's lists build thousands
class Deadline:
    key: str  # stable unique id, e.g. "charters.resignature:12:org:34"
    kind: str  # one of the registered kinds
    label: str  # French msgid rendered in the active language (see deadline_label)
    due: datetime.date
    act_url: str  # path where the person acts
    actors: tuple[int, ...]  # user ids who must act
    informed: tuple[int, ...]  # user ids who are informed
    offsets: tuple[int, ...]  # days before due (0 = on the day, -1 = one day overdue...)
    required: bool  # required by the charter: cannot be muted
    organisation_id: int | None = None
    # Who acts and how one becomes so (French msgid, lazy): what a list shows instead of
    # the link to act to anyone who is not among ``actors`` (the informed, the COPIL's
    # overview), so that no "Agir" link leads to a page refused to its reader.
    act_hint: str = ""

    def can_act(self, user_id: int | None) -> bool:
        """Whether the person is one of those who act, at ``act_url``."""
        return user_id is not None and user_id in self.actors


@dataclass(frozen=True)
class DeadlineViewer:
    """The person a list of deadlines is read for (their dashboard), known before the
    sources run: a source given a viewer returns at least every deadline where that person
    acts or is informed, and may leave out of ``actors`` and ``informed`` the people
    outside the viewer's organisations and roles (the person's list shows only whether
    they act). Built by members (members.selectors.deadline_viewer)."""

    user_id: int
    # organisation id -> its status (members.constants.Status), for each organisation the
    # person actively represents, and its name.
    organisations: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)
    # Among them, those where the person is an authorised signatory, and those that have
    # one (the person or another representative): who signs the charter (X4).
    signatory_of: frozenset = frozenset()
    with_signatory: frozenset = frozenset()
    roles: frozenset = frozenset()  # the person's group names (core/roles.py)
    # viewer_fact name -> {organisation id: the fact's value on the person's representation
    # of it}, for the facts read with them (absent: not read, the source asks the database).
    facts: dict = field(default_factory=dict)

    def organisations_with(self, statuses) -> list[int]:
        """The person's organisations holding one of ``statuses``, by id."""
        wanted = {str(s) for s in statuses}
        return sorted(pk for pk, status in self.organisations.items() if status in wanted)

    def has_role(self, name: str) -> bool:
        return str(name) in self.roles

    def fact(self, name: str) -> dict | None:
        """A registered ``viewer_fact``: organisation id -> its value on the person's
        representation of that organisation; None when it was not read with them."""
        return self.facts.get(name)

    def knows(self, name: str) -> bool | None:
        """Whether a ``viewer_fact`` holds (is true) of one of the person's
        representations; None when it was not read with them."""
        values = self.facts.get(name)
        return None if values is None else any(values.values())


# What the sources ask of a viewer's representations (whether the person sits on the
# elections commission, K3; since when their organisation owes the charter, X4), read
# in the query of the representations instead of one query each: name ->
# ``expression(moment)``, an expression on a representation's row (OuterRef("pk") is the
# representative, OuterRef("organisation_id") its organisation) at ``moment``.
_VIEWER_FACTS: dict[str, Callable] = {}


def viewer_fact(name: str, expression: Callable) -> None:
    """Register a fact read with a viewer's representations (``DeadlineViewer.fact``);
    ``name`` is an identifier (it names an annotation)."""
    _VIEWER_FACTS[name] = expression


def viewer_fact_names() -> list[str]:
    return list(_VIEWER_FACTS)


def viewer_fact_expressions(moment: datetime.datetime) -> dict:
    """name -> the registered facts' expressions at ``moment`` (members annotates them)."""
    return {name: expression(moment) for name, expression in _VIEWER_FACTS.items()}


@dataclass(frozen=True)
class DeadlineKind:
    kind: str
    label: str  # lazy French label of the kind (preferences page, filters)
    required: bool
    source: Callable[..., Iterable[Deadline]]
    # The source accepts ``viewer`` (a DeadlineViewer) and reads only what concerns them.
    scoped: bool = False


_REGISTRY: dict[str, DeadlineKind] = {}


def deadline_source(kind: str, *, label, required: bool):
    """Register ``fn(*, start, end[, viewer=None]) -> Iterable[Deadline]`` as the source
    of ``kind``; with a ``viewer`` parameter, it is given the person a list is read for."""

    def register(fn):
        scoped = "viewer" in inspect.signature(fn).parameters
        _REGISTRY[kind] = DeadlineKind(
            kind=kind, label=label, required=required, source=fn, scoped=scoped
        )
        return fn

    return register


# What the sources of one deadline_list share (the COPIL's members, the charter in force):
# read once per list instead of once per source.
_MEMO: ContextVar[dict | None] = ContextVar("deadline_memo", default=None)


def deadline_cached(key, compute: Callable[[], object]):
    """``compute()`` once per ``deadline_list`` (a key per value); outside one, each call
    computes."""
    memo = _MEMO.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def deadline_memo_active() -> bool:
    """Whether a list of deadlines (or a page sharing its values) is being built."""
    return _MEMO.get() is not None


@contextmanager
def deadline_memo():
    """Share ``deadline_cached`` values within the block (nested blocks share the outer
    one's): a page that reads several lists reads the shared values once. Within it the
    sources read the database as at one moment (``deadline_now``: the block's start, or
    the ``deadline_clock`` set around it), so that what they share holds for each."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    clock = _NOW.set(deadline_now())
    try:
        yield
    finally:
        _NOW.reset(clock)
        _MEMO.reset(token)


def deadline_kinds() -> dict[str, DeadlineKind]:
    """kind -> DeadlineKind (label, required), in registration order."""
    return dict(_REGISTRY)


def _render(message, params: dict) -> str:
    return str(message) % params if params else str(message)


_lazy_render = lazy(_render, str)


def deadline_label(message, **params) -> str:
    """A label rendered in the language active when it is displayed: pass a
    ``gettext_lazy`` msgid and its parameters (e-mails render it per recipient)."""
    if not isinstance(message, Promise) and not params:
        return message
    return _lazy_render(message, params)


def deadline_list(
    *,
    start: datetime.date,
    end: datetime.date,
    kinds: Iterable[str] | None = None,
    user_id: int | None = None,
    viewer: DeadlineViewer | None = None,
) -> list[Deadline]:
    """The deadlines due in ``[start, end]``, sorted by due date; ``user_id`` keeps those
    where the person acts or is informed. With ``viewer`` (the same person, with their
    organisations and roles), the sources that accept it read only what concerns them."""
    if viewer is not None:
        user_id = viewer.user_id
    selected = list(_REGISTRY) if kinds is None else [k for k in kinds if k in _REGISTRY]
    deadlines = []
    with deadline_memo():
        for kind in selected:
            registered = _REGISTRY[kind]
            options = {"viewer": viewer} if viewer is not None and registered.scoped else {}
            for deadline in registered.source(start=start, end=end, **options):
                if not start <= deadline.due <= end:
                    continue
                if user_id is not None and (
                    user_id not in deadline.actors and user_id not in deadline.informed
                ):
                    continue
                deadlines.append(deadline)
    deadlines.sort(key=lambda d: (d.due, d.kind, d.key))
    return deadlines


# --- The lists people read ------------------------------------------------------------

# The COPIL's overview and a person's dashboard: the deadlines due in the next AHEAD_DAYS
# and those overdue for up to OVERDUE_DAYS.
AHEAD_DAYS = 90
OVERDUE_DAYS = 30


_DEFAULT_ACT_HINT = gettext_lazy(
    "À faire par les personnes indiquées dans « Qui agit », depuis le lien de leur rappel."
)


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    """One deadline as a list shows it: its kind's label, the organisation's name, who acts."""

    deadline: Deadline
    kind_label: str
    organisation: str
    actors: list[str]
    days_left: int
    # The reader acts (the link "Agir" to act_url); otherwise the row says who acts.
    can_act: bool = True
    # Those who act and are not named, when a list names a few of them only (the cockpit).
    actors_more: int = 0

    @property
    def act_hint(self) -> str:
        return self.deadline.act_hint or _DEFAULT_ACT_HINT

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def overdue_days(self) -> int:
        return -self.days_left


def deadline_rows(
    deadlines: list[Deadline],
    *,
    organisation_names: dict[int, str],
    viewer_id: int | None,
    today: datetime.date,
    actors_named: int | None = None,
) -> list[DeadlineRow]:
    """The rows of a list of deadlines: who acts, named in one query; the link to act
    only for those who act. With ``actors_named``, at most that many of each deadline's
    actors are named (and read), the others counted in ``actors_more``."""

    def named(deadline: Deadline) -> tuple[int, ...]:
        return deadline.actors if actors_named is None else deadline.actors[:actors_named]

    actor_ids = {pk for d in deadlines for pk in named(d)}
    people = {
        user.pk: user.get_full_name() or user.email
        for user in get_user_model()
        .objects.filter(pk__among=actor_ids)
        .only("pk", "first_name", "last_name", "email")
    }
    kinds = deadline_kinds()
    return [
        DeadlineRow(
            deadline=d,
            kind_label=str(kinds[d.kind].label) if d.kind in kinds else d.kind,
            organisation=organisation_names.get(d.organisation_id, ""),
            actors=sorted((people[pk] for pk in named(d) if pk in people), key=str.lower),
            days_left=(d.due - today).days,
            can_act=d.can_act(viewer_id),
            actors_more=len(d.actors) - len(named(d)),
        )
        for d in deadlines
    ]


# --- The clock of the sources -----------------------------------------------------------

_NOW: ContextVar[datetime.datetime | None] = ContextVar("deadline_now", default=None)


def deadline_now() -> datetime.datetime:
    """The moment the sources read the database at: the engine's ``now`` during a run."""
    return _NOW.get() or timezone.now()


def deadline_today() -> datetime.date:
    return timezone.localdate(deadline_now())


@contextmanager
def deadline_clock(now: datetime.datetime):
    """Read the sources as at ``now`` (the engine's runs, a benchmark, a test)."""
    token = _NOW.set(now)
    try:
        yield
    finally:
        _NOW.reset(token)


# --- Who is told ------------------------------------------------------------------------


def group_user_ids(*names: str) -> tuple[int, ...]:
    """The active users of the groups ``names`` (COPIL, election commission): the members
    of every group are read in one query, once per deadline_list, whichever groups the
    sources ask for."""
    wanted = {str(name) for name in names}
    members = deadline_cached("group_members", _group_members)
    return tuple(sorted({pk for name, pk in members if name in wanted}))


def _group_members() -> tuple[tuple[str, int], ...]:
    return tuple(
        get_user_model()
        .objects.filter(is_active=True, groups__isnull=False)
        .values_list("groups__name", "pk")
    )


def copil_user_ids() -> tuple[int, ...]:
    return group_user_ids(copil_group())


# --- The engine -------------------------------------------------------------------------

# The engine asks the sources for the deadlines due in [today - LOOKBACK, today + LOOKAHEAD]:
# every offset a source declares lies in [-LOOKBACK_DAYS, LOOKAHEAD_DAYS].
LOOKBACK_DAYS = 60
LOOKAHEAD_DAYS = 190
# The engine's own try, then retries by reminder_send_task with exponential backoff.
REMINDER_MAX_ATTEMPTS = 5
REMINDER_BACKOFF_SECONDS = 60


def reminder_offset_due(*, offsets: Iterable[int], due: datetime.date, today: datetime.date):
    """The offset whose reminder is due on ``today``: the last one reached (a day the engine
    did not run, or a deadline created late, is caught up with the latest reminder only);
    None before the first offset, and once the due date and the last offset have passed."""
    days_left = (due - today).days
    if not offsets or days_left < min(*offsets, 0):
        return None  # past the due date and past the last overdue reminder
    reached = [offset for offset in offsets if offset >= days_left]
    return min(reached) if reached else None


def reminder_backoff(attempts: int) -> int:
    """Seconds before the next try: 1, 4, 16 min..., always below the broker's visibility
    timeout (a countdown past it would have Redis hand the task to a second worker)."""
    ceiling = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get(
        "visibility_timeout", 3600
    )
    return min(REMINDER_BACKOFF_SECONDS * 4 ** max(attempts - 1, 0), ceiling // 2)


def deadline_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """The engine (run daily by django-celery-beat): record then send the reminders due
    today; returns the number sent.

    Insert first: every reminder due is inserted under its unique key (deadline,
    recipient, offset) with ``ignore_conflicts``; then the run claims the pending
    reminders nobody holds (today's, and those a killed worker left once its lease
    expired) and sends those. A second run, or a second worker at the same time, inserts
    nothing and sends nothing twice. A constant number of queries to find, record and
    claim, plus one per reminder sent (it is marked sent right after its e-mail).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    with deadline_clock(now):
        deadlines = deadline_list(
            start=today - datetime.timedelta(days=LOOKBACK_DAYS),
            end=today + datetime.timedelta(days=LOOKAHEAD_DAYS),
        )
    muted = set(ReminderMute.objects.values_list("user_id", "kind"))
    rows = []
    for deadline in deadlines:
        offset = reminder_offset_due(offsets=deadline.offsets, due=deadline.due, today=today)
        if offset is None:
            continue
        labels = _labels(deadline.label)
        recipients = dict.fromkeys(deadline.actors, False)
        for user_id in deadline.informed:
            recipients.setdefault(user_id, True)
        for user_id, informed_only in recipients.items():
            if not deadline.required and (user_id, deadline.kind) in muted:
                continue
            rows.append(
                Reminder(
                    deadline_key=deadline.key,
                    kind=deadline.kind,
                    recipient_id=user_id,
                    offset=offset,
                    due=deadline.due,
                    informed_only=informed_only,
                    labels=labels,
                    act_url=deadline.act_url,
                    created_at=now,
                )
            )
    if rows:
        reminders_insert(rows)
    return reminders_resume(now=now)


def reminders_resume(*, now: datetime.datetime | None = None) -> int:
    """Claim the pending reminders nobody holds, or whose holder's lease has expired (a
    worker killed in the middle of a batch), and send them; returns the number sent.

    Run by the engine after its insert, and every few minutes by django-celery-beat
    (``reminders_resume_task``): one query when there is nothing to take over.
    """
    lease = Lease(Reminder)
    if not lease.claim(Reminder.objects.filter(status=ReminderStatus.PENDING)):
        return 0
    mine = list(lease.held().select_related("recipient").order_by("pk"))
    return reminders_deliver(reminders=mine, lease=lease, now=now)


_INSERTED_FIELDS = (
    "deadline_key",
    "kind",
    "recipient_id",
    "offset",
    "due",
    "informed_only",
    "labels",
    "act_url",
    "status",
    "attempts",
    "last_error",
    "created_at",
    "claimed_by",
)


def reminders_insert(rows) -> None:
    """Insert ``rows`` (unsaved Reminders), skipping those whose key is taken, in ONE query
    whatever their number: the rows travel as one JSON parameter (bulk_create would split
    them into batches, whose number grows with the organisations)."""
    if connection.vendor not in {"postgresql", "sqlite"}:
        Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        return
    ops = connection.ops
    payload = json.dumps(
        [
            {
                "deadline_key": r.deadline_key,
                "kind": r.kind,
                "recipient_id": r.recipient_id,
                "offset": r.offset,
                "due": r.due.isoformat(),
                "informed_only": r.informed_only,
                "labels": r.labels,
                "act_url": r.act_url,
                "status": r.status,
                "attempts": r.attempts,
                "last_error": r.last_error,
                "created_at": str(ops.adapt_datetimefield_value(r.created_at)),
                "claimed_by": r.claimed_by,
            }
            for r in rows
        ]
    )
    # Identifiers are the model's own constants; the data is the one bound parameter.
    columns = ", ".join(ops.quote_name(f) for f in _INSERTED_FIELDS)
    table = ops.quote_name(Reminder._meta.db_table)
    if connection.vendor == "postgresql":
        types = (
            'deadline_key text, kind text, recipient_id bigint, "offset" smallint, due date, '
            "informed_only boolean, labels jsonb, act_url text, status text, attempts smallint, "
            "last_error text, created_at timestamptz, claimed_by text"
        )
        values = ", ".join(f"x.{ops.quote_name(f)}" for f in _INSERTED_FIELDS)
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT {values} "  # noqa: S608  # nosec B608
            f"FROM jsonb_to_recordset(%s::jsonb) AS x({types}) ON CONFLICT DO NOTHING"
        )
    else:
        values = ", ".join(
            f"json_extract(value, '$.{f}')"
            if f != "labels"
            else "json(json_extract(value, '$.labels'))"
            for f in _INSERTED_FIELDS
        )
        # "WHERE true": SQLite's upsert after INSERT ... SELECT needs it to parse.
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT {values} FROM json_each(%s) "  # noqa: S608  # nosec B608
            "WHERE true ON CONFLICT DO NOTHING"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [payload])


def _labels(label) -> dict[str, str]:
    labels = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            labels[language] = str(label)
    return labels


def reminders_deliver(*, reminders, lease, now: datetime.datetime | None = None) -> int:
    """Send ``reminders`` (rows ``lease`` holds) over one SMTP connection; each one is
    marked sent right after its e-mail (one UPDATE, only while the lease still holds it),
    a failed one is released until its retry by reminder_send_task (backoff). Returns the
    number sent."""
    from django.core.mail import get_connection

    now = now or timezone.now()
    reachable = [r for r in reminders if r.recipient.is_active and r.recipient.email]
    unreachable = {r.pk for r in reminders} - {r.pk for r in reachable}
    if unreachable:  # an erased or closed account: no retry
        lease.held().filter(pk__among=unreachable).update(
            status=ReminderStatus.FAILED,
            last_error="inactive account or no e-mail address",
            claimed_by="",
            claimed_until=None,
        )
    sent = 0
    connection = get_connection()
    for reminder in reachable:
        lease.renew_if_due()
        try:
            reminder_email(reminder, now=now).send_with(connection)
        except Exception as error:  # SMTP, DNS, a broken template: retried, then shown
            logger.warning("reminder %s not sent: %s", reminder.pk, error)
            _reminder_failed(reminder, lease=lease, attempts=reminder.attempts + 1, error=error)
            continue
        sent += 1
        if not lease.complete(
            reminder.pk,
            status=ReminderStatus.SENT,
            sent_at=now,
            attempts=reminder.attempts + 1,
            last_error="",
        ):
            logger.warning("reminder %s sent after its lease was taken over", reminder.pk)
    return sent


def _reminder_failed(reminder, *, lease, attempts: int, error: Exception) -> str:
    """Record a failed try: released until the next one, queued with that countdown, or
    failed for good once REMINDER_MAX_ATTEMPTS tries are spent."""
    if attempts >= REMINDER_MAX_ATTEMPTS:
        lease.release(
            reminder.pk,
            status=ReminderStatus.FAILED,
            attempts=attempts,
            last_error=_describe(error),
        )
        return "failed"
    countdown = reminder_backoff(attempts)
    retry_at = timezone.now() + datetime.timedelta(seconds=countdown)
    if lease.release(reminder.pk, until=retry_at, attempts=attempts, last_error=_describe(error)):
        reminder_retry(reminder_id=reminder.pk, attempts=attempts)
    return "retry"


def reminder_retry(*, reminder_id: int, attempts: int) -> None:
    """Queue the next try of a reminder once the transaction has committed."""
    queue.task_enqueue(reminder_send_task, reminder_id, countdown=reminder_backoff(attempts))


def reminder_send(*, reminder_id: int, now: datetime.datetime | None = None) -> str:
    """One try of one reminder (the retry task, the admin's re-send): "sent", "retry"
    (failed, released until its next try, which is queued), "failed" (no try left), or
    "done" (nothing to send: sent meanwhile, or another run holds it).

    The row is claimed (core/leases.py), not locked: no transaction stays open
    during SMTP, and a worker killed during the send leaves the row to the next run once
    the lease has expired.
    """
    now = now or timezone.now()
    lease = Lease(Reminder)
    pending = Reminder.objects.filter(pk=reminder_id, status=ReminderStatus.PENDING)
    if not lease.claim(pending, released_for_retry=True):
        return "done"
    reminder = lease.held().select_related("recipient").get(pk=reminder_id)
    attempts = reminder.attempts + 1
    try:
        reminder_email(reminder, now=now).send()
    except Exception as error:  # SMTP, DNS...: kept with its error for the admin
        logger.warning("reminder %s not sent: %s", reminder.pk, error)
        return _reminder_failed(reminder, lease=lease, attempts=attempts, error=error)
    lease.complete(
        reminder.pk, status=ReminderStatus.SENT, sent_at=now, attempts=attempts, last_error=""
    )
    return "sent"


def reminders_resend(*, reminder_ids: Iterable[int], actor=None) -> int:
    """The admin's "renvoyer": failed reminders go back to the queue with fresh tries."""
    with transaction.atomic():
        ids = list(
            Reminder.objects.filter(pk__in=list(reminder_ids))
            .exclude(status=ReminderStatus.SENT)
            .values_list("pk", flat=True)
        )
        # Claimable at once: by the retry queued below, or by the next resume.
        Reminder.objects.filter(pk__in=ids).update(
            status=ReminderStatus.PENDING, attempts=0, claimed_by="", claimed_until=None
        )
        for pk in ids:
            reminder_retry(reminder_id=pk, attempts=0)
        if ids:
            audit_log(action=CoreAudit.REMINDER_RESENT, actor=actor, data={"reminders": ids})
    return len(ids)


def _describe(error: Exception) -> str:
    return f"{error.__class__.__name__}: {error}"[:2000]


class _Email:
    """One reminder's message, sent on the batch's connection or on its own."""

    def __init__(self, message):
        self.message = message

    def send_with(self, connection) -> None:
        self.message.connection = connection
        self.message.send(fail_silently=False)

    def send(self) -> None:
        self.message.send(fail_silently=False)


def reminder_email(reminder, *, now: datetime.datetime | None = None) -> _Email:
    """The e-mail of one reminder, plain text and HTML, in the recipient's language, with
    the absolute link where they act."""
    user = reminder.recipient
    if not user.is_active or not user.email:
        raise ValueError("recipient without an active e-mail address")
    language = recipient_language(user.language)
    today = timezone.localdate(now or timezone.now())
    context = {
        "user": user,
        "label": reminder.labels.get(language)
        or reminder.labels.get("fr")
        or reminder.deadline_key,
        "due": reminder.due,
        "days_left": (reminder.due - today).days,
        "days_late": (today - reminder.due).days,
        "informed_only": reminder.informed_only,
        "act_url": absolute_url(reminder.act_url),
        "mutable": not _kind_required(reminder.kind),
        "preferences_url": absolute_url(reverse("reminder_preferences")),
    }
    message = email_compose(
        kind="deadline_reminder" if context["mutable"] else "deadline_reminder_required",
        to=[user.email],
        subject=lambda: render_to_string("cos_portal/email/deadline_reminder_subject.txt", context),
        template="cos_portal/email/deadline_reminder",
        context=context,
        language=language,
        recipient=user,  # the link that mutes this kind of reminder for them
        topic=reminder.kind,
    )
    return _Email(emails.email_build(message))  # on the module: the funnel, patchable as one


def _kind_required(kind: str) -> bool:
    registered = _REGISTRY.get(kind)
    return registered.required if registered else True


# --- Muting optional reminders ----------------------------------------------------------


def reminder_preferences(*, user) -> list[dict]:
    """Every kind, with whether the person receives it and whether they may mute it."""
    muted = set(ReminderMute.objects.filter(user=user).values_list("kind", flat=True))
    return [
        {
            "kind": kind.kind,
            "label": kind.label,
            "required": kind.required,
            "receives": kind.required or kind.kind not in muted,
        }
        for kind in _REGISTRY.values()
    ]


@transaction.atomic
def reminder_preferences_set(*, user, received_kinds: Iterable[str]) -> set[str]:
    """Mute the optional kinds not in ``received_kinds``; a kind the charter requires is
    never muted, an unknown one is ignored. Returns the muted kinds."""
    received = set(received_kinds)
    muted = {k for k, kind in _REGISTRY.items() if not kind.required and k not in received}
    ReminderMute.objects.filter(user=user).exclude(kind__in=muted).delete()
    ReminderMute.objects.bulk_create(
        [ReminderMute(user=user, kind=k) for k in sorted(muted)], ignore_conflicts=True
    )
    return muted


def reminder_unsubscribe(*, user, topic: str, **_kind) -> None:
    """The one-click link of an optional reminder (core/emails.py): mutes its deadline
    kind for the person, as unticking it on /compte/rappels/ does (a required kind stays)."""
    registered = _REGISTRY.get(topic)
    if registered is not None and not registered.required:
        ReminderMute.objects.get_or_create(user=user, kind=topic)


def reminder_kind_label(topic: str) -> str:
    """The label of a deadline kind, in the active language (the unsubscribe page)."""
    registered = _REGISTRY.get(topic)
    return str(registered.label) if registered else topic
