"""Reads of COPIL seats, mandates, elections, proxies and ballots (art. 6).

Nothing here ever joins a ballot to a voter: the only reads of ``Ballot`` are
aggregates and the list of receipts (V6).
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.deadlines import deadline_cached, deadline_memo_active, group_user_ids
from core.roles import is_copil, user_role_names
from governance.commissions.models import (
    Commission,
    CommissionMembership,
    CommissionStatus,
    MembershipStatus,
    StandingRole,
)
from governance.selectors import member_organisations, member_representations
from members.constants import COPIL_GROUP, Role, Status
from members.models import User
from members.selectors import active_representatives, status_subquery

from .models import (
    Ballot,
    BallotChoice,
    Candidacy,
    CopilSeat,
    Election,
    ElectionStatus,
    Mandate,
    Proxy,
    ProxyStatus,
    VoteRecord,
)

LIVE_PROXY_STATUSES = (ProxyStatus.SIGNED, ProxyStatus.VALIDATED)


# --- Roles -------------------------------------------------------------------------------


def is_election_commission(user) -> bool:
    """Charter art. 6.2, 8 (V12): members of the elections commission run the ballot.

    The plain group "Commission électorale" counts, and so do the accepted members of
    the standing "elections" commission (K3).
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or Role.ELECTION_COMMISSION in user_role_names(user):
        return True
    if deadline_memo_active():  # a page that reads the deadlines too: their shared list
        return user.pk in election_commission_user_ids(on=timezone.localdate())
    return (
        elections_commission_memberships(on=timezone.localdate())
        .filter(representative__user=user)
        .exists()
    )


def election_commission_user_ids(*, on: datetime.date) -> tuple[int, ...]:
    """The active people who run an election (V12): the group "Commission électorale"
    and the accepted members of the standing elections commission (K3), as
    is_election_commission counts them; read once per list of deadlines (or page
    sharing its reads: core.deadlines.deadline_cached)."""

    def read():
        members = (
            elections_commission_memberships(on=on)
            .filter(representative__user__is_active=True)
            .values_list("representative__user_id", flat=True)
        )
        return tuple(sorted({*group_user_ids(Role.ELECTION_COMMISSION), *members}))

    return deadline_cached(("election_commission", on), read)


def elections_commission_memberships(*, on: datetime.date):
    """The accepted members of the active standing elections commission (K3) whose
    representation runs on ``on``: with the group, they run the elections (V12)."""
    return CommissionMembership.objects.filter(
        commission__standing_role=StandingRole.ELECTIONS,
        commission__status=CommissionStatus.ACTIVE,
        status=MembershipStatus.ACCEPTED,
        representative__start_date__lte=on,
    ).filter(Q(representative__end_date__isnull=True) | Q(representative__end_date__gte=on))


def election_commission_people(*, on: datetime.date | None = None) -> list:
    """Who runs the elections (V12): the group "Commission électorale" and the accepted
    members of the standing elections commission (K3), superusers aside; two queries."""
    on = on or timezone.localdate()
    people = {
        user.pk: user
        for user in User.objects.filter(
            groups__name=Role.ELECTION_COMMISSION, is_active=True
        ).order_by("last_name", "first_name")
    }
    memberships = elections_commission_memberships(on=on).select_related("representative__user")
    for membership in memberships:
        people.setdefault(membership.representative.user_id, membership.representative.user)
    return sorted(people.values(), key=lambda user: (user.last_name, user.first_name, user.email))


def elections_commission():
    """The standing elections commission (K3), if it exists."""
    return Commission.objects.filter(standing_role=StandingRole.ELECTIONS).first()


def can_see_elections(user) -> bool:
    """Elections, candidates and results are shown to members, the commission and the COPIL.

    The roles first (the user's groups, read once per request), then the representations:
    most visitors of these pages are members, answered in one more query.
    """
    return (
        is_copil(user) or member_representations(user=user).exists() or is_election_commission(user)
    )


# --- Seats and mandates ------------------------------------------------------------------


def seat_list() -> QuerySet:
    return CopilSeat.objects.order_by("number")


def mandates_active_on(*, on: datetime.date) -> QuerySet:
    """Mandates running on ``on``: started, and not ended on or before that day."""
    return (
        Mandate.objects.filter(start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=on))
        .select_related("seat", "holder", "organisation")
        .order_by("seat__number")
    )


def latest_mandates_by_seat(*, on: datetime.date) -> dict[int, Mandate]:
    """For each seat, the latest mandate started by ``on`` (ended or not)."""
    latest: dict[int, Mandate] = {}
    for mandate in (
        Mandate.objects.filter(start_date__lte=on)
        .select_related("seat", "holder", "organisation")
        .order_by("seat_id", "start_date", "pk")
    ):
        latest[mandate.seat_id] = mandate
    return latest


def copil_group() -> Group:
    return Group.objects.get_or_create(name=COPIL_GROUP)[0]


# --- Elections ---------------------------------------------------------------------------


def election_list(*, include_drafts: bool = False) -> QuerySet:
    qs = Election.objects.select_related("plenary")
    if not include_drafts:
        qs = qs.exclude(status=ElectionStatus.DRAFT)
    return qs.order_by("-election_date")


def election_get(*, pk: int) -> Election:
    return Election.objects.select_related("plenary").get(pk=pk)


def candidacy_list(*, election: Election) -> QuerySet:
    return (
        Candidacy.objects.filter(election=election, withdrawn_at__isnull=True)
        .select_related("candidate", "organisation")
        .order_by("candidate__last_name", "candidate__first_name")
    )


def proxy_list(*, election: Election) -> QuerySet:
    return (
        Proxy.objects.filter(election=election)
        .select_related("giver", "holder", "signed_by")
        .order_by("giver__legal_name")
    )


def proxies_held(*, election: Election, holder_ids) -> QuerySet:
    return proxy_list(election=election).filter(
        holder_id__in=holder_ids, status=ProxyStatus.VALIDATED
    )


@dataclass(frozen=True)
class BallotOptions:
    """What a person may vote for at an election (V6), see ``ballot_options``."""

    own: list  # their representations as an authorised signatory of a member
    choices: list[tuple[int, str]]  # (organisation id, label) of the ballots left to cast
    organisations: dict  # the organisations of ``choices``, by id


def ballot_options(*, election_id: int, user) -> BallotOptions:
    """V6: who the person may vote for at this election, whatever the number of voters:
    their representations as an authorised signatory of a member, and the ballots they
    may still cast: for their own entities that neither voted nor gave a live proxy,
    then for the givers of the validated proxies they hold that did not vote.

    One query (the register, the proxies and the status of each organisation as
    subqueries of the representations), and one more when they hold a validated proxy.
    A member is an organisation whose status is "member" now, as in
    ``governance.selectors.member_signatory_representations``: this is its cheaper form
    for the pages of a rush of voters (no nested query of every member).
    """
    if not getattr(user, "is_authenticated", False):
        return BallotOptions(own=[], choices=[], organisations={})
    now = timezone.now()

    def voted(organisation):
        return Exists(
            VoteRecord.objects.filter(election_id=election_id, organisation=OuterRef(organisation))
        )

    def proxies(**where):
        return Proxy.objects.filter(election_id=election_id, **where)

    representations = (
        active_representatives(on=timezone.localdate(now))
        .filter(user=user, is_authorised_signatory=True)
        .select_related("organisation")
        .annotate(
            status=status_subquery(at=now, of="organisation_id"),
            voted=voted("organisation_id"),
            gave=Exists(proxies(giver=OuterRef("organisation_id"), status__in=LIVE_PROXY_STATUSES)),
            holds=Exists(proxies(holder=OuterRef("organisation_id"), status=ProxyStatus.VALIDATED)),
        )
        .order_by("organisation__legal_name")
    )
    own = [r for r in representations if r.status == Status.MEMBER]
    held = []
    if any(r.holds for r in own):
        held = list(
            proxies(
                holder_id__in=[r.organisation_id for r in own if r.holds],
                status=ProxyStatus.VALIDATED,
            )
            .select_related("giver")
            .annotate(voted=voted("giver_id"))
            .order_by("giver__legal_name")
        )
    mine = [r.organisation for r in own if not (r.voted or r.gave)]
    givers = [p.giver for p in held if not p.voted]
    choices = [(o.pk, o.legal_name) for o in mine]
    choices += [(o.pk, _("%(org)s (procuration)") % {"org": o.legal_name}) for o in givers]
    return BallotOptions(
        own=own, choices=choices, organisations={o.pk: o for o in (*mine, *givers)}
    )


def has_voted(*, election: Election, organisation) -> bool:
    return VoteRecord.objects.filter(election=election, organisation=organisation).exists()


def members_yet_to_vote(*, election: Election) -> QuerySet:
    """The member entities without a vote recorded at ``election`` (a paper ballot may be
    entered for them, V6), as one query: thousands at ten times the community."""
    voted = VoteRecord.objects.filter(election=election).values("organisation_id")
    return member_organisations().exclude(pk__in=voted)


def voted_count(*, election: Election) -> int:
    """How many entities have voted (the register's rows), counted by the database."""
    return VoteRecord.objects.filter(election=election).count()


def receipt_list(*, election: Election) -> list[str]:
    """The published receipts, sorted: their order says nothing about who or when (V6)."""
    return list(
        Ballot.objects.filter(election=election)
        .order_by("receipt")
        .values_list("receipt", flat=True)
    )


def receipt_counted(*, election: Election, receipt: str) -> bool:
    """Whether a ballot of ``election`` holds ``receipt`` (V6: the voter's own check)."""
    return Ballot.objects.filter(election=election, receipt=receipt).exists()


def ballot_counts(*, election: Election) -> dict[str, int]:
    """Ballots cast and blank ballots, in one query."""
    return Ballot.objects.filter(election=election).aggregate(
        total=Count("pk", distinct=True),
        blank=Count("pk", filter=Q(choices__isnull=True), distinct=True),
    )


def votes_per_candidacy(*, election: Election) -> dict[int, int]:
    """V8: approvals per candidacy as one database aggregate."""
    counts = {
        c: 0 for c in Candidacy.objects.filter(election=election).values_list("pk", flat=True)
    }
    rows = (
        BallotChoice.objects.filter(ballot__election=election)
        .values("candidacy_id")
        .annotate(votes=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["candidacy_id"]] = row["votes"]
    return counts


def results_rows(*, election: Election) -> QuerySet:
    return candidacy_list(election=election).order_by("-votes", "candidate__last_name")


def election_is_running(election: Election) -> bool:
    return election.status == ElectionStatus.VOTING


def election_visible(*, election: Election, user) -> bool:
    """An election in preparation is the commission's only (V12); then every viewer's."""
    return not election.is_draft or is_election_commission(user)


def election_access(*, user, election_id: int) -> Election:
    """The election a person opens from the election pages, checked once for all of them:
    ``PermissionDenied`` when the person may not see elections (members, the COPIL, the
    commission), ``Election.DoesNotExist`` when it does not exist or is a draft the person
    may not see (V12)."""
    if not can_see_elections(user):
        raise PermissionDenied(_("Page réservée aux membres de la COS-GE."))
    election = election_get(pk=election_id)
    if not election_visible(election=election, user=user):
        raise Election.DoesNotExist
    return election


def candidacy_open(election: Election, *, on: datetime.datetime | None = None) -> bool:
    """Charter art. 6.2 (V11): candidacies are declared and withdrawn once the election is
    announced, until the previous ordinary plenary (``candidacy_deadline``)."""
    on = on or timezone.now()
    return election.is_announced and on < election.candidacy_deadline


def proxy_giving_open(election: Election) -> bool:
    """V6: a proxy is given once the election is announced, until voting closes."""
    return election.status in (ElectionStatus.ANNOUNCED, ElectionStatus.VOTING)


def proxy_revocable(*, proxy: Proxy, election: Election) -> bool:
    """V6: the giver revokes a live proxy (signed or validated) until voting opens."""
    return election.is_announced and proxy.status in LIVE_PROXY_STATUSES


def results_visible(election: Election, *, commission: bool) -> bool:
    """V8: published results are every viewer's; tallied ones, the commission's only."""
    return election.is_published or (commission and election.is_tallied)


def today() -> datetime.date:
    return timezone.localdate()


def proxies_awaiting_decision() -> QuerySet:
    """Signed proxies the commission has not validated or refused yet (V6), for elections
    not yet run; one query with the election and both organisations."""
    return (
        Proxy.objects.filter(
            status=ProxyStatus.SIGNED,
            election__status__in=(ElectionStatus.DRAFT, ElectionStatus.ANNOUNCED),
        )
        .select_related("election", "giver", "holder")
        .order_by("election__election_date", "giver__legal_name", "pk")
    )
