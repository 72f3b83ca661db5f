"""The demo's activities, attendance and ratios, loaded by ``manage.py seed_demo`` after
``members.demo`` (cos_portal/management/commands/seed_demo.py).

Dated relative to the load day: the activities of the last twelve months with their
convocations (all members, or organisations named: partners, invitees, applicants) and
the attendance the organiser recorded, those to come (some organised by
organisateur@demo.cos-ge.fr, the next one this afternoon or tomorrow: a check-in to
do), then the attendance ratios computed by the real job (A3, A4) and an exclusion
procedure opened on a ratio under the threshold (L3, L4).

Every write goes through the services of activities and members, with ``now`` in the
past where the thing happened in the past. Keyed on the activity's title: an activity
that exists is left as it is (its date was fixed by the first load), so a second load,
on the same day or a later one, creates and rewrites nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from members import services as members_services
from members.constants import ExclusionGround, Status
from members.demo import DEMO_ACCOUNTS, demo_people
from members.models import ExclusionProcedure, Organisation, User
from members.selectors import active_representatives, organisation_list_with_status

from . import services
from .constants import ActivityKind, Attendance, ConvenedScope
from .models import Activity, AttendanceRatio

ORGANISER_EMAIL = "organisateur@demo.cos-ge.fr"
COPIL_EMAIL = "copil@demo.cos-ge.fr"

# Attendance rate of each member over the year (A3, threshold 33 %); 0.8 otherwise. Two
# members close above the threshold, three under it: one is the subject of an
# exclusion procedure (L3, L4), the others are only flagged to the COPIL.
ATTENDANCE_RATES: dict[str, float] = {
    "Moselle Vision Robotique": 0.28,  # membre@demo.cos-ge.fr's: warned, close to 33 %
    "Épernay Énergie Industrielle": 0.42,
    "Haguenau Usinage Intelligent": 0.1,  # under 33 %: the open exclusion procedure
    "Sedan Métallurgie Connectée": 0.2,
    "Saint-Dié Impression 3D Métal": 0.2,
    "Troyes Textile Numérique": 0.6,
    "Colmar Lean Performance": 0.55,
    "Strasbourg PLM Conseil": 0.65,
}
DEFAULT_RATE = 0.85
EXCLUSION_CANDIDATE = "Haguenau Usinage Intelligent"
# The applicant that attended a workshop while its application was under review (M6).
READY_APPLICANT = "Argonne Automatismes"
BLOCKED_APPLICANT = "Marne Supervision Industrielle"
INVITEES = ("Bourgogne Robotique Services", "Ardennes Plasturgie Innovation")
PARTNERS = ("Cluster Mécatronique Champagne-Ardenne", "Pôle Numérique Industriel d'Alsace")


@dataclass(frozen=True)
class DemoActivity:
    title: str
    kind: str
    day: int | None  # days after the load day (negative: past); None: the next afternoon
    description: str
    place: tuple[str, str, str] = ()  # (address, postcode, city); empty: online
    start: tuple[int, int] = (14, 0)
    hours: int = 3
    seq: int = 0  # rank among the past activities: spreads each member's attendance
    is_public: bool = False
    by_organiser: bool = False  # organisateur@demo.cos-ge.fr organises it
    invited: tuple[str, ...] = field(default=())  # organisations convened by name

    def starts_at(self, today: datetime.date) -> datetime.datetime:
        if self.day is None:
            # The organiser's check-in: this afternoon, or tomorrow's when loaded after noon
            # (an activity that has ended leaves the list of activities to come).
            day = today if timezone.localtime().hour < 12 else today + datetime.timedelta(days=1)
        else:
            day = today + datetime.timedelta(days=self.day)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(*self.start)))


ACTIVITIES: tuple[DemoActivity, ...] = (
    DemoActivity(
        "Atelier : retours d'expérience en cobotique", ActivityKind.WORKSHOP, -335,
        "Trois intégrateurs présentent leurs premiers déploiements de robots collaboratifs "
        "en PME, suivis d'un temps d'échange.",
        ("18 rue de Vesle", "51100", "Reims"), seq=1, is_public=True, by_organiser=True,
        invited=INVITEES,
    ),
    DemoActivity(
        "Visite : atelier de forge connecté", ActivityKind.VISIT, -300,
        "Visite d'une ligne de forge instrumentée et de son jumeau numérique.",
        ("24 rue de la Forge", "52100", "Saint-Dizier"), start=(9, 30), seq=2,
    ),
    DemoActivity(
        "Salon Industrie du Futur Grand Est : stand commun", ActivityKind.TRADE_SHOW, -265,
        "Stand commun de la COS-GE : démonstrations des membres et rendez-vous d'affaires.",
        ("1 rue Fernand Forest", "57000", "Metz"), start=(9, 0), hours=8, seq=3,
        is_public=True, invited=PARTNERS,
    ),
    DemoActivity(
        "Groupe de travail : cybersécurité des systèmes industriels", ActivityKind.WORKING_GROUP,
        -210, "Partage d'une grille d'audit OT et des premiers retours des membres.",
        seq=5, start=(10, 0), hours=2,
    ),
    DemoActivity(
        "Atelier : fabrication additive métal", ActivityKind.WORKSHOP, -120,
        "Qualification de pièces imprimées, post-traitements, cas d'usage en outillage.",
        ("10 rue Thiers", "88100", "Saint-Dié-des-Vosges"), seq=7, by_organiser=True,
        invited=INVITEES,
    ),
    DemoActivity(
        "Visite : plateforme de réalité augmentée", ActivityKind.VISIT, -85,
        "Démonstrations de maintenance assistée et de formation des opérateurs.",
        ("1 rue Jean Sapidus", "67400", "Illkirch-Graffenstaden"), start=(9, 30), seq=8,
    ),
    DemoActivity(
        "Atelier : données de production et IA", ActivityKind.WORKSHOP, -55,
        "Des tableaux de bord à la maintenance prédictive : méthodes et pièges.",
        ("40 rue Saint-Dizier", "54000", "Nancy"), seq=9, by_organiser=True,
    ),
    DemoActivity(
        "Atelier : supervision des utilités", ActivityKind.WORKSHOP, -20,
        "Air comprimé, vapeur, froid : mesurer, superviser, économiser. Les candidats et "
        "les invités de la COS-GE y découvrent la communauté.",
        ("3 place Henri Utard", "88200", "Remiremont"), seq=11, by_organiser=True,
        invited=(READY_APPLICANT, *INVITEES),
    ),
    DemoActivity(
        "Webinaire : financer un projet industrie du futur", ActivityKind.WORKSHOP, -6,
        "Les dispositifs régionaux et nationaux, présentés par l'agence de développement.",
        start=(11, 0), hours=1, seq=12, invited=("Agence de développement économique Rhin-Moselle",),
    ),
    # To come.
    DemoActivity(
        "Atelier : maintenance prédictive des machines tournantes", ActivityKind.WORKSHOP, None,
        "Analyse vibratoire, capteurs et premiers modèles : le prochain atelier, à pointer.",
        ("13 boulevard de la Rochelle", "55000", "Bar-le-Duc"), start=(14, 0), hours=3,
        by_organiser=True, invited=INVITEES,
    ),
    DemoActivity(
        "Visite : ligne d'assemblage robotisée", ActivityKind.VISIT, 3,
        "Visite d'une ligne d'assemblage robotisée et échange avec l'équipe de production.",
        ("45 rue Nationale", "57600", "Forbach"), start=(9, 30), by_organiser=True,
    ),
    DemoActivity(
        "Atelier : vision industrielle et contrôle qualité", ActivityKind.WORKSHOP, 30,
        "Éclairage, optiques, apprentissage : choisir une solution de contrôle par vision. "
        "Les candidats y sont conviés.",
        ("20 boulevard du Général Leclerc", "67600", "Sélestat"), is_public=True,
        by_organiser=True, invited=(BLOCKED_APPLICANT, *INVITEES),
    ),
)  # fmt: skip


@dataclass
class ActivitiesReport:
    created: dict[str, int] = field(default_factory=dict)
    ratios: dict[str, int] = field(default_factory=dict)

    def count(self, name: str, n: int = 1) -> None:
        self.created[name] = self.created.get(name, 0) + n


@dataclass(frozen=True)
class SheetLine:
    """One line of an attendance sheet, as ``services.attendance_import`` reads it."""

    user: User
    attendance: str


def _attendee_emails() -> dict[str, str]:
    """Who attends for each organisation: its demo login if it has one (membre@ sees
    her own attendance), its first representative otherwise."""
    chosen: dict[str, str] = {}
    for account in DEMO_ACCOUNTS:
        if account.organisation:
            chosen.setdefault(account.organisation, account.email)
    for person in demo_people():
        if person.organisation:
            chosen.setdefault(person.organisation, person.email)
    return chosen


def attends(organisation_name: str, seq: int) -> bool:
    """Whether the organisation attended the ``seq``-th activity of the year: a
    low-discrepancy sequence, so that over n activities it attends about n × its rate."""
    rate = ATTENDANCE_RATES.get(organisation_name, DEFAULT_RATE)
    phase = (sum(map(ord, organisation_name)) % 97) / 97
    return (seq * 0.6180339887 + phase) % 1 < rate


def attendance_record_demo(*, activity: Activity, seq: int, actor: User | None = None) -> int:
    """The organiser's attendance sheet of a past activity, applied through
    ``attendance_import`` at the end of the activity: a person of each convened
    organisation that attended, present; named organisations (partners, invitees,
    applicants) always came. Returns the number of lines."""
    actor = actor or User.objects.get(email=ORGANISER_EMAIL)
    named = set(activity.invited_organisations.values_list("pk", flat=True))
    convened = Organisation.objects.filter(convocations__activity=activity).order_by("legal_name")
    attendee = _attendee_emails()
    day = timezone.localdate(activity.starts_at)
    representatives = {
        (r.organisation_id, r.user.email): r.user
        for r in active_representatives(on=day)
        .filter(organisation__in=convened)
        .select_related("user")
    }
    lines = []
    for organisation in convened:
        if organisation.pk not in named and not attends(organisation.legal_name, seq):
            continue
        user = representatives.get((organisation.pk, attendee.get(organisation.legal_name, "")))
        if user is None:  # an applicant's representative, or a person added since
            user = next(
                (
                    u
                    for (org, _email), u in sorted(representatives.items())
                    if org == organisation.pk
                ),
                None,
            )
        if user is not None:
            lines.append(SheetLine(user=user, attendance=Attendance.PRESENT))
    if lines:
        services.attendance_import(activity=activity, rows=lines, actor=actor, now=activity.ends_at)
    return len(lines)


def activity_get_or_create(
    *,
    report: ActivitiesReport,
    title: str,
    kind: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    description: str = "",
    place: tuple[str, str, str] = (),
    is_public: bool = False,
    organisers=(),
    invited=(),
    actor=None,
    seq: int | None = None,
) -> tuple[Activity, bool]:
    """The activity of that title, or a new one created a month before it starts (or
    today for one that starts sooner), with its attendance if it is over."""
    existing = Activity.objects.filter(title=title).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    created_at = min(now, starts_at - datetime.timedelta(days=30))
    address, postcode, city = place or ("", "", "")
    activity = services.activity_create(
        actor=actor,
        now=created_at,
        organisers=organisers,
        invited_organisations=Organisation.objects.filter(legal_name__in=invited),
        kind=kind,
        title=title,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        place=address,
        postcode=postcode,
        city=city,
        online_url="" if place else "https://visio.cos-ge.example/" + kind,
        is_public=is_public,
        convened_scope=ConvenedScope.ALL_MEMBERS,
    )
    report.count("activities")
    if seq is not None and ends_at < now:
        report.count("participations", attendance_record_demo(activity=activity, seq=seq))
    return activity, True


@transaction.atomic
def load_activities() -> ActivitiesReport:
    """The activities of the year and those to come (see the module's docstring)."""
    report = ActivitiesReport()
    today = timezone.localdate()
    organiser = User.objects.get(email=ORGANISER_EMAIL)
    for demo in ACTIVITIES:
        starts_at = demo.starts_at(today)
        activity_get_or_create(
            report=report,
            title=demo.title,
            kind=demo.kind,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=demo.hours),
            description=demo.description,
            place=demo.place,
            is_public=demo.is_public,
            organisers=[organiser] if demo.by_organiser else [],
            invited=demo.invited,
            actor=organiser,
            seq=demo.seq if demo.day is not None and demo.day < 0 else None,
        )
    return report


def _ratio_moment(day: datetime.date) -> datetime.datetime:
    """The nightly job's run on ``day`` (2 a.m.), never later than now."""
    night = timezone.make_aware(datetime.datetime.combine(day, datetime.time(2, 0)))
    return min(night, timezone.now())


@transaction.atomic
def load_ratios() -> ActivitiesReport:
    """The attendance ratios as the nightly job computes them (A3, A4), then the
    exclusion procedure the COPIL opened on a ratio under the threshold (L3, L4).

    Run last (after the governance's plenaries and commission meetings): five weeks ago
    the job flagged a member under 33 %; the COPIL opened the procedure the next day,
    the member answered, the response period is over, the decision waits for the COPIL.
    Today's ratios are computed once a day: a second load the same day leaves them."""
    report = ActivitiesReport()
    today = timezone.localdate()
    candidate = Organisation.objects.filter(legal_name=EXCLUSION_CANDIDATE).first()
    if (
        candidate is not None
        and not ExclusionProcedure.objects.filter(organisation=candidate).exists()
        and organisation_list_with_status()
        .filter(pk=candidate.pk, current_status=Status.MEMBER)
        .exists()
    ):
        flagged_on = today - datetime.timedelta(days=38)
        if not AttendanceRatio.objects.filter(date=flagged_on).exists():
            services.attendance_ratios_compute(now=_ratio_moment(flagged_on))
        snapshot = AttendanceRatio.objects.filter(organisation=candidate, date=flagged_on).first()
        if snapshot is not None and snapshot.is_below_threshold:
            report.count("exclusions", _exclusion_open_demo(candidate, snapshot))
    if not AttendanceRatio.objects.filter(date=today).exists():
        report.ratios["computed"] = services.attendance_ratios_compute(now=_ratio_moment(today))
    latest = AttendanceRatio.objects.filter(date=today, convened__gt=0)
    report.ratios["below"] = sum(1 for ratio in latest if ratio.is_below_threshold)
    report.ratios["above"] = sum(1 for ratio in latest if not ratio.is_below_threshold)
    return report


def _exclusion_open_demo(organisation: Organisation, snapshot: AttendanceRatio) -> int:
    copil = User.objects.get(email=COPIL_EMAIL)
    opened = timezone.make_aware(
        datetime.datetime.combine(snapshot.date + datetime.timedelta(days=1), datetime.time(11, 0))
    )
    procedure = members_services.exclusion_open(
        organisation=organisation,
        actor=copil,
        ground=ExclusionGround.ATTENDANCE,
        facts=(
            f"{snapshot.attended} activité(s) suivie(s) sur {snapshot.convened} convoquée(s) "
            "sur les douze derniers mois, sous le seuil de 33 % de l'article 3.4."
        ),
        now=opened,
    )
    head = (
        active_representatives(on=timezone.localdate(opened))
        .filter(organisation=organisation, is_authorised_signatory=True)
        .select_related("user")
        .first()
    )
    if head is not None:
        members_services.exclusion_respond(
            procedure=procedure,
            actor=head.user,
            response=(
                "Notre atelier a connu une forte charge cette année et nous n'avons pas pu "
                "nous libérer. Nous tenons à rester membres et serons présents aux "
                "prochaines activités."
            ),
            now=opened + datetime.timedelta(days=9),
        )
    return 1
