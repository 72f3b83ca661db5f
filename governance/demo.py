"""The demo's governance, loaded by ``manage.py seed_demo`` after ``members.demo`` and
``activities.demo`` (cos_portal/management/commands/seed_demo.py).

Dated relative to the load day and written through the services of each subject, with
``now`` in the past where the thing happened in the past:

- the COPIL's mandates (G1, V1, V3): three seats filled two years before last spring's
  election, two seats about two years before the coming one;
- the standing commissions (K3) with their facilitators and members, meetings, progress
  reports and roadmap (K1, K2);
- a FINISHED election (V2-V12): ordinary plenaries, announcement, candidacies, a
  validated proxy, ballots cast online and on paper on plenary day, tally, results
  published; the elected hold their seats from that day, so the COPIL's group is the
  five demo COPIL members (``copil_roles_sync``);
- an election in its candidacy phase at an ordinary plenary at least six weeks ahead
  and outside the blackout windows (V9, V10), candidacies closing at the ordinary
  plenary before it (V11), two candidacies, a proxy validated and one waiting for the
  commission, in which copil@demo.cos-ge.fr sits;
- zone referents for eight of the ten departments and a referent to the Region (R1-R4);
- an announcement sent to members and partners and a draft waiting to be sent.

Each part is keyed on what it creates (an election's title, a seat's mandates, a
commission's members, a referent's representative, an announcement's subject) and
skipped when it exists: a second load, the same day or later, creates and rewrites
nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from activities.constants import ActivityKind, Attendance
from activities.demo import ActivitiesReport, activity_get_or_create, attendance_record_demo
from activities.models import Activity
from members.demo import DEMO_PASSWORD, demo_people
from members.models import Organisation, Representative, User

from .announcements import services as announcements_services
from .announcements.models import Announcement
from .commissions import services as commissions_services
from .commissions.models import Commission, StandingRole
from .elections import services as elections_services
from .elections.models import Election, Mandate
from .elections.services import in_blackout
from .referents import services as referents_services
from .referents.models import BodyKind, HierarchyAgreement, Referent

COPIL_EMAIL = "copil@demo.cos-ge.fr"

# The COPIL of the demo (members.demo): copil@ for Alsace Jumeau Numérique and the heads
# of these organisations. Seats 1 to 3 were renewed at the finished election, seats 4
# and 5 are up at the coming one.
COPIL_ORG = "Alsace Jumeau Numérique"
MEUSE = "Meuse Automation Systèmes"  # seat 1, re-elected (V5); the COPIL's voice before
SARRE = "Sarre-Lor MES Solutions"  # seat 4, stands again
MULHOUSE = "Mulhouse Industrie Connectée"  # seat 5, does not stand again
VOSGES = "Vosges Bois Robotique"  # elected last spring
FORMER = ("Robotique Ardennaise Intégration", "Champagne Cobotique")  # seats 2 and 3 before
ELECTIONS_FACILITATOR = "Chaumont Conseil Industrie 4.0"
ELECTIONS_MEMBER = "Strasbourg PLM Conseil"
ROADMAP_FACILITATOR = "Rhin Réalité Augmentée"
ROADMAP_MEMBERS = (
    "Troyes Textile Numérique",
    "Lunéville Formation Industrie du Futur",
    "Forbach Logistique Automatisée",
)
ROADMAP_VOLUNTEER = "Reims Simulation Industrielle"  # waits for the facilitator or the COPIL
NEW_CANDIDATE = "Troyes Textile Numérique"

PAST_ELECTION = "Élection du COPIL (sièges 1 à 3)"
COMING_ELECTION = "Élection du COPIL (sièges 4 et 5)"

# (organisation whose head is appointed, departments, bodies)
ZONE_REFERENTS: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]], ...] = (
    ("Sedan Métallurgie Connectée", ("08", "51"), ((BodyKind.CCI, "CCI Marne en Champagne"),)),
    ("Aube Fabrication Additive", ("10", "52"), ((BodyKind.CCI, "CCI Troyes et Aube"),)),
    (
        "Lorraine Cyber Industrie",
        ("54", "55"),
        ((BodyKind.CLUSTER, "Pôle de compétitivité Materalia"),),
    ),
    ("Thionville Capteurs et Mesures", ("57",), ((BodyKind.STATE, "DREETS Grand Est"),)),
    ("Sélestat Vision Qualité", ("67",), ((BodyKind.UNION, "UIMM Alsace"),)),
)
REGION_REFERENT = ("Colmar Lean Performance", ((BodyKind.REGION, "Région Grand Est"),))


@dataclass
class GovernanceReport:
    created: dict[str, int] = field(default_factory=dict)
    dates: dict[str, datetime.date] = field(default_factory=dict)

    def count(self, name: str, n: int = 1) -> None:
        self.created[name] = self.created.get(name, 0) + n


def _at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _heads() -> dict[str, User]:
    """The first person of each organisation (its head), and copil@ for COPIL_ORG."""
    emails: dict[str, str] = {}
    for person in demo_people():
        if person.organisation:
            emails.setdefault(person.organisation, person.email)
    emails[COPIL_ORG] = COPIL_EMAIL
    users = {u.email: u for u in User.objects.filter(email__in=emails.values())}
    return {name: users[email] for name, email in emails.items() if email in users}


def _fresh(user: User) -> User:
    """The person as stored: their COPIL group follows the mandates (``copil_roles_sync``)."""
    return User.objects.get(pk=user.pk)


def _representative(user: User, organisation_name: str) -> Representative:
    return Representative.objects.get(user=user, organisation__legal_name=organisation_name)


def _org(name: str) -> Organisation:
    return Organisation.objects.get(legal_name=name)


# --- The calendar (V9, V10, V11) -------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    past_election: datetime.date  # E1, about five months ago
    past_deadline: datetime.date  # the ordinary plenary before it: candidacies closed
    past_announced: datetime.date
    coming_election: datetime.date  # E2, at least eight weeks ahead
    coming_deadline: datetime.date  # the ordinary plenary before it, in two weeks
    coming_announced: datetime.date


def calendar(today: datetime.date) -> Calendar:
    """The demo's election calendar, outside the blackout windows (V10), each election
    announced well over six weeks ahead (V9)."""
    past = today - datetime.timedelta(days=150)
    while in_blackout(past):
        past -= datetime.timedelta(days=1)
    coming = today + datetime.timedelta(days=56)
    while in_blackout(coming):
        coming += datetime.timedelta(days=1)
    return Calendar(
        past_election=past,
        past_deadline=past - datetime.timedelta(days=90),
        past_announced=past - datetime.timedelta(days=120),
        coming_election=coming,
        coming_deadline=today + datetime.timedelta(days=14),
        coming_announced=today - datetime.timedelta(days=5),
    )


def _plenaries(report: ActivitiesReport, cal: Calendar) -> dict[str, Activity]:
    place = ("1 place de la Préfecture", "57000", "Metz")
    plan = (
        ("past_deadline", "Assemblée plénière ordinaire de printemps", cal.past_deadline, 4),
        ("past_election", "Assemblée plénière ordinaire : élection du COPIL", cal.past_election, 6),
        (
            "coming_deadline",
            "Assemblée plénière ordinaire : clôture des candidatures",
            cal.coming_deadline,
            None,
        ),
        (
            "coming_election",
            "Assemblée plénière ordinaire : élection des sièges 4 et 5",
            cal.coming_election,
            None,
        ),
    )
    organiser = User.objects.get(email="organisateur@demo.cos-ge.fr")
    plenaries = {}
    for key, title, day, seq in plan:
        plenaries[key], _created = activity_get_or_create(
            report=report,
            title=title,
            kind=ActivityKind.ORDINARY_PLENARY,
            starts_at=_at(day, 14),
            ends_at=_at(day, 18),
            description=(
                "Réunion plénière ordinaire de tous les membres : vie de la communauté, "
                "points d'avancement des commissions, questions diverses."
            ),
            place=place,
            organisers=[organiser],
            actor=organiser,
            seq=seq,
        )
    return plenaries


# --- COPIL mandates (G1, V1, V3) --------------------------------------------------------


def _mandates(report: GovernanceReport, heads: dict[str, User], cal: Calendar) -> None:
    """The seats as they stood before the finished election. Started by the results of
    elections held before the portal (no election record, no actor)."""
    if Mandate.objects.exists():
        return
    seats = elections_services.seats_ensure()
    first = cal.past_election - relativedelta(months=24)  # up at E1 (V3)
    second = cal.coming_election - relativedelta(months=23)  # up at E2, not at E1
    plan = (
        (seats[0], MEUSE, first),
        (seats[1], FORMER[0], first),
        (seats[2], FORMER[1], first),
        (seats[3], SARRE, second),
        (seats[4], MULHOUSE, second),
    )
    for seat, name, start in plan:
        elections_services.mandate_start(
            seat=seat,
            holder=heads[name],
            organisation=_org(name),
            start_date=start,
            actor=None,
            now=_at(start, 9),
        )
        report.count("mandates")


# --- Commissions (K1, K2, K3) -----------------------------------------------------------


def _join(commission: Commission, user: User, org: str, decider: User, when) -> None:
    membership = commissions_services.commission_volunteer(
        commission=commission,
        representative=_representative(user, org),
        actor=user,
        motivation="Je souhaite contribuer aux travaux de la commission.",
        now=when,
    )
    commissions_services.membership_decide(
        membership=membership,
        accept=True,
        actor=decider,
        now=when + datetime.timedelta(days=2),
    )


def _commissions(
    report: GovernanceReport,
    activities_report: ActivitiesReport,
    heads: dict[str, User],
    cal: Calendar,
    plenaries: dict[str, Activity],
) -> None:
    today = timezone.localdate()
    copil_then = heads[MEUSE]  # a COPIL member throughout
    elections = Commission.objects.get(standing_role=StandingRole.ELECTIONS)
    if elections.facilitator_id is None:
        start = cal.past_announced - datetime.timedelta(days=60)
        commissions_services.commission_facilitator_set(
            commission=elections,
            representative=_representative(heads[ELECTIONS_FACILITATOR], ELECTIONS_FACILITATOR),
            actor=_fresh(copil_then),
            now=_at(start),
        )
        facilitator = heads[ELECTIONS_FACILITATOR]
        _join(elections, heads[ELECTIONS_MEMBER], ELECTIONS_MEMBER, facilitator, _at(start, 15))
        report.count("commission_members", 2)
        meeting = commissions_services.commission_meeting_create(
            commission=elections,
            title="Commission des élections : préparation du scrutin",
            starts_at=_at(cal.past_announced - datetime.timedelta(days=10), 18),
            ends_at=_at(cal.past_announced - datetime.timedelta(days=10), 19, 30),
            online_url="https://visio.cos-ge.example/commission-elections",
            actor=facilitator,
            now=_at(cal.past_announced - datetime.timedelta(days=30)),
        )
        activities_report.count("activities")
        activities_report.count(
            "participations", attendance_record_demo(activity=meeting.activity, seq=10)
        )
    roadmap = Commission.objects.get(standing_role=StandingRole.ROADMAP)
    if roadmap.facilitator_id is None:
        start = today - datetime.timedelta(days=320)
        facilitator = heads[ROADMAP_FACILITATOR]
        commissions_services.commission_facilitator_set(
            commission=roadmap,
            representative=_representative(facilitator, ROADMAP_FACILITATOR),
            actor=_fresh(copil_then),
            now=_at(start),
        )
        for rank, name in enumerate(ROADMAP_MEMBERS):
            _join(
                roadmap, heads[name], name, facilitator, _at(start + datetime.timedelta(days=rank))
            )
        report.count("commission_members", 1 + len(ROADMAP_MEMBERS))
        # K1: a volunteer the facilitator or the COPIL has not answered yet.
        commissions_services.commission_volunteer(
            commission=roadmap,
            representative=_representative(heads[ROADMAP_VOLUNTEER], ROADMAP_VOLUNTEER),
            actor=heads[ROADMAP_VOLUNTEER],
            motivation="Nos travaux de simulation peuvent nourrir les actions de la feuille de route.",
            now=_at(today - datetime.timedelta(days=4)),
        )
        for code, action, year_offset, quarter in (
            ("FR-01", "Cartographier l'offre des membres par filière industrielle", 0, 4),
            ("FR-02", "Organiser quatre visites d'usines par an", 1, 1),
            ("FR-03", "Publier un guide des financements industrie du futur", 1, 2),
        ):
            commissions_services.roadmap_action_save(
                commission=roadmap,
                data={
                    "code": code,
                    "action": action,
                    "objectives": "Rendre l'offre des membres lisible pour les industriels.",
                    "deliverables": "Document publié sur le portail.",
                    "target_year": today.year + year_offset,
                    "target_quarter": quarter,
                },
                actor=facilitator,
                now=_at(start + datetime.timedelta(days=30)),
            )
        for held, title in (
            (-45, "Commission feuille de route : priorités de l'année"),
            (21, "Commission feuille de route : bilan des actions"),
        ):
            day = today + datetime.timedelta(days=held)
            meeting = commissions_services.commission_meeting_create(
                commission=roadmap,
                title=title,
                starts_at=_at(day, 17),
                ends_at=_at(day, 19),
                online_url="https://visio.cos-ge.example/commission-feuille-de-route",
                actor=facilitator,
                now=min(timezone.now(), _at(day - datetime.timedelta(days=20))),
            )
            activities_report.count("activities")
            if held < 0:
                activities_report.count(
                    "participations", attendance_record_demo(activity=meeting.activity, seq=13)
                )
        # K2: the facilitator reports to the COPIL; the first report was shown at a plenary.
        first = commissions_services.progress_report_submit(
            commission=roadmap,
            title="Point d'avancement : lancement de la feuille de route",
            text=(
                "La commission s'est réunie trois fois. Trois actions sont retenues pour "
                "l'année : cartographie de l'offre, visites d'usines, guide des financements."
            ),
            actor=facilitator,
            now=_at(cal.past_election - datetime.timedelta(days=10)),
        )
        commissions_services.progress_report_mark_shown(
            report=first,
            plenary=plenaries["past_election"],
            actor=facilitator,
            now=_at(cal.past_election, 18),
        )
        commissions_services.progress_report_submit(
            commission=roadmap,
            title="Point d'avancement : cartographie de l'offre",
            text=(
                "La cartographie couvre 28 membres sur 32. Les fiches manquantes seront "
                "complétées avant la prochaine plénière, où la commission présentera le bilan."
            ),
            actor=facilitator,
            now=_at(today - datetime.timedelta(days=30)),
        )
        report.count("commission_reports", 2)


# --- Elections (V2-V12) ---------------------------------------------------------------


def _past_election(
    report: GovernanceReport, heads: dict[str, User], cal: Calendar, plenary: Activity
) -> None:
    """Last spring's election, from its creation to its published results."""
    if Election.objects.filter(title=PAST_ELECTION).exists():
        return
    commission = heads[ELECTIONS_FACILITATOR]
    announced = _at(cal.past_announced)
    election = elections_services.election_create(
        plenary=plenary, title=PAST_ELECTION, actor=commission, now=announced
    )
    election = elections_services.election_announce(
        election=election, actor=commission, now=announced + datetime.timedelta(hours=1)
    )
    statements = {
        MEUSE: "Sortante, je me représente pour poursuivre l'ouverture de la COS-GE aux PME.",
        COPIL_ORG: "Je souhaite porter au COPIL la voix des offreurs du numérique industriel.",
        VOSGES: "Je me présente pour représenter la filière bois et les Vosges.",
        FORMER[1]: "Sortant, je souhaite continuer le travail engagé sur les visites d'usines.",
    }
    candidacies = {}
    for rank, (name, statement) in enumerate(statements.items()):
        candidacies[name] = elections_services.candidacy_declare(
            election=election,
            user=heads[name],
            statement=statement,
            now=announced + datetime.timedelta(days=5 + rank),
        )
    # V6: Sarre-Lor, absent on plenary day, gives its proxy to Mulhouse; the commission
    # validates it; Mulhouse's signatory votes for both.
    proxy = elections_services.proxy_give(
        election=election,
        giver=_org(SARRE),
        holder=_org(MULHOUSE),
        signer=heads[SARRE],
        password=DEMO_PASSWORD,
        now=announced + datetime.timedelta(days=40),
    )
    elections_services.proxy_decide(
        proxy=proxy,
        actor=commission,
        approve=True,
        now=announced + datetime.timedelta(days=41),
    )
    day = cal.past_election
    election = elections_services.election_voting_open(
        election=election, actor=commission, now=_at(day, 15)
    )
    ids = {name: candidacy.pk for name, candidacy in candidacies.items()}
    full = [ids[MEUSE], ids[COPIL_ORG], ids[VOSGES]]
    patterns = (
        full,
        [ids[MEUSE], ids[COPIL_ORG], ids[FORMER[1]]],
        [ids[MEUSE], ids[VOSGES]],
        [ids[COPIL_ORG], ids[VOSGES], ids[FORMER[1]]],
        [ids[MEUSE]],
    )
    moment = _at(day, 15, 30)
    # Online: two signatories re-enter their password (one under the proxy it holds).
    elections_services.ballot_cast(
        election=election,
        organisation=_org(MEUSE),
        voter=heads[MEUSE],
        candidacy_ids=full,
        password=DEMO_PASSWORD,
        now=moment,
    )
    elections_services.ballot_cast(
        election=election,
        organisation=_org(SARRE),
        voter=heads[MULHOUSE],
        candidacy_ids=full,
        password=DEMO_PASSWORD,
        now=moment,
    )
    # On paper, entered by the commission: the members present at the plenary.
    present = (
        Organisation.objects.filter(
            participations__activity=plenary, participations__attendance=Attendance.PRESENT
        )
        .exclude(legal_name__in=(MEUSE, SARRE))
        .distinct()
        .order_by("legal_name")
    )
    ballots = 2
    for rank, organisation in enumerate(present):
        elections_services.ballot_cast(
            election=election,
            organisation=organisation,
            voter=commission,
            candidacy_ids=patterns[rank % len(patterns)],
            on_paper=True,
            now=moment + datetime.timedelta(minutes=rank + 1),
        )
        ballots += 1
    elections_services.election_voting_close(election=election, actor=commission, now=_at(day, 17))
    elections_services.election_tally(election=election, actor=commission, now=_at(day, 17, 5))
    elections_services.election_results_publish(
        election=election, actor=commission, now=_at(day, 17, 10)
    )
    report.count("elections")
    report.count("ballots", ballots)


def _coming_election(
    report: GovernanceReport, heads: dict[str, User], cal: Calendar, plenary: Activity
) -> None:
    """The coming election, announced five days ago: candidacies are open until the
    ordinary plenary in two weeks (V11); proxies are given and validated meanwhile."""
    if Election.objects.filter(title=COMING_ELECTION).exists():
        return
    commission = heads[ELECTIONS_FACILITATOR]
    announced = _at(cal.coming_announced)
    election = elections_services.election_create(
        plenary=plenary, title=COMING_ELECTION, actor=commission, now=announced
    )
    election = elections_services.election_announce(
        election=election, actor=commission, now=announced + datetime.timedelta(hours=1)
    )
    for rank, (name, statement) in enumerate(
        (
            (SARRE, "Sortante, je me représente pour achever le chantier des commissions."),
            (NEW_CANDIDATE, "Je souhaite représenter les entreprises du numérique textile."),
        )
    ):
        elections_services.candidacy_declare(
            election=election,
            user=heads[name],
            statement=statement,
            now=announced + datetime.timedelta(days=1 + rank),
        )
    validated = elections_services.proxy_give(
        election=election,
        giver=_org(MULHOUSE),
        holder=_org(COPIL_ORG),
        signer=heads[MULHOUSE],
        password=DEMO_PASSWORD,
        now=announced + datetime.timedelta(days=2),
    )
    elections_services.proxy_decide(
        proxy=validated,
        actor=commission,
        approve=True,
        now=announced + datetime.timedelta(days=3),
    )
    # Waits for the election commission (copil@demo.cos-ge.fr sits on it).
    elections_services.proxy_give(
        election=election,
        giver=_org(VOSGES),
        holder=_org(MEUSE),
        signer=heads[VOSGES],
        password=DEMO_PASSWORD,
        now=announced + datetime.timedelta(days=4),
    )
    report.count("elections")


def _copil_joins_the_election_commission(heads: dict[str, User], cal: Calendar) -> None:
    """copil@ joined the election commission after being elected: the proxy waiting for
    the commission is a decision for the demo COPIL account."""
    elections = Commission.objects.get(standing_role=StandingRole.ELECTIONS)
    copil = heads[COPIL_ORG]
    if elections.memberships.filter(representative__user=copil).exists():
        return
    _join(
        elections,
        copil,
        COPIL_ORG,
        heads[ELECTIONS_FACILITATOR],
        _at(cal.past_election + datetime.timedelta(days=20)),
    )


# --- Referents (R1-R4) ------------------------------------------------------------------


def _referents(report: GovernanceReport, heads: dict[str, User]) -> None:
    if Referent.objects.exists():
        return
    today = timezone.localdate()
    copil = _fresh(heads[MEUSE])
    plan = [(name, departments, bodies, True) for name, departments, bodies in ZONE_REFERENTS]
    plan.append((REGION_REFERENT[0], (), REGION_REFERENT[1], False))
    for rank, (name, departments, bodies, zone) in enumerate(plan):
        start = today - datetime.timedelta(days=280 - 20 * rank)
        referent = referents_services.referent_appoint(
            representative=_representative(heads[name], name),
            bodies=bodies,
            hierarchy_agreement=HierarchyAgreement.NOT_NEEDED,
            available_min_years=True,
            actor=copil,
            start_date=start,
            is_zone_referent=zone,
            zone_departments=departments,
            now=_at(start),
        )
        kind, body = bodies[0]
        contact_day = today - datetime.timedelta(days=15 + rank)
        referents_services.referent_contact_log(
            referent=referent,
            date=contact_day,
            body_kind=kind,
            body_name=body,
            subject="Présentation de la COS-GE et de l'annuaire des offreurs",
            outcome="Rencontre à organiser avec les industriels du territoire.",
            actor=heads[name],
            now=_at(contact_day, 17),
        )
        report.count("referents")


# --- Announcements ----------------------------------------------------------------------

SENT_ANNOUNCEMENT = "Élection du COPIL : les candidatures sont ouvertes"
DRAFT_ANNOUNCEMENT = "Invitation à la prochaine assemblée plénière"


def _announcements(report: GovernanceReport, heads: dict[str, User], cal: Calendar) -> None:
    copil = _fresh(heads[COPIL_ORG])
    if not Announcement.objects.filter(subject=SENT_ANNOUNCEMENT).exists():
        announcement = announcements_services.announcement_create(
            actor=copil,
            subject=SENT_ANNOUNCEMENT,
            body=(
                f"Deux sièges du COPIL sont à pourvoir le {cal.coming_election:%d/%m/%Y}. "
                "Les représentants des membres depuis au moins un an peuvent se porter "
                f"candidats jusqu'à l'assemblée plénière du {cal.coming_deadline:%d/%m/%Y}, "
                "depuis la page Élections du portail."
            ),
            now=_at(cal.coming_announced, 15),
        )
        announcements_services.announcement_send(
            announcement=announcement, actor=copil, now=_at(cal.coming_announced, 16)
        )
        report.count("announcements")
    if not Announcement.objects.filter(subject=DRAFT_ANNOUNCEMENT).exists():
        announcements_services.announcement_create(
            actor=copil,
            subject=DRAFT_ANNOUNCEMENT,
            body=(
                f"L'assemblée plénière ordinaire se tiendra le {cal.coming_deadline:%d/%m/%Y} "
                "à Metz. Elle clôt les candidatures à l'élection du COPIL. Inscrivez-vous "
                "depuis la page de l'activité."
            ),
            now=timezone.now(),
        )
        report.count("announcements")


@transaction.atomic
def load_governance(activities_report: ActivitiesReport | None = None) -> GovernanceReport:
    """Load (or complete) the demo's governance; see the module's docstring."""
    report = GovernanceReport()
    activities_report = activities_report or ActivitiesReport()
    today = timezone.localdate()
    heads = _heads()
    # Each part below exists once: on a later day nothing is created, so this day's
    # calendar only dates what a first load creates.
    cal = calendar(today)
    plenaries = _plenaries(activities_report, cal)
    _mandates(report, heads, cal)
    _commissions(report, activities_report, heads, cal, plenaries)
    _past_election(report, heads, cal, plenaries["past_election"])
    _copil_joins_the_election_commission(heads, cal)
    _coming_election(report, heads, cal, plenaries["coming_election"])
    # G1: the COPIL's group and admin access follow the mandates running today.
    elections_services.copil_roles_sync()
    _referents(report, heads)
    _announcements(report, heads, cal)
    for key, title in (("past_election", PAST_ELECTION), ("coming_election", COMING_ELECTION)):
        election = Election.objects.filter(title=title).first()
        if election is not None:
            report.dates[key] = election.election_date
            if key == "coming_election":
                report.dates["coming_deadline"] = timezone.localdate(election.candidacy_deadline)
    return report
