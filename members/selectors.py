"""Reads of the members registry, with the joins the pages need."""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from charters.organisations import StatusHolder
from charters.selectors import (
    charter_parameters,
    charter_parameters_on_days,
    commitment_complete,
    organisation_signatures,
    scope_required_for,
)
from core.dates import add_months
from core.deadlines import (
    AHEAD_DAYS,
    OVERDUE_DAYS,
    DeadlineRow,
    DeadlineViewer,
    deadline_cached,
    deadline_kinds,
    deadline_list,
    viewer_fact_expressions,
    viewer_fact_names,
)
from core.roles import is_copil, user_role_names

from . import attendance
from .constants import (
    BENEFIT_STATUSES,
    ApplicationState,
    InvitationState,
    OrganisationKind,
    Status,
    StatusReason,
)
from .matching import first_match, identity
from .models import (
    Application,
    Establishment,
    ExclusionProcedure,
    Invitation,
    Organisation,
    ProofDocument,
    Representative,
    StatusChange,
)


def status_subquery(*, at: datetime.datetime | None = None, of: str = "pk") -> Subquery:
    """The status of the outer organisation at ``at``: its latest change by then (S1).

    ``of`` names the outer query's field holding the organisation: its key by default,
    ``"organisation_id"`` from a row that points to an organisation."""
    moment = at or timezone.now()
    latest = StatusChange.objects.filter(
        organisation=OuterRef(of), effective_at__lte=moment
    ).order_by("-effective_at", "-id")
    return Subquery(latest.values("status")[:1])


def organisation_list_with_status(*, at: datetime.datetime | None = None) -> QuerySet:
    """Organisations annotated with ``current_status`` (None before any record)."""
    return Organisation.objects.annotate(current_status=status_subquery(at=at))


def organisation_ids_holding(statuses, *, at: datetime.datetime) -> frozenset[int]:
    """The organisations holding one of ``statuses`` at ``at`` (S1), by id, for the
    deadline sources, which pass them to the database as one array (``__among``) instead
    of each reading every organisation's latest change again. Within a list of deadlines
    every organisation's status is read once, in one query (core.deadlines.deadline_cached),
    whichever statuses each source asks for. A set: a query binds it without a pass over
    each value (core/lookups.py)."""
    current = deadline_cached(("current_statuses", at), lambda: _current_statuses(at))
    wanted = {str(status) for status in statuses}
    return frozenset(pk for pk, status in current if status in wanted)


def _current_statuses(at: datetime.datetime) -> tuple[tuple[int, str], ...]:
    """(organisation id, its status at ``at``) for every organisation with a change by
    then, by id: each one's latest change (S1), as ``status_subquery`` reads it. On
    PostgreSQL, ``DISTINCT ON`` walks the changes' index once (a third of the time of a
    subquery per organisation)."""
    if not connection.features.can_distinct_on_fields:
        return tuple(
            organisation_list_with_status(at=at)
            .filter(current_status__isnull=False)
            .order_by("pk")
            .values_list("pk", "current_status")
        )
    return tuple(
        StatusChange.objects.filter(effective_at__lte=at)
        .order_by("organisation_id", "-effective_at", "-id")
        .distinct("organisation_id")
        .values_list("organisation_id", "status")
    )


def organisation_status(*, organisation: Organisation, at: datetime.datetime | None = None) -> str:
    change = (
        StatusChange.objects.filter(
            organisation=organisation, effective_at__lte=at or timezone.now()
        )
        .order_by("-effective_at", "-id")
        .first()
    )
    return change.status if change else Status.NONE


def status_held_since_subquery(
    *, statuses, at: datetime.datetime | None = None, of: str = "pk"
) -> Subquery:
    """The start of the outer organisation's current uninterrupted stretch of one of
    ``statuses`` at ``at`` (NULL when it then holds none of them): its earliest change to
    one of them that no change to another status follows (S1, X4). ``of`` as in
    ``status_subquery``; the one definition, for a list (``statuses_held_since``) or
    a row (a viewer's representations, core.deadlines.viewer_fact)."""
    moment = at or timezone.now()
    wanted = [str(status) for status in statuses]
    broken_after = (
        StatusChange.objects.filter(organisation=OuterRef("organisation"), effective_at__lte=moment)
        .exclude(status__in=wanted)
        .filter(
            Q(effective_at__gt=OuterRef("effective_at"))
            | Q(effective_at=OuterRef("effective_at"), pk__gt=OuterRef("pk"))
        )
    )
    stretch = (
        StatusChange.objects.filter(
            organisation=OuterRef(of), effective_at__lte=moment, status__in=wanted
        )
        .filter(~Exists(broken_after))
        .order_by("effective_at", "pk")
    )
    return Subquery(stretch.values("effective_at")[:1])


def statuses_held_since(
    *, organisation_ids, statuses, at: datetime.datetime | None = None
) -> dict[int, datetime.datetime]:
    """organisation id -> the start of its current uninterrupted stretch of one of
    ``statuses`` at ``at`` (absent when it holds none of them); one query."""
    return dict(
        Organisation.objects.filter(pk__among=organisation_ids)
        .annotate(since=status_held_since_subquery(statuses=statuses, at=at))
        .filter(since__isnull=False)
        .values_list("pk", "since")
    )


@dataclass(frozen=True, slots=True)
class OrganisationName:
    """An organisation as ``status_holders(people_as_ids=True)`` gives it: its id and
    name, with the status and since when, as the annotated instance has them."""

    pk: int
    legal_name: str
    current_status: str
    status_since: datetime.datetime | None


def status_holders(
    *,
    statuses,
    at: datetime.datetime | None = None,
    with_representatives: bool = False,
    organisation_ids=None,
    people_as_ids: bool = False,
    since_from: datetime.datetime | None = None,
    since_before: datetime.datetime | None = None,
) -> list[StatusHolder]:
    """The organisations holding one of ``statuses`` at ``at``, by name, each with since
    when it holds one of them without a break, its active authorised signatories and,
    ``with_representatives``, every active representative: who owes a signature of the
    charter (charters/organisations.py; E1, X4). Two queries, whatever their number;
    ``organisation_ids`` keeps those organisations only; ``people_as_ids`` gives the
    signatories and representatives as user ids, and of the organisation its name only
    (the deadlines: no rows to build that they do not show); ``since_from`` and
    ``since_before`` keep those holding a status since that stretch of time only."""
    moment = at or timezone.now()
    organisations = (
        organisation_list_with_status(at=moment)
        .filter(current_status__in=statuses)
        .annotate(status_since=status_held_since_subquery(statuses=statuses, at=moment))
    )
    if organisation_ids is not None:
        organisations = organisations.filter(pk__among=organisation_ids)
    if since_from is not None:
        organisations = organisations.filter(status_since__gte=since_from)
    if since_before is not None:
        organisations = organisations.filter(status_since__lt=since_before)
    organisations = organisations.order_by("legal_name")
    if people_as_ids:  # the name only: no model instance for thousands of rows
        organisations = [
            OrganisationName(pk, name, status, since)
            for pk, name, status, since in organisations.values_list(
                "pk", "legal_name", "current_status", "status_since"
            )
        ]
    else:
        organisations = list(organisations)
    if not organisations:
        return []
    ids = [o.pk for o in organisations]
    # The persons who can give the missing signature: the active authorised signatories.
    day = timezone.localdate(moment)
    signatories: dict[int, list] = {}
    representatives: dict[int, list] = {}
    active = active_representatives(on=day).filter(organisation_id__among=ids)
    if not with_representatives:
        active = active.filter(is_authorised_signatory=True)
    active = active.order_by("user__last_name", "user__first_name", "pk")
    if people_as_ids:
        people = active.values_list("organisation_id", "user_id", "is_authorised_signatory")
    else:
        people = (
            (r.organisation_id, r.user, r.is_authorised_signatory)
            for r in active.select_related("user")
        )
    for organisation_id, person, signs in people:
        representatives.setdefault(organisation_id, []).append(person)
        if signs:
            signatories.setdefault(organisation_id, []).append(person)
    return [
        StatusHolder(
            organisation=organisation,
            status=organisation.current_status,
            status_label=Status(organisation.current_status).label,
            since=organisation.status_since,
            signatories=signatories.get(organisation.pk, []),
            representatives=representatives.get(organisation.pk, [])
            if with_representatives
            else [],
        )
        for organisation in organisations
    ]


def status_changes_latest(
    *, organisation: Organisation, at: datetime.datetime | None = None, count: int
) -> list[StatusChange]:
    """The organisation's latest ``count`` status changes by ``at``, newest first."""
    return list(
        StatusChange.objects.filter(
            organisation=organisation, effective_at__lte=at or timezone.now()
        )
        .order_by("-effective_at", "-id")
        .only("status", "effective_at")[:count]
    )


def active_representatives(*, on: datetime.date | None = None) -> QuerySet:
    day = on or timezone.localdate()
    return Representative.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day
    )


def directory_list(*, at: datetime.datetime | None = None) -> QuerySet:
    """Current members and partners only (S2), with what a directory row shows."""
    return (
        organisation_list_with_status(at=at)
        .filter(current_status__in=BENEFIT_STATUSES)
        .prefetch_related(
            "offer_categories",
            Prefetch(
                "establishments",
                queryset=Establishment.objects.filter(is_active=True).order_by("postcode", "pk"),
                to_attr="active_establishments",
            ),
        )
        .order_by("legal_name")
    )


@dataclass(frozen=True)
class DirectoryCard:
    """One organisation of a page of the directory, as its card shows it."""

    legal_name: str
    url: str  # its public page
    is_member: bool  # a member, else a partner (S2)
    kind: str
    # (city, department) of its active establishments, by postcode
    places: list[tuple[str, str]]
    categories: list[str]  # the names of its offer categories, by name

    @property
    def kind_label(self) -> str:
        return _KIND_LABELS.get(self.kind, self.kind)

    @property
    def places_text(self) -> str:
        """Its places as the directory lists them, each once in a row: Metz (57), Nancy (54)."""
        return ", ".join(
            f"{city} ({department})"
            for index, (city, department) in enumerate(self.places)
            if index == 0 or self.places[index - 1] != (city, department)
        )

    @property
    def cities_text(self) -> str:
        """Its cities as the embedded list ends, each once in a row: , Metz (57), Nancy (54)."""
        return "".join(
            f", {city} ({department})"
            for index, (city, department) in enumerate(self.places)
            if index == 0 or self.places[index - 1][0] != city
        )


_KIND_LABELS = dict(OrganisationKind.choices)


# The values of directory_list() that directory_cards() reads, in this order.
DIRECTORY_CARD_VALUES = ("pk", "legal_name", "slug", "kind", "current_status")


def directory_cards(rows) -> list[DirectoryCard]:
    """The cards of ``rows``, a page of ``directory_list().values_list(*DIRECTORY_CARD_VALUES)``:
    two more queries whatever their number, and no model instance (the directory renders
    them on every uncached page)."""
    rows = list(rows)
    ids = [row[0] for row in rows]
    places: dict[int, list] = {pk: [] for pk in ids}
    categories: dict[int, list] = {pk: [] for pk in ids}
    if ids:
        for organisation_id, city, department in (
            Establishment.objects.filter(is_active=True, organisation_id__among=ids)
            .order_by("postcode", "pk")
            .values_list("organisation_id", "city", "department")
        ):
            places[organisation_id].append((city, department))
        for organisation_id, name in (
            Organisation.offer_categories.through.objects.filter(organisation_id__among=ids)
            .order_by("offercategory__name", "offercategory_id")
            .values_list("organisation_id", "offercategory__name")
        ):
            categories[organisation_id].append(name)
    path = Organisation.path_builder()
    return [
        DirectoryCard(
            legal_name=legal_name,
            url=path(slug),
            is_member=status == Status.MEMBER,
            kind=kind,
            places=places[pk],
            categories=categories[pk],
        )
        for pk, legal_name, slug, kind, status in rows
    ]


def directory_get(*, slug: str, at: datetime.datetime | None = None) -> Organisation:
    """One listed organisation with its consenting representatives; DoesNotExist otherwise."""
    day = timezone.localdate(at) if at else timezone.localdate()
    return (
        directory_list(at=at)
        .prefetch_related(
            Prefetch(
                "representatives",
                queryset=active_representatives(on=day)
                .filter(public_consent=True)
                .select_related("user")
                # What the page shows of them: no password hash nor dates read.
                .only("organisation_id", "job_title", "user__first_name", "user__last_name")
                .order_by("user__last_name", "user__first_name", "pk"),
                to_attr="public_representatives",
            )
        )
        .get(slug=slug)
    )


def community_counts(*, at: datetime.datetime | None = None) -> dict[str, int]:
    rows = (
        organisation_list_with_status(at=at)
        .order_by()
        .values("current_status")
        .annotate(total=Count("id"))
    )
    counts = {status: 0 for status in Status.values}
    for row in rows:
        counts[row["current_status"] or Status.NONE] += row["total"]
    return counts


def has_grand_est_establishment(*, organisation: Organisation, departments) -> bool:
    return organisation.establishments.filter(is_active=True, department__in=departments).exists()


def directory_logo_get(*, slug: str, at: datetime.datetime | None = None) -> Organisation:
    """A listed organisation (S2) for serving its logo; DoesNotExist otherwise."""
    return (
        organisation_list_with_status(at=at)
        .filter(current_status__in=BENEFIT_STATUSES)
        .only("pk", "slug", "logo")
        .get(slug=slug)
    )


def representation_list(
    *, user, at: datetime.datetime | None = None, with_facts: bool = False
) -> QuerySet:
    """The person's active representations, each annotated with ``organisation_status``;
    ``with_facts``: and with the facts the deadlines' sources ask of a viewer
    (core.deadlines.viewer_fact), read in the same query."""
    moment = at or timezone.now()
    latest = StatusChange.objects.filter(
        organisation=OuterRef("organisation_id"), effective_at__lte=moment
    ).order_by("-effective_at", "-id")
    day = timezone.localdate(moment)
    facts = viewer_fact_expressions(moment) if with_facts else {}
    return (
        active_representatives(on=day)
        .filter(user=user)
        .annotate(**{f"fact_{name}": expression for name, expression in facts.items()})
        .select_related("organisation")
        .annotate(
            organisation_status=Subquery(latest.values("status")[:1]),
            # X4: whether the organisation has an authorised signatory (the person or another).
            organisation_has_signatory=Exists(
                active_representatives(on=day).filter(
                    organisation=OuterRef("organisation_id"), is_authorised_signatory=True
                )
            ),
        )
        .order_by("organisation__legal_name")
    )


def represented_member_organisations(*, user, at: datetime.datetime | None = None) -> QuerySet:
    """The member organisations the person represents: who proposes an invitee (I1)."""
    return Organisation.objects.filter(
        pk__in=representation_list(user=user, at=at)
        .filter(organisation_status=Status.MEMBER)
        .values("organisation_id")
    )


def representation_status(representation) -> Status:
    """The status of a representation annotated by ``representation_list``; NONE without."""
    return Status(representation.organisation_status or Status.NONE)


def representation_listed(representation) -> bool:
    """S2: the organisation is in the public directory while a member or a partner."""
    return representation.organisation_status in BENEFIT_STATUSES


@dataclass(frozen=True)
class MemberSpaceRights:
    """What the member space offers a representative, by the organisation's status."""

    status: Status
    scope: str | None  # the commitment the status requires (charter or article 3.3)
    owes_signature: bool  # the version in force is not signed as the status requires
    can_resign: bool  # L2: a member's signatory resigns
    can_renounce: bool  # P5: a partner's signatory renounces
    can_invite: bool  # I1: members propose invitees
    gives_opinions: bool  # M7: members give their opinion on applications


def member_space_rights(*, representation, version) -> MemberSpaceRights:
    """Charter art. 3.4 (L2), 4 (P5), 5 (I1), 3.1 (M7): the rights of a representative in the
    member space, from the organisation's status and the charter ``version`` in force."""
    status = representation_status(representation)
    scope = scope_required_for(status) if status != Status.NONE else None
    owes_signature = bool(
        version
        and scope
        and not commitment_complete(
            version=version,
            scope=scope,
            signatures=list(
                organisation_signatures(organisation=representation.organisation, version=version)
            ),
        )
    )
    is_signatory = representation.is_authorised_signatory
    return MemberSpaceRights(
        status=status,
        scope=scope,
        owes_signature=owes_signature,
        can_resign=is_signatory and status == Status.MEMBER,
        can_renounce=is_signatory and status == Status.PARTNER,
        can_invite=status == Status.MEMBER,
        gives_opinions=status == Status.MEMBER,
    )


def is_active_representative(*, user, organisation: Organisation, on=None) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return active_representatives(on=on).filter(user=user, organisation=organisation).exists()


def organisation_registry_list(*, at: datetime.datetime | None = None) -> QuerySet:
    """Every organisation with ``current_status`` and its ``active_establishments`` (COPIL)."""
    return organisation_list_with_status(at=at).prefetch_related(
        Prefetch(
            "establishments",
            queryset=Establishment.objects.filter(is_active=True).order_by("postcode", "pk"),
            to_attr="active_establishments",
        )
    )


def organisations_search(
    *, query: str, limit: int, among: QuerySet | None = None
) -> list[Organisation]:
    """The organisations whose legal name holds ``query``, or whose SIREN or one of whose
    establishments' SIRETs begins with its digits: at most ``limit``, by legal name, among
    ``among`` (every organisation by default). The organisers' activity form names the
    convened entities this way (A1), and a form picks one entity among thousands
    (members.forms.SearchPickMixin)."""
    query = query.strip()
    if not query:
        return []
    condition = Q(legal_name__icontains=query)
    digits = query.replace(" ", "")
    if digits.isdigit():
        condition |= Q(siren__startswith=digits[:9]) | Q(
            pk__in=Establishment.objects.filter(siret__startswith=digits).values("organisation")
        )
    organisations = Organisation.objects.all() if among is None else among
    return list(
        organisations.filter(condition)
        .only("pk", "legal_name")
        .order_by("legal_name", "pk")[:limit]
    )


def representatives_search(
    *, query: str, limit: int, among: QuerySet | None = None
) -> list[Representative]:
    """The representatives whose person's name or e-mail address, or whose organisation's
    legal name, holds ``query``: at most ``limit``, by name, among ``among`` (every
    representative by default). The COPIL picks a facilitator this way
    (members.forms.SearchPickMixin)."""
    query = query.strip()
    if not query:
        return []
    representatives = Representative.objects.all() if among is None else among
    return list(
        representatives.alias(full_name=Concat("user__first_name", Value(" "), "user__last_name"))
        .filter(
            Q(full_name__icontains=query)
            | Q(user__email__icontains=query)
            | Q(organisation__legal_name__icontains=query)
        )
        .select_related("user", "organisation")
        .order_by("user__last_name", "user__first_name", "organisation__legal_name", "pk")[:limit]
    )


def active_establishment_departments() -> list[str]:
    """The departments of the active establishments, in order (the admin's filter, M2).

    A skip scan of the index on ``department``: one index probe per department (about a
    hundred at most) instead of reading every establishment. Written in SQL because the
    ORM has no recursive query; runs on PostgreSQL and SQLite.
    """
    qn = connection.ops.quote_name
    table = qn(Establishment._meta.db_table)
    department, is_active = qn("department"), qn("is_active")
    sql = (
        # Only quoted names are interpolated.
        f"WITH RECURSIVE departments (code) AS ("  # noqa: S608  # nosec B608
        f"SELECT MIN({department}) FROM {table} WHERE {is_active} AND {department} > '' "
        f"UNION ALL SELECT (SELECT MIN(e.{department}) FROM {table} e "
        f"WHERE e.{is_active} AND e.{department} > d.code) "
        f"FROM departments d WHERE d.code IS NOT NULL"
        f") SELECT code FROM departments WHERE code IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [code for (code,) in cursor.fetchall()]


def person_representations(*, user) -> QuerySet:
    """Every representation of the person, past and present (personal data export)."""
    return (
        Representative.objects.filter(user=user)
        .select_related("organisation")
        .order_by("start_date", "pk")
    )


# --- The status lifecycle (issue 6) -------------------------------------------------------


@dataclass
class Check:
    """One line of an application's checklist for the COPIL (M1, M2, M4, M6, M7)."""

    code: str
    label: str
    ok: bool
    detail: str
    blocking: bool = True
    items: list = field(default_factory=list)


def application_checklist(*, application, at: datetime.datetime | None = None) -> list[Check]:
    """The conditions of art. 3.1 for one application, as the admin shows them.

    Dependency note: members never imports activities (activities imports members); the
    invitee attendance (M6) is read through the readers activities registers in
    members/attendance.py.
    """
    moment = at or timezone.now()
    parameters = charter_parameters(on=timezone.localdate(moment))
    organisation = application.organisation
    checks = []
    # M1: the AIF reference, checked by a COPIL member.
    if application.aif_verified_at:
        detail = _("vérifiée par %(who)s le %(date)s") % {
            "who": application.aif_verified_by,
            "date": timezone.localtime(application.aif_verified_at).strftime("%d/%m/%Y %H:%M"),
        }
    else:
        detail = _("référence « %(ref)s » pas encore vérifiée") % {
            "ref": application.aif_reference or "—"
        }
    checks.append(
        Check("aif", _("Référence AIF vérifiée"), bool(application.aif_verified_at), detail)
    )
    # M2: an active establishment in the Grand Est.
    grand_est = organisation is not None and has_grand_est_establishment(
        organisation=organisation, departments=parameters.grand_est_departments
    )
    checks.append(
        Check(
            "grand_est",
            _("Établissement actif en Grand Est"),
            grand_est,
            _("oui") if grand_est else _("aucun établissement actif en Grand Est"),
        )
    )
    # M4: the charter signed with the application.
    signature = application.signature
    checks.append(
        Check(
            "charter",
            _("Charte signée"),
            signature is not None,
            _("version %(label)s signée le %(date)s (code %(code)s)")
            % {
                "label": signature.version.label,
                "date": timezone.localtime(signature.signed_at).strftime("%d/%m/%Y"),
                "code": signature.verification_code,
            }
            if signature
            else _("pas de signature"),
        )
    )
    # M6: the applicant attended activities as an invitee before the decision.
    attended = (
        list(attendance.invitee_attendances(organisation)) if organisation is not None else []
    )
    needed = parameters.min_invitee_attendances
    checks.append(
        Check(
            "attendance",
            _("Activités suivies en tant qu'invité"),
            len(attended) >= needed,
            _("%(count)s activité(s) suivie(s), %(needed)s au moins")
            % {"count": len(attended), "needed": needed},
            items=[f"{a.title} ({timezone.localtime(a.starts_at):%d/%m/%Y})" for a in attended],
        )
    )
    # M7: members' opinions, for information (the COPIL decides sovereignly).
    opinions = application.opinions.count() if application.pk else 0
    checks.append(
        Check(
            "opinions",
            _("Avis des membres"),
            True,
            _("%(count)s avis") % {"count": opinions},
            blocking=False,
        )
    )
    return checks


def application_admin_list() -> QuerySet:
    """Applications with what the COPIL's list shows, in a constant number of queries."""
    return Application.objects.select_related(
        "organisation", "applicant", "aif_verified_by", "decided_by", "signature"
    ).annotate(opinion_count=Count("opinions", distinct=True))


def application_conditions_for_applicant(*, application) -> list[Check]:
    """The approval conditions of art. 3.1 as the applicant sees them on their tracking page:
    the blocking checks, without the name of the COPIL member who checked the AIF reference
    nor the members' opinions (M7: only the COPIL sees them)."""
    conditions = []
    for check in application_checklist(application=application):
        if not check.blocking:
            continue
        if check.code == "aif":
            check.detail = (
                _("vérifiée par le COPIL")
                if check.ok
                else _("le COPIL vérifie la référence « %(ref)s » auprès de l'AIF")
                % {"ref": application.aif_reference or "—"}
            )
        conditions.append(check)
    return conditions


def application_list_for(*, user) -> QuerySet:
    return (
        Application.objects.filter(applicant=user)
        .select_related("organisation", "signature", "signature__version")
        .order_by("-created_at")
    )


def applications_open_for_opinion(*, user, at: datetime.datetime | None = None) -> QuerySet:
    """Applications under review, for the representatives of members (M7)."""
    member_of = representation_list(user=user, at=at).filter(organisation_status=Status.MEMBER)
    if not member_of.exists():
        return Application.objects.none()
    return (
        Application.objects.filter(state=ApplicationState.SUBMITTED)
        .exclude(organisation_id__in=member_of.values("organisation_id"))
        .select_related("organisation")
        .order_by("submitted_at")
    )


def invitation_ban_until(
    *, organisation: Organisation, on: datetime.date | None = None
) -> datetime.date | None:
    """Charter art. 5 (I4): the day an excluded organisation may be invited again, or None."""
    day = on or timezone.localdate()
    exclusion = (
        StatusChange.objects.filter(organisation=organisation, reason=StatusReason.EXCLUDED)
        .order_by("-effective_at", "-id")
        .first()
    )
    if exclusion is None:
        return None
    excluded_on = timezone.localdate(exclusion.effective_at)
    until = add_months(excluded_on, charter_parameters(on=excluded_on).excluded_invitee_ban_months)
    return until if until > day else None


@dataclass(frozen=True)
class ReturnBan:
    """Charter art. 5 (I4): an organisation excluded as a member, recognised in what is
    asked, that may not come back before ``until``."""

    organisation: Organisation  # the excluded organisation
    excluded_on: datetime.date
    until: datetime.date  # the first day it may come back
    months: int  # the ban of the charter version in force on the day of the exclusion
    how: str  # what recognised it: "organisation", "siren", "name" or "email"
    given: str  # the value as it was typed ("" for the organisation itself)


def organisation_identity(*, organisation: Organisation):
    """What recognises an organisation (members.matching): its name, its SIREN and its
    establishments' SIRETs, and the e-mail addresses of every person who represented it."""
    return identity(
        organisation_id=organisation.pk,
        legal_names=[organisation.legal_name],
        numbers=[
            organisation.siren,
            *Establishment.objects.filter(organisation=organisation).values_list(
                "siret", flat=True
            ),
        ],
        emails=Representative.objects.filter(organisation=organisation).values_list(
            "user__email", flat=True
        ),
    )


def return_ban_match(*, candidate, on: datetime.date | None = None) -> ReturnBan | None:
    """Charter art. 5 (I4): the ban in force on ``on`` of an organisation excluded as a
    member that ``candidate`` (a members.matching.Identity) designates, or None.

    Each exclusion bans for the months of the charter version in force on its day (the
    versions of every exclusion day in one query); the organisations still banned are
    compared one by one, with their SIRETs and e-mail addresses read together."""
    day = on or timezone.localdate()
    if not candidate:
        return None
    latest: dict[int, datetime.date] = {}
    for organisation_id, effective_at in (
        StatusChange.objects.filter(reason=StatusReason.EXCLUDED)
        .order_by("effective_at", "id")
        .values_list("organisation_id", "effective_at")
    ):
        excluded_on = timezone.localdate(effective_at)
        if excluded_on <= day:
            latest[organisation_id] = excluded_on
    parameters = charter_parameters_on_days(latest.values())
    banned = []
    for organisation_id, excluded_on in latest.items():
        months = parameters[excluded_on].excluded_invitee_ban_months
        until = add_months(excluded_on, months)
        if until > day:
            banned.append((organisation_id, excluded_on, until, months))
    if not banned:
        return None
    ids = [organisation_id for organisation_id, *_rest in banned]
    organisations = Organisation.objects.in_bulk(ids)
    sirets: dict[int, list[str]] = {}
    for organisation_id, siret in Establishment.objects.filter(organisation_id__in=ids).values_list(
        "organisation_id", "siret"
    ):
        sirets.setdefault(organisation_id, []).append(siret)
    emails: dict[int, list[str]] = {}
    for organisation_id, email in Representative.objects.filter(
        organisation_id__in=ids
    ).values_list("organisation_id", "user__email"):
        emails.setdefault(organisation_id, []).append(email)
    # The latest exclusion first: its ban is the one that lasts.
    for organisation_id, excluded_on, until, months in sorted(
        banned, key=lambda b: b[1], reverse=True
    ):
        organisation = organisations[organisation_id]
        known = identity(
            organisation_id=organisation.pk,
            legal_names=[organisation.legal_name],
            numbers=[organisation.siren, *sirets.get(organisation.pk, [])],
            emails=emails.get(organisation.pk, []),
        )
        match = first_match(candidate, known)
        if match is not None:
            return ReturnBan(organisation, excluded_on, until, months, *match)
    return None


def attendance_snapshot_latest(*, organisation: Organisation):
    """The latest attendance ratio snapshot of a member (A3, L3), from activities."""
    return attendance.organisation_ratio_latest(organisation=organisation)


def status_history(*, organisation: Organisation) -> QuerySet:
    return (
        StatusChange.objects.filter(organisation=organisation)
        .select_related("decided_by")
        .order_by("-effective_at", "-id")
    )


def member_space_organisations(*, user, at: datetime.datetime | None = None) -> QuerySet:
    """The organisations whose member space the person opens (their active representations)."""
    return representation_list(user=user, at=at)


def member_space_get(*, user, slug: str, at: datetime.datetime | None = None):
    """The person's active representation of the organisation ``slug``; DoesNotExist else."""
    return representation_list(user=user, at=at).get(organisation__slug=slug)


def organisations_without_representative(*, at: datetime.datetime | None = None) -> QuerySet:
    """M9: members and partners with no active representative, flagged for the COPIL."""
    moment = at or timezone.now()
    return (
        organisation_list_with_status(at=moment)
        .filter(current_status__in=BENEFIT_STATUSES)
        .exclude(
            pk__in=active_representatives(on=timezone.localdate(moment)).values("organisation_id")
        )
    )


def proof_document_get_for(*, user, pk: int):
    """A proof document for the COPIL or the organisation's representatives (N1); else None."""
    document = ProofDocument.objects.select_related("request__organisation").filter(pk=pk).first()
    if document is None:
        return None
    if is_copil(user) or is_active_representative(
        user=user, organisation=document.request.organisation
    ):
        return document
    return None


# --- Open data (issue 10) ---------------------------------------------------------------------


@dataclass
class ExportRow:
    """One organisation of the open data exports, as plain values (no model instances)."""

    legal_name: str
    slug: str
    kind: str
    status: str
    website: str
    description: str
    aif_reference: str
    categories: list[str] = field(default_factory=list)
    # (name, address, postcode, city, department) of each active establishment, by postcode
    establishments: list[tuple] = field(default_factory=list)
    # (first name, last name, job title) of each consenting representative, by name
    representatives: list[tuple] = field(default_factory=list)


def directory_export_rows(*, at: datetime.datetime | None = None) -> list[ExportRow]:
    """The directory (S2) with what the open data exports show: the active establishments,
    the offer categories and the representatives who consented to be shown on the public
    page. Plain values read in four queries whatever the number of organisations: the
    exports hold a thousand and more of them, whose model instances cost more than their
    SQL."""
    day = timezone.localdate(at) if at else timezone.localdate()
    rows: dict[int, ExportRow] = {}
    for pk, *values in (
        organisation_list_with_status(at=at)
        .filter(current_status__in=BENEFIT_STATUSES)
        .order_by("legal_name")
        .values_list(
            "pk",
            "legal_name",
            "slug",
            "kind",
            "current_status",
            "website",
            "description",
            "aif_reference",
        )
    ):
        rows[pk] = ExportRow(*values)
    if not rows:
        return []
    # The related rows of every organisation, kept for the listed ones: most organisations
    # are listed, and a list of their ids costs more to send than the rows left aside.
    for organisation_id, name in Organisation.offer_categories.through.objects.order_by(
        "offercategory__name", "offercategory_id"
    ).values_list("organisation_id", "offercategory__name"):
        if organisation_id in rows:
            rows[organisation_id].categories.append(name)
    for organisation_id, *establishment in (
        Establishment.objects.filter(is_active=True)
        .order_by("postcode", "pk")
        .values_list("organisation_id", "name", "address", "postcode", "city", "department")
    ):
        if organisation_id in rows:
            rows[organisation_id].establishments.append(tuple(establishment))
    for organisation_id, *representative in (
        active_representatives(on=day)
        .filter(public_consent=True)
        .order_by("user__last_name", "user__first_name", "pk")
        .values_list("organisation_id", "user__first_name", "user__last_name", "job_title")
    ):
        if organisation_id in rows:
            rows[organisation_id].representatives.append(tuple(representative))
    return list(rows.values())


# --- A person's deadlines -------------------------------------------------------------------


def deadline_viewer(*, user, representations=None) -> DeadlineViewer:
    """The person a list of deadlines is read for (core/deadlines.py): the organisations
    they represent with their statuses (``representations``: representation_list's rows,
    read again without), the facts read with them, and their roles (the groups read once
    per user object)."""
    if representations is None:
        representations = representation_list(user=user, with_facts=True)
    representations = list(representations)
    facts = {
        name: {r.organisation_id: getattr(r, f"fact_{name}") for r in representations}
        for name in viewer_fact_names()
        if all(hasattr(r, f"fact_{name}") for r in representations)
    }
    return DeadlineViewer(
        user_id=user.pk,
        organisations={
            r.organisation_id: r.organisation_status or Status.NONE for r in representations
        },
        names={r.organisation_id: r.organisation.legal_name for r in representations},
        signatory_of=frozenset(
            r.organisation_id for r in representations if r.is_authorised_signatory
        ),
        with_signatory=frozenset(
            r.organisation_id for r in representations if r.organisation_has_signatory
        ),
        roles=user_role_names(user),
        facts=facts,
    )


def person_deadlines(*, user, representations=None) -> list[DeadlineRow]:
    """A person's own deadlines (where they act or are informed) for their dashboard:
    the next 90 days and those overdue for up to 30 days, each with its link to act.
    The sources read only what concerns the person (their organisations, their roles):
    the same queries whatever the number of organisations."""
    today = timezone.localdate()
    viewer = deadline_viewer(user=user, representations=representations)
    deadlines = deadline_list(
        start=today - datetime.timedelta(days=OVERDUE_DAYS),
        end=today + datetime.timedelta(days=AHEAD_DAYS),
        viewer=viewer,
    )
    names = dict(viewer.names)
    unknown = {d.organisation_id for d in deadlines if d.organisation_id} - set(names)
    if unknown:
        names.update(Organisation.objects.filter(pk__in=unknown).values_list("pk", "legal_name"))
    kinds = deadline_kinds()
    return [
        DeadlineRow(
            deadline=d,
            kind_label=str(kinds[d.kind].label) if d.kind in kinds else d.kind,
            organisation=names.get(d.organisation_id, ""),
            actors=[],
            days_left=(d.due - today).days,
            can_act=d.can_act(user.pk),
        )
        for d in deadlines
    ]


# --- What waits for the COPIL (its cockpit, /copil/ and the admin index) -------------------


def applications_awaiting_decision() -> QuerySet:
    """Submitted applications, oldest first (M5): one query with what the cockpit shows."""
    return (
        Application.objects.filter(state=ApplicationState.SUBMITTED)
        .select_related("organisation", "applicant")
        .order_by("submitted_at", "pk")
    )


def exclusion_procedures_open() -> list[ExclusionProcedure]:
    """Exclusion procedures not decided yet (L4), the earliest response date first: a few
    at any time, read once per page that lists them and their deadlines (the cockpit;
    core.deadlines.deadline_cached)."""
    return deadline_cached(
        "exclusion_procedures_open",
        lambda: list(
            ExclusionProcedure.objects.filter(outcome="")
            .select_related("organisation")
            .order_by("response_due_on", "pk")
        ),
    )


def invitations_awaiting_decision() -> QuerySet:
    """Invitations proposed by members, awaiting the COPIL (I1), oldest first."""
    return (
        Invitation.objects.filter(state=InvitationState.PROPOSED)
        .select_related("organisation", "proposed_by")
        .order_by("created_at", "pk")
    )


def invitations_proposed_by(*, user, on: datetime.date | None = None) -> QuerySet:
    """The invitations a person proposed that have not ended (I1, I2): the page where they
    propose another one shows them, with whether the invitee accepted art. 3.3."""
    day = on or timezone.localdate()
    return (
        Invitation.objects.filter(proposed_by=user, ends_on__gte=day)
        .exclude(state=InvitationState.REFUSED)
        .annotate(
            awaiting_acceptance=ExpressionWrapper(
                Q(state=InvitationState.VALIDATED, accepted_at__isnull=True),
                output_field=BooleanField(),
            )
        )
        .select_related("organisation")
        .order_by("starts_on", "pk")
    )
