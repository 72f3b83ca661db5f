"""The benchmark's data set: a registry the size of a grown network, built with bulk_create.

``build(organisations=2000)`` fills the current database in a few seconds. The data set is
made of parts, one function each, run in order by ``build``; each part reads what the
previous ones made from the ``DataSet`` and records its own count. Later parts
(activities, attendance, ballots) are new functions appended to ``PARTS``.

Everything is drawn from a seeded random generator: the same seed gives the same data.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from members.constants import OrganisationKind, Status, StatusReason
from members.models import (
    Establishment,
    OfferCategory,
    Organisation,
    Representative,
    StatusChange,
    User,
)
from members.validators import department_of

BATCH = 500

# Real postcodes of the Grand Est, weighted towards the big industrial basins, and a few
# outside the region (an organisation may have its head office elsewhere).
PLACES = [
    ("57000", "Metz", 6), ("57100", "Thionville", 3), ("57200", "Sarreguemines", 2),
    ("57600", "Forbach", 1), ("67000", "Strasbourg", 6), ("67500", "Haguenau", 2),
    ("67600", "Sélestat", 1), ("68100", "Mulhouse", 4), ("68000", "Colmar", 2),
    ("68300", "Saint-Louis", 1), ("54000", "Nancy", 5), ("54500", "Vandœuvre-lès-Nancy", 1),
    ("54400", "Longwy", 1), ("51100", "Reims", 4), ("51000", "Châlons-en-Champagne", 1),
    ("51200", "Épernay", 1), ("10000", "Troyes", 2), ("08000", "Charleville-Mézières", 2),
    ("08200", "Sedan", 1), ("52000", "Chaumont", 1), ("52100", "Saint-Dizier", 1),
    ("55000", "Bar-le-Duc", 1), ("55100", "Verdun", 1), ("88000", "Épinal", 2),
    ("88100", "Saint-Dié-des-Vosges", 1), ("75011", "Paris", 1), ("69003", "Lyon", 1),
]  # fmt: skip
PREFIXES = [
    "Atelier", "Groupe", "Société", "Institut", "Bureau", "Compagnie", "Cabinet",
    "Laboratoire", "Fonderie", "Manufacture",
]  # fmt: skip
TRADES = [
    "de Robotique", "d'Usinage", "de Métrologie", "Numérique", "d'Automatisme",
    "de Cybersécurité", "de Fabrication Additive", "de Vision Industrielle",
    "de Logistique", "d'Ingénierie",
]  # fmt: skip
REGIONS = [
    "Lorrain", "d'Alsace", "Champenois", "Ardennais", "Vosgien", "Mosellan", "Rhénan",
    "du Grand Est", "Meusien", "Aubois",
]  # fmt: skip
SENTENCES = [
    "Intégration de cellules robotisées et de cobots pour les PME industrielles.",
    "Supervision de lignes de production et jumeaux numériques.",
    "Contrôle qualité par vision et métrologie tridimensionnelle.",
    "Audit et durcissement de la cybersécurité des réseaux d'atelier.",
    "Impression 3D métal et polymère, de la pièce prototype à la petite série.",
    "Déploiement de MES et d'ERP, formation des équipes.",
    "Maintenance prédictive à partir de capteurs connectés.",
    "Accompagnement lean et organisation des flux.",
    "Efficacité énergétique des procédés et récupération de chaleur.",
    "Conception de machines spéciales et rétrofit d'équipements.",
]
FIRST_NAMES = [
    "Camille", "Claire", "Julien", "Sophie", "Thomas", "Nathalie", "Nicolas", "Isabelle",
    "Pierre", "Émilie", "Laurent", "Céline", "Mathieu", "Aurélie", "François", "Léa",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Schmitt", "Muller", "Klein", "Weber", "Meyer", "Durand",
    "Lefèvre", "Moreau", "Girard", "Roux", "Fischer", "Hoffmann", "Wagner", "Thomas",
]  # fmt: skip
JOB_TITLES = [
    "Dirigeant", "Directrice générale", "Responsable commercial", "Directeur technique",
    "Chargée d'affaires", "Responsable innovation",
]  # fmt: skip
FALLBACK_CATEGORIES = [
    ("robotique", "Robotique et cobotique"),
    ("automatisme", "Automatisme et machines spéciales"),
    ("donnees-ia", "Données, IA et analytique"),
    ("cybersecurite", "Cybersécurité industrielle"),
]

# The fate of each organisation, with its weight: most are members (S1 statuses).
PROFILES = [("member", 70), ("partner", 10), ("invitee", 5), ("applicant", 5), ("former", 10)]
LISTED_PROFILES = {"member", "partner"}  # S2: only they appear in the directory


@dataclass
class DataSet:
    """What the parts build, shared between them, and how many rows each made."""

    size: int
    rng: random.Random
    now: datetime.datetime
    categories: list[OfferCategory] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    profiles: dict[int, str] = field(default_factory=dict)  # organisation id -> profile
    counts: dict[str, int] = field(default_factory=dict)

    def days_ago(self, low: int, high: int) -> datetime.datetime:
        return self.now - datetime.timedelta(days=self.rng.randint(low, high))


def siren_with_key(rng: random.Random) -> str:
    """Eight random digits and the Luhn key that makes a valid SIREN (M2)."""
    body = f"{rng.randrange(10**7, 10**8)}"
    for key in "0123456789":
        digits = body + key
        total = 0
        for position, char in enumerate(reversed(digits)):
            value = int(char) * (2 if position % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return digits
    raise AssertionError("a Luhn key always exists")


def build_categories(data: DataSet) -> None:
    """Offer categories: those of the migrations, or a few when the table is empty."""
    if not OfferCategory.objects.exists():
        OfferCategory.objects.bulk_create(
            [OfferCategory(slug=slug, name=name) for slug, name in FALLBACK_CATEGORIES]
        )
    data.categories = list(OfferCategory.objects.order_by("slug"))
    data.counts["offer_categories"] = len(data.categories)


def build_organisations(data: DataSet) -> None:
    """Organisations with a unique name and slug, a SIREN for companies, 1-3 categories."""
    rng = data.rng
    rows = []
    for index in range(data.size):
        name = f"{rng.choice(PREFIXES)} {rng.choice(TRADES)} {rng.choice(REGIONS)} {index + 1:04d}"
        kind = rng.choices(
            [OrganisationKind.COMPANY, OrganisationKind.ASSOCIATION, OrganisationKind.INDEPENDENT],
            weights=[85, 10, 5],
        )[0]
        rows.append(
            Organisation(
                legal_name=name,
                slug=slugify(name),
                kind=kind,
                siren=siren_with_key(rng) if kind == OrganisationKind.COMPANY else "",
                website=f"https://www.{slugify(name)}.fr",
                description=" ".join(rng.sample(SENTENCES, k=2)),
            )
        )
    data.organisations = Organisation.objects.bulk_create(rows, batch_size=BATCH)
    links = []
    through = Organisation.offer_categories.through
    for organisation in data.organisations:
        for category in rng.sample(data.categories, k=min(len(data.categories), rng.randint(1, 3))):
            links.append(through(organisation_id=organisation.pk, offercategory_id=category.pk))
    through.objects.bulk_create(links, batch_size=BATCH)
    data.counts["organisations"] = len(data.organisations)
    data.counts["offer_links"] = len(links)


def build_establishments(data: DataSet) -> None:
    """One to three establishments each; the first is always active."""
    rng = data.rng
    postcodes = [(postcode, city) for postcode, city, _ in PLACES]
    weights = [weight for _, _, weight in PLACES]
    rows = []
    for organisation in data.organisations:
        count = rng.choices([1, 2, 3], weights=[70, 20, 10])[0]
        for number in range(count):
            postcode, city = rng.choices(postcodes, weights=weights)[0]
            rows.append(
                Establishment(
                    organisation_id=organisation.pk,
                    name="" if number == 0 else f"Site de {city}",
                    address=f"{rng.randint(1, 120)} rue de l'Industrie",
                    postcode=postcode,
                    city=city,
                    # bulk_create skips save(), which computes the department.
                    department=department_of(postcode),
                    is_active=number == 0 or rng.random() > 0.1,
                )
            )
    Establishment.objects.bulk_create(rows, batch_size=BATCH)
    data.counts["establishments"] = len(rows)


def build_representatives(data: DataSet) -> None:
    """One to four representatives each, with their accounts; some left, some consent."""
    rng = data.rng
    # Accounts of the data set cannot log in: one unusable password, computed once.
    password = make_password(None)
    users, representatives = [], []
    for organisation in data.organisations:
        for number in range(rng.choices([1, 2, 3, 4], weights=[35, 35, 20, 10])[0]):
            user = User(
                email=f"personne{len(users) + 1}@bench.cos-ge.fr",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                password=password,
            )
            users.append(user)
            start = data.days_ago(200, 2000).date()
            left = number > 0 and rng.random() < 0.1
            representatives.append(
                Representative(
                    user=user,
                    organisation_id=organisation.pk,
                    job_title=rng.choice(JOB_TITLES),
                    start_date=start,
                    end_date=start + datetime.timedelta(days=rng.randint(30, 180))
                    if left
                    else None,
                    is_authorised_signatory=number == 0,
                    public_consent=rng.random() < 0.6,
                )
            )
    User.objects.bulk_create(users, batch_size=BATCH)
    for representative in representatives:
        representative.user_id = representative.user.pk
    Representative.objects.bulk_create(representatives, batch_size=BATCH)
    data.counts["users"] = len(users)
    data.counts["representatives"] = len(representatives)


def build_statuses(data: DataSet) -> None:
    """Each organisation's status history (S1), ending in its profile's current status."""
    rng = data.rng
    names, weights = zip(*PROFILES, strict=True)
    rows = []

    def change(organisation, status, reason, when):
        rows.append(
            StatusChange(
                organisation_id=organisation.pk,
                status=status,
                reason=reason,
                effective_at=when,
                recorded_at=when,
            )
        )

    for organisation in data.organisations:
        profile = rng.choices(names, weights=weights)[0]
        data.profiles[organisation.pk] = profile
        applied = data.days_ago(400, 2000)
        if profile == "partner":
            change(organisation, Status.PARTNER, StatusReason.GRANTED, applied)
        elif profile == "invitee":
            change(organisation, Status.INVITEE, StatusReason.INVITED, data.days_ago(10, 300))
        elif profile == "applicant":
            change(organisation, Status.APPLICANT, StatusReason.APPLICATION, data.days_ago(1, 60))
        else:
            approved = applied + datetime.timedelta(days=rng.randint(20, 90))
            change(organisation, Status.APPLICANT, StatusReason.APPLICATION, applied)
            change(organisation, Status.MEMBER, StatusReason.APPROVED, approved)
            if profile == "former":
                reason = rng.choice([StatusReason.RESIGNED, StatusReason.EXCLUDED])
                change(organisation, Status.NONE, reason, data.days_ago(1, 300))
    StatusChange.objects.bulk_create(rows, batch_size=BATCH)
    data.counts["status_changes"] = len(rows)
    data.counts["listed"] = sum(p in LISTED_PROFILES for p in data.profiles.values())


# The parts, in the order they run. Activities, attendance and ballots come next.
PARTS: list[Callable[[DataSet], None]] = [
    build_categories,
    build_organisations,
    build_establishments,
    build_representatives,
    build_statuses,
]


def build(
    *, organisations: int = 2000, seed: int = 2026, now: datetime.datetime | None = None
) -> dict[str, int]:
    """Fill the current database with the data set; return the number of rows of each kind."""
    data = DataSet(size=organisations, rng=random.Random(seed), now=now or timezone.now())
    with transaction.atomic():
        for part in PARTS:
            part(data)
    return data.counts
