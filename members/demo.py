"""A realistic demonstration COS-GE, loaded by ``manage.py seed_demo``.

Everything is keyed on natural keys (charter label, legal name, SIRET, e-mail
address, person and organisation), so loading twice creates nothing new and
rewrites nothing that already matches. Status histories go through
``organisation_status_change`` (S1) and are replayed only for an organisation
that has no history yet. The organisations and people are fictitious: SIRET
numbers are computed to pass the Luhn check, websites and mailboxes use the
reserved ``.example`` top-level domain.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from charters.models import CharterVersion
from charters.selectors import charter_version_in_force

from . import selectors, services
from .constants import OrganisationKind, Role, Status, StatusReason
from .models import Establishment, OfferCategory, Organisation, Representative, StatusChange, User
from .validators import department_of, luhn_valid, validate_siret

DEMO_PASSWORD = "demo-cosge-2026"  # noqa: S105 (documented demo password, demo data only)
SITE_DOMAIN = "127.0.0.1:8000"
SITE_NAME = "COS-GE"

CHARTER_FILE = (
    Path(__file__).resolve().parent.parent / "charters" / "data" / "cos-ge-charter-v1r001.txt"
)
CHARTER_LABEL = "V1 R001"
CHARTER_TITLE = (
    "Charte de la Communauté des Offreurs de Solutions industrie du futur en Grand Est (COS-GE)"
)
CHARTER_EFFECTIVE = datetime.date(2021, 12, 2)
CHARTER_END = datetime.date(2030, 12, 31)
CHARTER_NOTE = "Version initiale ratifiée le 30 novembre 2021"
CHARTER_RATIFIED = datetime.datetime(2021, 11, 30, 18, 0, tzinfo=datetime.UTC)

COMPANY = OrganisationKind.COMPANY
ASSOCIATION = OrganisationKind.ASSOCIATION
ADMINISTRATION = OrganisationKind.ADMINISTRATION
INDEPENDENT = OrganisationKind.INDEPENDENT


# --- Status histories -------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One status change of a history: ``days_ago`` dates it relative to the load day."""

    status: str
    reason: str
    on: datetime.date | None = None
    days_ago: int | None = None
    ends_in_days: int | None = None
    ends_on: datetime.date | None = None
    explanation: str = ""
    notice_reference: str = ""

    def moment(self, today: datetime.date) -> datetime.datetime:
        day = self.on or today - datetime.timedelta(days=self.days_ago or 0)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))

    def end(self, today: datetime.date) -> datetime.date | None:
        if self.ends_in_days is not None:
            return today + datetime.timedelta(days=self.ends_in_days)
        return self.ends_on


def founder() -> tuple[Step, ...]:
    # The members of the former COS (2017-2021) joined when the charter came into force.
    return (Step(Status.MEMBER, StatusReason.IMPORTED, on=CHARTER_EFFECTIVE),)


def joined(day: datetime.date) -> tuple[Step, ...]:
    # M6: invited to activities first, then applied, then approved by the COPIL.
    return (
        Step(Status.INVITEE, StatusReason.INVITED, on=day - datetime.timedelta(days=120)),
        Step(Status.APPLICANT, StatusReason.APPLICATION, on=day - datetime.timedelta(days=40)),
        Step(Status.MEMBER, StatusReason.APPROVED, on=day),
    )


def partner(day: datetime.date, ends_on: datetime.date | None = None) -> tuple[Step, ...]:
    return (Step(Status.PARTNER, StatusReason.GRANTED, on=day, ends_on=ends_on),)


def invitee(days_ago: int) -> tuple[Step, ...]:
    return (Step(Status.INVITEE, StatusReason.INVITED, days_ago=days_ago, ends_in_days=240),)


# --- Organisations ------------------------------------------------------------------


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    kind: str
    categories: tuple[str, ...]
    description: str
    sites: tuple[tuple[str, str, str], ...]  # (address, postcode, city); the first is the seat
    history: tuple[Step, ...]
    people: int = 1  # how many generated representatives
    aif: bool = True  # listed in the AIF directory (M1)
    # Applies online (M3, M4) this many days before the load: the application service
    # creates the organisation, its establishments, its first representative and status.
    applied_days_ago: int | None = None

    @property
    def slug(self) -> str:
        # The slug the registry gives the organisation (its web and e-mail domain too).
        return services.french_slug(self.name)

    @property
    def domain(self) -> str:
        return f"{self.slug}.example"

    @property
    def website(self) -> str:
        return f"https://www.{self.domain}"

    @property
    def final_status(self) -> str:
        return self.history[-1].status


ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    # Members: the founders of 2 December 2021.
    DemoOrganisation(
        "Robotique Ardennaise Intégration",
        COMPANY,
        ("robotique", "automatisme"),
        "Intégrateur de cellules robotisées de soudage et de palettisation pour la "
        "métallurgie et la fonderie ardennaises.",
        (("12 rue de la Vieille Meuse", "08000", "Charleville-Mézières"),),
        founder(),
        people=2,
    ),
    DemoOrganisation(
        "Meuse Automation Systèmes",
        COMPANY,
        ("automatisme", "robotique"),
        "Conception de machines spéciales et automatisation de lignes d'assemblage, "
        "de l'étude au service après-vente.",
        (("5 avenue de Douaumont", "55100", "Verdun"),),
        founder(),
        people=3,
    ),
    DemoOrganisation(
        "Champagne Cobotique",
        COMPANY,
        ("robotique",),
        "Déploiement de robots collaboratifs pour les PME : audit de poste, intégration, "
        "formation des opérateurs.",
        (("18 rue de Vesle", "51100", "Reims"), ("3 rue Garibaldi", "69003", "Lyon")),
        founder(),
        people=2,
    ),
    DemoOrganisation(
        "Aube Fabrication Additive",
        COMPANY,
        ("fabrication-additive",),
        "Impression 3D polymère et métal à la demande, prototypage rapide et petites séries "
        "pour l'industrie textile et mécanique.",
        (("7 boulevard Gambetta", "10000", "Troyes"),),
        founder(),
        people=1,
    ),
    DemoOrganisation(
        "Haute-Marne Forge Numérique",
        COMPANY,
        ("jumeau-numerique", "iot-capteurs"),
        "Jumeaux numériques de presses et de lignes de forge, capteurs embarqués et suivi "
        "de l'usure des outillages.",
        (("24 rue de la Forge", "52100", "Saint-Dizier"),),
        founder(),
        people=2,
    ),
    DemoOrganisation(
        "Nancy Data Industrie",
        COMPANY,
        ("donnees-ia",),
        "Valorisation des données de production : tableaux de bord, maintenance prédictive "
        "et apprentissage automatique appliqué à la qualité.",
        (("40 rue Saint-Dizier", "54000", "Nancy"), ("15 rue de la Boétie", "75008", "Paris")),
        founder(),
        people=1,
    ),
    DemoOrganisation(
        "Lorraine Cyber Industrie",
        COMPANY,
        ("cybersecurite",),
        "Audit et sécurisation des réseaux industriels (OT), segmentation, supervision et "
        "sensibilisation des équipes.",
        (("2 allée de Longchamp", "54500", "Vandœuvre-lès-Nancy"),),
        founder(),
        people=2,
    ),
    DemoOrganisation(
        "Moselle Vision Robotique",
        COMPANY,
        ("robotique", "donnees-ia"),
        "Vision industrielle et robotique guidée par caméra pour le tri, le contrôle et "
        "le prélèvement en vrac.",
        (("9 rue Serpenoise", "57000", "Metz"), ("11 rue du Moulin", "57100", "Thionville")),
        founder(),
        people=1,
    ),
    DemoOrganisation(
        "Thionville Capteurs et Mesures",
        COMPANY,
        ("iot-capteurs",),
        "Conception de capteurs connectés et de passerelles IoT pour la surveillance "
        "des utilités et des machines.",
        (("31 boulevard Foch", "57100", "Thionville"),),
        founder(),
        people=2,
    ),
    DemoOrganisation(
        "Sarre-Lor MES Solutions",
        COMPANY,
        ("mes-erp",),
        "Éditeur d'un système d'exécution de la production (MES) pour les ateliers "
        "de sous-traitance, en français et en allemand.",
        (("6 rue Utzschneider", "57200", "Sarreguemines"),),
        founder(),
        people=3,
    ),
    DemoOrganisation(
        "Alsace Jumeau Numérique",
        COMPANY,
        ("jumeau-numerique", "realite-augmentee"),
        "Simulation de flux, mise en service virtuelle et jumeaux numériques d'usine.",
        (("22 quai des Bateliers", "67000", "Strasbourg"), ("8 rue de Marseille", "69007", "Lyon")),
        founder(),
        people=1,
    ),
    DemoOrganisation(
        "Rhin Réalité Augmentée",
        COMPANY,
        ("realite-augmentee",),
        "Applications de réalité augmentée pour la maintenance, la formation et "
        "l'assistance des opérateurs.",
        (("1 rue Jean Sapidus", "67400", "Illkirch-Graffenstaden"),),
        founder(),
        people=2,
    ),
    DemoOrganisation(
        "Haguenau Usinage Intelligent",
        COMPANY,
        ("automatisme", "iot-capteurs"),
        "Retrofit de machines-outils, connexion des parcs machines et suivi du "
        "rendement opérationnel.",
        (("14 route de Bitche", "67500", "Haguenau"),),
        founder(),
        people=1,
    ),
    DemoOrganisation(
        "Mulhouse Industrie Connectée",
        COMPANY,
        ("iot-capteurs", "mes-erp"),
        "Plateforme de collecte de données machines et d'indicateurs de performance "
        "pour les usines multisites.",
        (("5 rue des Fabriques", "68100", "Mulhouse"), ("10 rue Mégevand", "25000", "Besançon")),
        founder(),
        people=2,
    ),
    DemoOrganisation(
        "Colmar Lean Performance",
        COMPANY,
        ("lean-organisation", "conseil-strategie"),
        "Accompagnement lean et excellence opérationnelle, animation de chantiers "
        "d'amélioration continue.",
        (("3 rue des Têtes", "68000", "Colmar"),),
        founder(),
        people=1,
    ),
    DemoOrganisation(
        "Vosges Bois Robotique",
        COMPANY,
        ("robotique", "automatisme"),
        "Robotisation des scieries et des ateliers d'ameublement : manutention, "
        "ponçage et finition.",
        (("16 quai de Juillet", "88000", "Épinal"),),
        founder(),
        people=3,
    ),
    DemoOrganisation(
        "Épernay Énergie Industrielle",
        COMPANY,
        ("energie-environnement",),
        "Audits énergétiques, récupération de chaleur fatale et pilotage des "
        "consommations des sites de production.",
        (("27 avenue de Champagne", "51200", "Épernay"),),
        founder(),
        people=1,
    ),
    DemoOrganisation(
        "Chaumont Conseil Industrie 4.0",
        COMPANY,
        ("conseil-strategie", "lean-organisation"),
        "Diagnostics industrie du futur, feuilles de route de transformation et "
        "accompagnement au financement des projets.",
        (("4 rue Victoire de la Marne", "52000", "Chaumont"),),
        founder(),
        people=2,
    ),
    DemoOrganisation(
        "Sedan Métallurgie Connectée",
        COMPANY,
        ("iot-capteurs", "energie-environnement"),
        "Instrumentation des fours et des lignes de traitement thermique, suivi "
        "énergétique en temps réel.",
        (("8 place Turenne", "08200", "Sedan"),),
        founder(),
        people=1,
    ),
    DemoOrganisation(
        "Association Lorraine Usine Connectée",
        ASSOCIATION,
        ("conseil-strategie", "lean-organisation"),
        "Association d'industriels et d'offreurs lorrains qui organise visites "
        "d'usines, ateliers et retours d'expérience.",
        (("1 rue Aristide Briand", "54320", "Maxéville"),),
        founder(),
        people=2,
    ),
    DemoOrganisation(
        "Claire Marchal Conseil",
        INDEPENDENT,
        ("conseil-strategie",),
        "Consultante indépendante en stratégie industrielle et conduite du changement "
        "dans les PME.",
        (("12 rue de la Marne", "51000", "Châlons-en-Champagne"),),
        founder(),
        people=1,
    ),
    # Members who joined later, after attending as invitees (M6).
    DemoOrganisation(
        "Troyes Textile Numérique",
        COMPANY,
        ("mes-erp", "donnees-ia"),
        "Logiciels de planification et de traçabilité pour la filière textile et la maille.",
        (("19 rue de la Paix", "10100", "Romilly-sur-Seine"),),
        joined(datetime.date(2022, 3, 17)),
        people=2,
    ),
    DemoOrganisation(
        "Verdun Maintenance Prédictive",
        COMPANY,
        ("donnees-ia", "iot-capteurs"),
        "Analyse vibratoire et maintenance prédictive des machines tournantes.",
        (("13 boulevard de la Rochelle", "55000", "Bar-le-Duc"),),
        joined(datetime.date(2022, 6, 23)),
        people=1,
    ),
    DemoOrganisation(
        "Est Cybersécurité OT",
        COMPANY,
        ("cybersecurite",),
        "Centre de supervision de la sécurité des systèmes industriels et réponse aux incidents.",
        (("2 rue de la Chapelle", "57500", "Saint-Avold"), ("30 rue du Louvre", "75001", "Paris")),
        joined(datetime.date(2022, 10, 6)),
        people=2,
    ),
    DemoOrganisation(
        "Strasbourg PLM Conseil",
        COMPANY,
        ("mes-erp", "conseil-strategie"),
        "Intégration de solutions PLM et ERP, reprise de données et formation "
        "des bureaux d'études.",
        (("11 route du Général de Gaulle", "67300", "Schiltigheim"),),
        joined(datetime.date(2023, 1, 19)),
        people=1,
    ),
    DemoOrganisation(
        "Forbach Logistique Automatisée",
        COMPANY,
        ("automatisme", "robotique"),
        "Convoyeurs, magasins automatiques et robots mobiles pour la logistique "
        "interne des usines.",
        (("45 rue Nationale", "57600", "Forbach"),),
        joined(datetime.date(2023, 4, 13)),
        people=3,
    ),
    DemoOrganisation(
        "Lunéville Formation Industrie du Futur",
        COMPANY,
        ("lean-organisation", "realite-augmentee"),
        "Organisme de formation aux métiers de l'industrie du futur, plateaux "
        "techniques et formations en réalité virtuelle.",
        (("6 rue de la République", "54300", "Lunéville"),),
        joined(datetime.date(2023, 9, 21)),
        people=1,
    ),
    DemoOrganisation(
        "Sélestat Vision Qualité",
        COMPANY,
        ("donnees-ia",),
        "Contrôle qualité par vision et intelligence artificielle sur les lignes "
        "agroalimentaires et plasturgie.",
        (("20 boulevard du Général Leclerc", "67600", "Sélestat"),),
        joined(datetime.date(2024, 2, 8)),
        people=2,
    ),
    DemoOrganisation(
        "Saint-Louis Cobots Services",
        COMPANY,
        ("robotique",),
        "Location et maintenance de robots collaboratifs, accompagnement des premières "
        "applications.",
        (("7 rue de Mulhouse", "68300", "Saint-Louis"),),
        joined(datetime.date(2024, 5, 16)),
        people=1,
    ),
    DemoOrganisation(
        "Remiremont Énergie Process",
        COMPANY,
        ("energie-environnement", "automatisme"),
        "Efficacité énergétique des procédés : air comprimé, vapeur, variation de "
        "vitesse et supervision.",
        (("3 place Henri Utard", "88200", "Remiremont"),),
        joined(datetime.date(2024, 10, 3)),
        people=2,
    ),
    DemoOrganisation(
        "Saint-Dié Impression 3D Métal",
        COMPANY,
        ("fabrication-additive",),
        "Fabrication additive métal par fusion laser, post-traitement et qualification de pièces.",
        (("10 rue Thiers", "88100", "Saint-Dié-des-Vosges"),),
        joined(datetime.date(2025, 3, 20)),
        people=1,
    ),
    DemoOrganisation(
        "Reims Simulation Industrielle",
        COMPANY,
        ("jumeau-numerique", "donnees-ia"),
        "Simulation numérique des procédés et optimisation des réglages par plans d'expériences.",
        (("55 rue de Talleyrand", "51100", "Reims"),),
        joined(datetime.date(2025, 9, 18)),
        people=2,
    ),
    # Partners (art. 4): granted by the COPIL, for an indefinite or a fixed duration (P1).
    DemoOrganisation(
        "Cluster Mécatronique Champagne-Ardenne",
        ASSOCIATION,
        ("automatisme", "robotique"),
        "Cluster des entreprises de la mécatronique de Champagne-Ardenne, partenaire "
        "des rencontres offreurs-industriels.",
        (("2 rue Pierre Bayle", "51000", "Châlons-en-Champagne"),),
        partner(datetime.date(2022, 4, 7)),
        people=2,
        aif=False,
    ),
    DemoOrganisation(
        "Pôle Numérique Industriel d'Alsace",
        ASSOCIATION,
        ("donnees-ia", "cybersecurite"),
        "Pôle d'animation de la filière numérique au service de l'industrie alsacienne.",
        (("4 rue du Rhône", "67000", "Strasbourg"),),
        partner(datetime.date(2023, 1, 12), ends_on=datetime.date(2027, 12, 31)),
        people=1,
        aif=False,
    ),
    DemoOrganisation(
        "Agence de développement économique Rhin-Moselle",
        ADMINISTRATION,
        ("conseil-strategie",),
        "Agence publique d'appui aux projets industriels des territoires mosellans et rhénans.",
        (("1 place de la Préfecture", "57000", "Metz"),),
        partner(datetime.date(2022, 9, 1)),
        people=2,
        aif=False,
    ),
    # Invitees (art. 5): invited for a fixed period by a member or by the community (I1).
    DemoOrganisation(
        "Bourgogne Robotique Services",
        COMPANY,
        ("robotique",),
        "Intégrateur robotique bourguignon invité aux ateliers techniques de la COS-GE.",
        (("14 rue de la Liberté", "21000", "Dijon"),),
        invitee(45),
        people=1,
        aif=False,
    ),
    DemoOrganisation(
        "Ardennes Plasturgie Innovation",
        COMPANY,
        ("fabrication-additive", "automatisme"),
        "Outillages et moules par fabrication additive pour la plasturgie.",
        (("9 rue Carnot", "08300", "Rethel"),),
        invitee(70),
        people=1,
        aif=False,
    ),
    DemoOrganisation(
        "Franche-Comté Microtechniques",
        COMPANY,
        ("iot-capteurs",),
        "Microcapteurs et électronique embarquée pour l'instrumentation industrielle.",
        (("18 rue de Belfort", "25000", "Besançon"),),
        invitee(100),
        people=1,
        aif=False,
    ),
    # An applicant whose application waits for the COPIL (M5): every condition of art. 3.1
    # is met, since it attended a workshop while its application was under review (M6).
    # (A database loaded before applications were seeded keeps its former history:
    # invited, then applicant, without an application record.)
    DemoOrganisation(
        "Argonne Automatismes",
        COMPANY,
        ("automatisme",),
        "Automatismes et supervision pour l'agroalimentaire et les coopératives.",
        (("5 rue des Capucins", "55200", "Commercy"),),
        (Step(Status.APPLICANT, StatusReason.APPLICATION, days_ago=45),),
        people=2,
        applied_days_ago=45,
    ),
    # A member that resigned (L2) and one that was excluded (L3, L4).
    DemoOrganisation(
        "Vitry Mécanique de Précision",
        COMPANY,
        ("automatisme",),
        "Usinage de précision et machines spéciales.",
        (("21 rue du Bassin", "51300", "Vitry-le-François"),),
        (
            *founder(),
            Step(Status.NONE, StatusReason.RESIGNED, on=datetime.date(2024, 6, 28)),
        ),
        people=1,
    ),
    DemoOrganisation(
        "Longwy Solutions Numériques",
        COMPANY,
        ("donnees-ia", "mes-erp"),
        "Développement d'applications métier pour l'industrie.",
        (("17 avenue de Saintignon", "54400", "Longwy"),),
        (
            *founder(),
            Step(
                Status.NONE,
                StatusReason.EXCLUDED,
                on=datetime.date(2025, 3, 14),
                explanation=(
                    "Assiduité inférieure à 33 % des activités organisées par la COS-GE "
                    "sur les 12 derniers mois (art. 3.4) ; aucune réponse reçue dans le "
                    "délai de 30 jours."
                ),
                notice_reference="COPIL-2025-007",
            ),
        ),
        people=1,
    ),
    # A recent applicant the COPIL cannot approve yet: it has not attended any activity
    # (M6); it is convened to the next workshop. Last in this list: the SIRENs above
    # follow the rank of each organisation.
    DemoOrganisation(
        "Marne Supervision Industrielle",
        COMPANY,
        ("iot-capteurs", "mes-erp"),
        "Supervision des utilités et suivi de production pour les caves et les ateliers "
        "agroalimentaires.",
        (("8 rue Chanzy", "51100", "Reims"),),
        (Step(Status.APPLICANT, StatusReason.APPLICATION, days_ago=12),),
        people=1,
        applied_days_ago=12,
    ),
)


# --- People -------------------------------------------------------------------------

FIRST_NAMES: tuple[tuple[str, str], ...] = (
    ("Sophie", "f"), ("Nicolas", "m"), ("Isabelle", "f"), ("Julien", "m"), ("Nathalie", "f"),
    ("Mathieu", "m"), ("Céline", "f"), ("Stéphane", "m"), ("Aurélie", "f"), ("Frédéric", "m"),
    ("Élodie", "f"), ("Sébastien", "m"), ("Caroline", "f"), ("Laurent", "m"), ("Virginie", "f"),
    ("Olivier", "m"), ("Émilie", "f"), ("Guillaume", "m"), ("Sandrine", "f"), ("Jérôme", "m"),
    ("Delphine", "f"), ("François", "m"), ("Hélène", "f"), ("Antoine", "m"), ("Marion", "f"),
    ("Christophe", "m"), ("Pauline", "f"), ("Benoît", "m"), ("Anne", "f"), ("Vincent", "m"),
    ("Laure", "f"), ("Pierre", "m"), ("Chloé", "f"), ("Damien", "m"), ("Agnès", "f"),
    ("Yannick", "m"), ("Valérie", "f"), ("Romain", "m"), ("Léa", "f"), ("Fabrice", "m"),
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Muller", "Schmitt", "Meyer", "Weber", "Klein", "Martin", "Bernard", "Hoffmann", "Wagner",
    "Becker", "Schneider", "Fischer", "Keller", "Zimmermann", "Koenig", "Huber", "Kieffer",
    "Bauer", "Jacquot", "Colin", "Mathieu", "Gérard", "François", "Henry", "Perrin", "Humbert",
    "Masson", "Noël", "Didier", "Guillaume", "Lemaire", "Barbier", "Thiébaut", "Lallemand",
    "Marchal", "Adam", "Simon", "Laurent", "Dubois", "Moreau", "Roussel", "Boulanger",
    "Jacob", "Lambert", "Fontaine", "Rousseau", "Poirson", "Grandjean", "Dupont", "Léonard",
    "Vautrin", "Haas", "Walter", "Frey", "Wolff", "Roth", "Lorentz", "Caspar", "Steiner",
)  # fmt: skip

# (masculine, feminine) job titles; the first is the head of the organisation.
HEAD_TITLES = {
    COMPANY: ("Président", "Présidente"),
    ASSOCIATION: ("Président", "Présidente"),
    ADMINISTRATION: ("Directeur", "Directrice"),
    INDEPENDENT: ("Consultant", "Consultante"),
}
OTHER_TITLES: tuple[tuple[str, str], ...] = (
    ("Directeur technique", "Directrice technique"),
    ("Responsable commercial", "Responsable commerciale"),
    ("Chargé d'affaires industrie du futur", "Chargée d'affaires industrie du futur"),
    ("Responsable innovation", "Responsable innovation"),
)


@dataclass(frozen=True)
class DemoAccount:
    """A person who logs in to the demo with the demo password (verified e-mail)."""

    email: str
    first_name: str
    last_name: str
    organisation: str | None  # legal name of the member organisation represented
    job_title: str = ""
    signatory: bool = False
    groups: tuple[str, ...] = ()
    is_staff: bool = False
    is_superuser: bool = False
    role: str = ""  # shown in the summary


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "membre@demo.cos-ge.fr", "Camille", "Lefèvre", "Moselle Vision Robotique",
        "Directrice générale", signatory=True, role="représentante d'un membre, signataire",
    ),
    DemoAccount(
        "copil@demo.cos-ge.fr", "Thomas", "Schaeffer", "Alsace Jumeau Numérique",
        "Directeur des opérations", groups=(Role.COPIL,), is_staff=True,
        role="membre du COPIL",
    ),
    DemoAccount(
        "organisateur@demo.cos-ge.fr", "Julie", "Vogt", "Nancy Data Industrie",
        "Responsable des partenariats", groups=(Role.ORGANISERS,), role="organisatrice",
    ),
    DemoAccount(
        "admin@demo.cos-ge.fr", "Marc", "Durand", None, is_staff=True, is_superuser=True,
        role="administrateur",
    ),
)  # fmt: skip

# The four other COPIL members (G1: five seats held by representatives of members):
# the head of each of these member organisations.
OTHER_COPIL_ORGANISATIONS: tuple[str, ...] = (
    "Meuse Automation Systèmes",
    "Sarre-Lor MES Solutions",
    "Mulhouse Industrie Connectée",
    "Vosges Bois Robotique",
)


@dataclass(frozen=True)
class DemoPerson:
    email: str
    first_name: str
    last_name: str
    organisation: str
    job_title: str
    signatory: bool
    public_consent: bool
    groups: tuple[str, ...] = ()
    is_staff: bool = False
    is_superuser: bool = False
    can_log_in: bool = False


def demo_people() -> list[DemoPerson]:
    """Every person of the demo: the generated representatives, then the demo logins."""
    return _people()


def _people() -> list[DemoPerson]:
    people: list[DemoPerson] = []
    counter = 0
    for org in ORGANISATIONS:
        copil = org.name in OTHER_COPIL_ORGANISATIONS
        for rank in range(org.people):
            first, gender = FIRST_NAMES[(counter * 7) % len(FIRST_NAMES)]
            last = LAST_NAMES[counter % len(LAST_NAMES)]
            pick = 1 if gender == "f" else 0
            title = (HEAD_TITLES[org.kind] if rank == 0 else OTHER_TITLES[rank - 1])[pick]
            head = rank == 0
            people.append(
                DemoPerson(
                    email=f"{slugify(first)}.{slugify(last)}@{org.domain}",
                    first_name=first,
                    last_name=last,
                    organisation=org.name,
                    job_title=title,
                    # One authorised signatory per organisation, unless a demo login is it.
                    signatory=head and org.name != "Moselle Vision Robotique",
                    # Charter-friendly default: about two people in three agree to be shown.
                    public_consent=counter % 3 != 2,
                    groups=(Role.COPIL,) if copil and head else (),
                    is_staff=copil and head,
                    # COPIL members and applicants sign online (a proxy, a ballot, the
                    # charter with the application): they have the demo password.
                    can_log_in=(copil or org.applied_days_ago is not None) and head,
                )
            )
            counter += 1
    for account in DEMO_ACCOUNTS:
        people.append(
            DemoPerson(
                email=account.email,
                first_name=account.first_name,
                last_name=account.last_name,
                organisation=account.organisation or "",
                job_title=account.job_title,
                signatory=account.signatory,
                public_consent=account.organisation is not None,
                groups=account.groups,
                is_staff=account.is_staff,
                is_superuser=account.is_superuser,
                can_log_in=True,
            )
        )
    return people


# --- Identifiers ----------------------------------------------------------------------


def _with_luhn_key(prefix: str) -> str:
    for key in "0123456789":
        if luhn_valid(prefix + key):
            return prefix + key
    raise AssertionError("unreachable: one Luhn key digit always fits")


def siren_for(index: int) -> str:
    """A deterministic, Luhn-valid SIREN for the index-th demo organisation."""
    return _with_luhn_key(f"{(81_234_567 + index * 104_729) % 100_000_000:08d}")


def aif_reference_for(index: int) -> str:
    """The index-th demo organisation's reference in the AIF directory (M1)."""
    return f"AIF-OS-{2017 + index % 5}-{index + 101:04d}"


def siret_for(siren: str, rank: int) -> str:
    """The rank-th establishment's SIRET: SIREN, a 4-digit sequence and the Luhn key."""
    return _with_luhn_key(f"{siren}{rank + 1:04d}")


# --- Loading --------------------------------------------------------------------------


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    accounts: tuple[DemoAccount, ...] = DEMO_ACCOUNTS
    copil: list[str] = field(default_factory=list)
    applicants: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def count(self, name: str, n: int = 1) -> None:
        self.created[name] = self.created.get(name, 0) + n


def _sync(instance, values: dict) -> bool:
    """Set ``values`` on ``instance``; True when something actually changed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _load_charter(report: SeedReport) -> CharterVersion:
    values = {
        "title": CHARTER_TITLE,
        "body": CHARTER_FILE.read_text(encoding="utf-8"),
        "effective_date": CHARTER_EFFECTIVE,
        "end_date": CHARTER_END,
        "change_note": CHARTER_NOTE,
    }
    version = CharterVersion.objects.filter(label=CHARTER_LABEL).first()
    if version is None:
        version = CharterVersion(label=CHARTER_LABEL, **values)
        if hasattr(version, "published_at"):
            # Published when ratified by the plenary (art. 10).
            version.published_at = CHARTER_RATIFIED
        version.full_clean()
        version.save()
        report.count("charter_versions")
    elif any(getattr(version, name) != value for name, value in values.items()):
        if getattr(version, "published_at", None) is not None:
            # W1: a published text is frozen; it is never rewritten, even by the demo.
            report.warnings.append(
                f"La version {CHARTER_LABEL} publiée diffère du fichier "
                f"{CHARTER_FILE.name} : elle est laissée telle quelle."
            )
        else:
            _sync(version, values)
            version.full_clean()
            version.save()
    return version


def _load_site() -> None:
    site = Site.objects.filter(pk=1).first()
    if site is None:
        Site.objects.create(pk=1, domain=SITE_DOMAIN, name=SITE_NAME)
    elif _sync(site, {"domain": SITE_DOMAIN, "name": SITE_NAME}):
        site.save()


def _load_organisations(report: SeedReport) -> dict[str, Organisation]:
    categories = {c.slug: c for c in OfferCategory.objects.all()}
    existing = {
        o.legal_name.lower(): o
        for o in Organisation.objects.filter(
            legal_name__in=[d.name for d in ORGANISATIONS]
        ).prefetch_related("offer_categories")
    }
    result: dict[str, Organisation] = {}
    for index, demo in enumerate(ORGANISATIONS):
        values = {
            "kind": demo.kind,
            "siren": siren_for(index),
            "website": demo.website,
            "description": demo.description,
            "aif_reference": aif_reference_for(index) if demo.aif else "",
        }
        wanted = {categories[slug] for slug in demo.categories}
        organisation = existing.get(demo.name.lower())
        if organisation is None and demo.applied_days_ago is not None:
            continue  # created by its application (_load_applications)
        if organisation is None:
            organisation = services.organisation_create(
                legal_name=demo.name, now=demo.history[0].moment(timezone.localdate()), **values
            )
            organisation.offer_categories.set(wanted)
            report.count("organisations")
        else:
            if _sync(organisation, values):
                organisation.full_clean()
                organisation.save()
            if set(organisation.offer_categories.all()) != wanted:
                organisation.offer_categories.set(wanted)
        result[demo.name] = organisation
    return result


def _load_establishments(report: SeedReport, organisations: dict[str, Organisation]) -> None:
    existing = {
        (e.organisation_id, e.siret): e
        for e in Establishment.objects.filter(organisation__in=organisations.values())
    }
    missing: list[Establishment] = []
    changed: list[Establishment] = []
    for demo in ORGANISATIONS:
        organisation = organisations.get(demo.name)
        if organisation is None:
            continue  # its application brings its establishments
        for rank, (address, postcode, city) in enumerate(demo.sites):
            siret = siret_for(organisation.siren, rank)
            validate_siret(siret)  # Charter art. 3.1 (M2): 14 digits, Luhn key
            values = {
                "name": "" if rank == 0 else f"Agence de {city}",
                "address": address,
                "postcode": postcode,
                "city": city,
                # bulk_create skips Establishment.save(), which derives the department.
                "department": department_of(postcode),
                "is_active": True,
            }
            establishment = existing.get((organisation.pk, siret))
            if establishment is None:
                missing.append(Establishment(organisation=organisation, siret=siret, **values))
            elif _sync(establishment, values):
                changed.append(establishment)
    Establishment.objects.bulk_create(missing)
    if changed:
        Establishment.objects.bulk_update(
            changed, ["name", "address", "postcode", "city", "department", "is_active"]
        )
    report.count("establishments", len(missing))


def _load_people(report: SeedReport, organisations: dict[str, Organisation]) -> dict[str, User]:
    people = _people()
    demo_by_name = {d.name: d for d in ORGANISATIONS}
    users = {u.email: u for u in User.objects.filter(email__in=[p.email for p in people])}
    # Hashing is slow by design (Argon2): hash the demo password once and share it.
    password = make_password(DEMO_PASSWORD)
    missing: list[User] = []
    changed: list[User] = []
    for person in people:
        values = {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "is_staff": person.is_staff,
            "is_superuser": person.is_superuser,
        }
        user = users.get(person.email)
        if user is None:
            user = User(
                email=person.email,
                password=password if person.can_log_in else make_password(None),
                **values,
            )
            missing.append(user)
            users[person.email] = user
        elif _sync(user, values):
            changed.append(user)
    User.objects.bulk_create(missing)
    if changed:
        User.objects.bulk_update(changed, ["first_name", "last_name", "is_staff", "is_superuser"])
    report.count("users", len(missing))
    # bulk_create sets primary keys on PostgreSQL and SQLite; reload to be sure on any backend.
    users = {u.email: u for u in User.objects.filter(email__in=[p.email for p in people])}

    # Group memberships (m2m add() skips the ones that exist).
    groups = {
        g.name: g for g in Group.objects.filter(name__in=[n for p in people for n in p.groups])
    }
    for person in people:
        if person.groups:
            users[person.email].groups.add(*(groups[name] for name in person.groups))

    # Verified primary addresses: allauth's mandatory verification lets them log in.
    login_emails = [p.email for p in people if p.can_log_in]
    verified = set(
        EmailAddress.objects.filter(email__in=login_emails).values_list("email", flat=True)
    )
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=users[email], email=email, verified=True, primary=True)
            for email in login_emails
            if email not in verified
        ]
    )
    EmailAddress.objects.filter(email__in=login_emails).exclude(verified=True, primary=True).update(
        verified=True, primary=True
    )

    # Representatives (art. 3.1, M9): keyed on (person, organisation).
    today = timezone.localdate()
    existing = {
        (r.user_id, r.organisation_id): r
        for r in Representative.objects.filter(user__in=users.values())
    }
    missing_reps: list[Representative] = []
    changed_reps: list[Representative] = []
    for person in people:
        if not person.organisation or person.organisation not in organisations:
            continue  # an applicant's representatives come with its application
        demo = demo_by_name[person.organisation]
        if demo.applied_days_ago is not None:
            continue  # designated by the application and by the applicant (M3, M9)
        organisation = organisations[person.organisation]
        user = users[person.email]
        lost = demo.final_status == Status.NONE
        values = {
            "job_title": person.job_title,
            "start_date": timezone.localdate(demo.history[0].moment(today)),
            # Representatives of a former member stopped the day it left.
            "end_date": timezone.localdate(demo.history[-1].moment(today)) if lost else None,
            "is_authorised_signatory": person.signatory,
            "public_consent": person.public_consent,
        }
        representative = existing.get((user.pk, organisation.pk))
        if representative is None:
            missing_reps.append(Representative(user=user, organisation=organisation, **values))
        # A start counted in days before the load stays the first load's: a later load
        # does not move it.
        elif _sync(representative, {k: v for k, v in values.items() if k != "start_date"}):
            changed_reps.append(representative)
    Representative.objects.bulk_create(missing_reps)
    if changed_reps:
        Representative.objects.bulk_update(
            changed_reps,
            ["job_title", "end_date", "is_authorised_signatory", "public_consent"],
        )
    report.count("representatives", len(missing_reps))
    report.copil = sorted(p.email for p in people if Role.COPIL in p.groups)
    return users


def _load_statuses(
    report: SeedReport, organisations: dict[str, Organisation], users: dict[str, User]
) -> None:
    today = timezone.localdate()
    copil = users["copil@demo.cos-ge.fr"]
    people = _people()
    heads = {}
    for person in people:
        heads.setdefault(person.organisation, users[person.email])
    with_history = set(
        StatusChange.objects.filter(organisation__in=organisations.values()).values_list(
            "organisation_id", flat=True
        )
    )
    for demo in ORGANISATIONS:
        organisation = organisations.get(demo.name)
        if organisation is None or demo.applied_days_ago is not None:
            continue  # an applicant's history starts with its application
        if organisation.pk in with_history:
            continue  # S1: history is never rewritten; an organisation's history is loaded once
        for step in demo.history:
            if step.reason == StatusReason.IMPORTED:
                actor = None
            elif step.reason in {StatusReason.APPLICATION, StatusReason.RESIGNED}:
                actor = heads[demo.name]  # the organisation's own representative (M3, L2)
            else:
                actor = copil  # G2: decisions of the COPIL
            services.organisation_status_change(
                organisation=organisation,
                status=step.status,
                reason=step.reason,
                actor=actor,
                explanation=step.explanation,
                notice_reference=step.notice_reference,
                ends_on=step.end(today),
                now=step.moment(today),
            )
            report.count("status_changes")


def _at(days_ago: int, hour: int = 10) -> datetime.datetime:
    """A moment ``days_ago`` days before the load day, at ``hour`` (Paris time)."""
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _load_applications(report: SeedReport, users: dict[str, User]) -> None:
    """Applications submitted online (M3, M4) through the application service, with the
    charter signed in the same step; the COPIL then checks the AIF reference (M1).

    Keyed on the organisation's name: an organisation already in the registry is left
    as it is (its application, if any, was loaded by an earlier run)."""
    copil = User.objects.get(email="copil@demo.cos-ge.fr")
    version = CharterVersion.objects.get(label=CHARTER_LABEL)
    people_by_org: dict[str, list[DemoPerson]] = {}
    for person in _people():
        people_by_org.setdefault(person.organisation, []).append(person)
    for index, demo in enumerate(ORGANISATIONS):
        if demo.applied_days_ago is None:
            continue
        if Organisation.objects.filter(legal_name__iexact=demo.name).exists():
            continue
        head, *others = people_by_org[demo.name]
        applicant = users[head.email]
        siren = siren_for(index)
        submitted = _at(demo.applied_days_ago)
        if charter_version_in_force(on=submitted.date()) != version:
            continue  # the demo charter is not in force on that day: nothing to sign
        application = services.application_submit(
            applicant=applicant,
            data={
                "legal_name": demo.name,
                "kind": demo.kind,
                "siren": siren,
                "website": demo.website,
                "description": demo.description,
                "job_title": head.job_title,
                "establishments": [
                    {
                        "siret": siret_for(siren, rank),
                        "name": "" if rank == 0 else f"Agence de {city}",
                        "address": address,
                        "postcode": postcode,
                        "city": city,
                    }
                    for rank, (address, postcode, city) in enumerate(demo.sites)
                ],
            },
            aif_reference=aif_reference_for(index),
            motivation=(
                f"{demo.name} souhaite rejoindre la COS-GE pour partager ses retours "
                "d'expérience avec les industriels du Grand Est."
            ),
            password=DEMO_PASSWORD,
            consent_given=True,
            ip_address="192.0.2.10",  # documentation range (RFC 5737): a demo address
            user_agent="Démonstration COS-GE",
            now=submitted,
        )
        organisation = application.organisation
        organisation.offer_categories.set(OfferCategory.objects.filter(slug__in=demo.categories))
        for rank, person in enumerate(others, start=1):
            services.representative_add(
                organisation=organisation,
                actor=applicant,
                email=person.email,
                first_name=person.first_name,
                last_name=person.last_name,
                job_title=person.job_title,
                now=submitted + datetime.timedelta(days=rank),
            )
        # M1: a COPIL member checked the reference in the AIF directory.
        services.application_aif_verify(
            application=application,
            actor=copil,
            now=_at(max(1, demo.applied_days_ago - 10), hour=15),
        )
        report.count("applications")
        report.count("organisations")
        report.count("establishments", len(demo.sites))
        report.count("representatives", len(people_by_org[demo.name]))
        report.count("status_changes")
        report.applicants.append(head.email)


def _load_partnership_agreement(report: SeedReport) -> None:
    """P2: the CINOV-IT pattern (3 years, renewed year by year, 3 months' notice), signed
    the day the COPIL granted the partner status; its deadlines follow (P6)."""
    organisation = Organisation.objects.filter(legal_name=AGREEMENT_PARTNER).first()
    if organisation is None or organisation.agreements.exists():
        return
    granted = (
        organisation.status_changes.filter(status=Status.PARTNER)
        .order_by("effective_at")
        .values_list("effective_at", flat=True)
        .first()
    )
    if granted is None:
        return
    services.partnership_agreement_record(
        organisation=organisation,
        actor=User.objects.get(email="copil@demo.cos-ge.fr"),
        parties=(
            "La COS-GE, représentée par son COPIL, et le Cluster Mécatronique "
            "Champagne-Ardenne, représenté par sa présidence."
        ),
        signed_on=timezone.localdate(granted),
        now=granted,
    )
    report.count("agreements")


# The partner whose partnership rests on a written agreement (P2).
AGREEMENT_PARTNER = "Cluster Mécatronique Champagne-Ardenne"


@transaction.atomic
def load_demo() -> SeedReport:
    """Load (or complete) the demo COS-GE; safe to run any number of times."""
    report = SeedReport()
    _load_site()
    _load_charter(report)  # first: the parameters of the version in force apply (M2)
    organisations = _load_organisations(report)
    _load_establishments(report, organisations)
    users = _load_people(report, organisations)
    _load_statuses(report, organisations, users)
    _load_applications(report, users)
    _load_partnership_agreement(report)
    report.statuses = selectors.community_counts()
    return report
