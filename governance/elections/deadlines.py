"""Deadlines of elections (core/deadlines.py): announcement (V9), candidacies (V11),
proxies to validate (V6), an election needed in the year (V2).

Imported from GovernanceConfig.ready(). Each source reads in a constant number of queries.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charters.selectors import charter_parameters
from core.dates import day_span
from core.deadlines import (
    Deadline,
    deadline_cached,
    deadline_label,
    deadline_now,
    deadline_source,
    group_user_ids,
    viewer_fact,
)
from members import selectors as members_selectors
from members.constants import Role, Status
from members.deadlines import representative_user_ids

from .models import CopilSeat, Election, ElectionStatus, ProxyStatus
from .selectors import (
    election_commission_user_ids,
    elections_commission_memberships,
    latest_mandates_by_seat,
)
from .services import in_blackout, seat_renewal_reason


def _election_commission() -> tuple[int, ...]:
    """The people who run an election (V12), once per list."""
    return election_commission_user_ids(on=timezone.localdate(deadline_now()))


def _copil() -> tuple[int, ...]:
    return group_user_ids(Role.COPIL)


def _open_elections() -> list[Election]:
    """The elections still to hold (draft or announced), each with its proxies waiting
    for validation counted: a few at any time, read once per list for the announcement,
    the candidacies and the proxies."""
    return deadline_cached(
        "open_elections",
        lambda: list(
            Election.objects.filter(status__in=(ElectionStatus.DRAFT, ElectionStatus.ANNOUNCED))
            .annotate(pending=Count("proxies", filter=Q(proxies__status=ProxyStatus.SIGNED)))
            .order_by("election_date", "pk")
        ),
    )


def _in_elections_commission(moment: datetime.datetime):
    """A representation's accepted membership of K3 at ``moment``, for a viewer (read
    with the person's representations, core.deadlines.viewer_fact)."""
    return Exists(
        elections_commission_memberships(on=timezone.localdate(moment)).filter(
            representative=OuterRef("pk"), representative__user__is_active=True
        )
    )


viewer_fact("elections_commission", _in_elections_commission)


def _viewer_in_commission(viewer) -> bool:
    """The viewer of a person's list runs the elections (V12): the group, or K3 (known
    with their representations, or one query, once per list)."""
    if viewer.has_role(Role.ELECTION_COMMISSION):
        return True
    known = viewer.knows("elections_commission")
    if known is not None:
        return known
    today = timezone.localdate(deadline_now())
    return deadline_cached(
        ("elections_commission_member", viewer.user_id),
        lambda: (
            elections_commission_memberships(on=today)
            .filter(representative__user_id=viewer.user_id, representative__user__is_active=True)
            .exists()
        ),
    )


def _commission_and_copil(viewer) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Who acts (the commission, V12) and who is informed (the COPIL); for a viewer, the
    viewer alone where they belong: their list shows only whether they act."""
    if viewer is None:
        return _election_commission(), _copil()
    me = (viewer.user_id,)
    return (me if _viewer_in_commission(viewer) else (), me if viewer.has_role(Role.COPIL) else ())


def _viewer_left_out(viewer) -> bool:
    """A person's list where the elections' deadlines have nobody to tell: the viewer
    neither runs the elections nor sits on the COPIL (who is informed)."""
    return (
        viewer is not None and not viewer.has_role(Role.COPIL) and not _viewer_in_commission(viewer)
    )


# The elections are the commission's (V12): the COPIL is informed, and its overview and
# dashboards say who acts instead of a link to a page refused to it.
COMMISSION_HINT = _(
    "Action de la commission électorale (article 8) : un représentant de membre la rejoint "
    "en demandant à entrer dans la commission permanente des élections (page Commissions), "
    "ou le COPIL l'ajoute au groupe « Commission électorale » dans l'administration."
)
CANDIDACY_HINT = _(
    "Les représentants des membres se portent candidats depuis la page de l'élection ; "
    "la commission électorale suit les candidatures."
)


def _election_url(election) -> str:
    return reverse("elections:detail", kwargs={"pk": election.pk})


@deadline_source(
    "governance.election_announcement", label=_("Annonce d'une élection du COPIL"), required=True
)
def election_announcement_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """Charter art. 6.2 (V9): the election is announced at least 6 weeks before the
    plenary; the election commission and the COPIL act."""
    if _viewer_left_out(viewer):
        return
    elections = [
        election
        for election in _open_elections()
        if election.status == ElectionStatus.DRAFT and election.announced_at is None
    ]
    weeks = charter_parameters(on=timezone.localdate(deadline_now())).election_notice_weeks
    actors, copil = _commission_and_copil(viewer) if elections else ((), ())
    for election in elections:
        due = election.election_date - datetime.timedelta(weeks=weeks)
        if not start <= due <= end:
            continue
        yield Deadline(
            key=f"governance.election_announcement:{election.pk}",
            kind="governance.election_announcement",
            label=deadline_label(_("Annoncer l'élection « %(title)s »"), title=election.title),
            due=due,
            act_url=_election_url(election),
            actors=actors,
            informed=copil,
            offsets=(30, 7, 1, 0),
            required=True,
            act_hint=COMMISSION_HINT,
        )


@deadline_source(
    "governance.candidacy_deadline",
    label=_("Clôture des candidatures au COPIL"),
    required=False,
)
def candidacy_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """Charter art. 6.2 (V11): candidacies close at the ordinary plenary before the
    election; the representatives of members may stand, the commission is informed.
    For a viewer: whether they represent a member, whether they run the elections."""
    if viewer is not None:
        stands = bool(viewer.organisations_with({Status.MEMBER}))
        if not stands and not _viewer_in_commission(viewer):
            return
    first, last = day_span(start, end)
    elections = [
        election
        for election in _open_elections()
        if election.status == ElectionStatus.ANNOUNCED
        and election.candidacy_deadline is not None
        and first <= election.candidacy_deadline <= last
    ]
    if not elections:
        return
    if viewer is not None:
        people = (viewer.user_id,) if stands else ()
        commission = (viewer.user_id,) if _viewer_in_commission(viewer) else ()
    else:
        moment = deadline_now()
        members = members_selectors.organisation_ids_holding({Status.MEMBER}, at=moment)
        representatives = representative_user_ids(members, on=timezone.localdate(moment))
        people = tuple(sorted({pk for ids in representatives.values() for pk in ids}))
        commission = _election_commission()
    for election in elections:
        yield Deadline(
            key=f"governance.candidacy_deadline:{election.pk}",
            kind="governance.candidacy_deadline",
            label=deadline_label(
                _("Clôture des candidatures : « %(title)s »"), title=election.title
            ),
            due=timezone.localdate(election.candidacy_deadline),
            act_url=reverse("elections:candidacy", kwargs={"pk": election.pk}),
            actors=people,
            informed=commission,
            offsets=(14, 3, 0),
            required=False,
            act_hint=CANDIDACY_HINT,
        )


@deadline_source(
    "governance.proxy_validation", label=_("Procurations à valider avant le vote"), required=True
)
def proxy_validation_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """Charter art. 6.2 (V6): the election commission validates the signed proxies before
    the vote opens."""
    if _viewer_left_out(viewer):
        return
    elections = [e for e in _open_elections() if start <= e.election_date <= end and e.pending]
    commission, copil = _commission_and_copil(viewer) if elections else ((), ())
    for election in elections:
        yield Deadline(
            key=f"governance.proxy_validation:{election.pk}",
            kind="governance.proxy_validation",
            label=deadline_label(
                _("Valider les procurations de l'élection « %(title)s »"), title=election.title
            ),
            due=election.election_date,
            act_url=_election_url(election),
            actors=commission,
            informed=copil,
            offsets=(7, 2, 0),
            required=True,
            act_hint=COMMISSION_HINT,
        )


@deadline_source(
    "governance.election_needed", label=_("Élection à organiser dans l'année"), required=True
)
def election_needed_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """Charter art. 6.2 (V2): an election is organised each calendar year in which seats
    are to be renewed. With no election planned that year, the commission and the COPIL
    are reminded of the last day to announce one: the charter's notice (V9) before the
    last day of the year outside its blackout windows (V10; with V1 R001, six weeks before
    19 December)."""
    if _viewer_left_out(viewer):
        return
    today = timezone.localdate(deadline_now())
    params = charter_parameters(on=today)
    years = [y for y in range(start.year, end.year + 1) if y >= today.year]
    if not years:
        return
    planned = set(
        Election.objects.filter(election_date__year__in=years).values_list(
            "election_date__year", flat=True
        )
    )
    seats = list(
        CopilSeat.objects.filter(number__lte=params.copil_seats).values_list("pk", flat=True)
    )
    actors = None
    for year in years:
        if year in planned:
            continue
        last_day = datetime.date(year, 12, 31)
        while last_day.year == year and in_blackout(last_day, params=params):
            last_day -= datetime.timedelta(days=1)
        if last_day.year != year:  # a charter with no day left for an election that year
            continue
        due = last_day - datetime.timedelta(weeks=params.election_notice_weeks)
        if not start <= due <= end:
            continue
        latest = latest_mandates_by_seat(on=last_day)
        up = (
            params.copil_seats
            - len(seats)
            + sum(
                1
                for seat in seats
                if seat_renewal_reason(mandate=latest.get(seat), on=last_day, params=params)
            )
        )
        if not up:
            continue
        if actors is None:
            actors, copil = _commission_and_copil(viewer)
        yield Deadline(
            key=f"governance.election_needed:{year}",
            kind="governance.election_needed",
            label=deadline_label(
                _("Annoncer l'élection du COPIL de %(year)s (%(seats)s sièges à renouveler)"),
                year=year,
                seats=up,
            ),
            due=due,
            act_url=reverse("elections:create"),
            actors=actors,
            informed=copil,
            offsets=(120, 60, 30, 7, 0),
            required=True,
            act_hint=COMMISSION_HINT,
        )
