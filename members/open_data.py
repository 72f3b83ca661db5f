"""The directory as open data: /annuaire.csv, /annuaire-fr.csv and /annuaire.json.

The exports hold what the public organisation pages show, nothing more: current members and
partners only (S2), the representatives who consented to appear (``public_consent``), and
for an independent person (a natural person) the city and department of an establishment,
never its address. Column and key names are French and stable: they are the format.

``FIELDS`` is the one description of the columns: the CSV header and the Table Schema
(frictionless, with the conventions of schema.data.gouv.fr) are both built from it. The
schema is committed as docs/open-data/annuaire.schema.json (``manage.py open_data_schema``
writes it again) and served at /annuaire.schema.json; /annuaire.datapackage.json ties the
two CSV files to it, so that ``frictionless validate`` checks them in one go.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import functools
import io
import json
from json.encoder import encode_basestring as _encode_string

from django.urls import reverse
from django.utils import timezone, translation

from core.site import absolute_url

from . import selectors
from .constants import OrganisationKind, Status
from .models import Organisation


@dataclasses.dataclass(frozen=True)
class Field:
    """One column of the CSV exports, as the Table Schema describes it."""

    name: str
    title: str
    description: str
    example: str
    type: str = "string"
    format: str = "default"
    constraints: dict = dataclasses.field(default_factory=dict)
    enum: tuple = ()  # the labels the column may hold, translated to French when described

    def descriptor(self) -> dict:
        constraints = dict(self.constraints)
        if self.enum:
            with translation.override("fr"):
                constraints["enum"] = [str(label) for label in self.enum]
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "type": self.type,
            "format": self.format,
            "example": self.example,
            "constraints": constraints,
        }


FIELDS = [
    Field(
        "nom",
        "Nom",
        "Raison sociale de l'entité, ou nom de la personne indépendante.",
        "Usinage Lorrain",
        constraints={"required": True},
    ),
    Field(
        "url",
        "Fiche",
        "Adresse de la fiche publique de l'entité sur le portail.",
        "https://portail.cos-ge.fr/annuaire/usinage-lorrain/",
        format="uri",
        constraints={
            "required": True,
            "unique": True,
            "pattern": r"https?://\S+/annuaire/[a-z0-9-]+/",
        },
    ),
    Field(
        "type",
        "Type d'entité",
        "Nature juridique de l'entité.",
        "Entreprise",
        constraints={"required": True},
        enum=tuple(OrganisationKind.labels),
    ),
    Field(
        "statut",
        "Statut",
        "Statut de l'entité à la COS-GE à la date de génération.",
        "Membre",
        constraints={"required": True},
        enum=(Status.MEMBER.label, Status.PARTNER.label),
    ),
    Field(
        "site_web",
        "Site web",
        "Site web de l'entité.",
        "https://www.usinage-lorrain.fr",
        format="uri",
    ),
    Field("description", "Description", "Présentation de l'entité.", "Usinage de précision."),
    Field(
        "reference_aif",
        "Référence AIF",
        "Référence ou adresse de la fiche de l'entité dans l'annuaire de l'Alliance Industrie "
        "du Futur.",
        "https://www.industrie-dufutur.org/annuaire/usinage-lorrain",
    ),
    Field(
        "categories",
        "Catégories d'offre",
        "Catégories de l'offre de l'entité, séparées par « ; ».",
        "Usinage; Maintenance",
    ),
    Field(
        "implantations",
        "Implantations",
        "Établissements en activité, séparés par « ; » : nom, adresse, code postal, ville et "
        "département (ville et département seulement pour une personne indépendante).",
        "Siège — 1 rue de l'Usine, 57000 Metz (57)",
    ),
    Field(
        "representants",
        "Représentants",
        "Représentants qui ont consenti à figurer dans l'annuaire, séparés par « ; », avec "
        "leur fonction entre parenthèses.",
        "Camille Mercier (Directrice technique)",
    ),
]
CSV_COLUMNS = [field.name for field in FIELDS]

SCHEMA_VERSION = "1.0.0"
SCHEMA_CREATED = "2026-12-05"
SCHEMA_LAST_MODIFIED = "2026-12-05"
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
}
# The CSV files: the comma one for programs, the semicolon one for French spreadsheets.
CSV_FILES = {"directory_csv": ",", "directory_csv_fr": ";"}
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def table_schema() -> dict:
    """The Table Schema of the CSV exports, as committed in docs/open-data/."""
    return {
        "$schema": "https://frictionlessdata.io/schemas/table-schema.json",
        "name": "annuaire-cos-ge",
        "title": "Annuaire des membres et partenaires de la COS-GE",
        "description": (
            "Les entités membres et partenaires de la COS-GE (Communauté des Offreurs de "
            "Solutions industrie du futur en Grand Est), telles que les montrent leurs fiches "
            "publiques. Une ligne par entité, séparée par des virgules (annuaire.csv) ou des "
            "points-virgules (annuaire-fr.csv), en UTF-8 avec BOM. L'export JSON "
            "(annuaire.json) contient les mêmes champs sous la clé « entites », les listes "
            "(catégories, implantations, représentants) y étant détaillées."
        ),
        "countryCode": "FR",
        "version": SCHEMA_VERSION,
        "created": SCHEMA_CREATED,
        "lastModified": SCHEMA_LAST_MODIFIED,
        "licenses": [LICENCE],
        "contributors": [{"title": "COS-GE, comité de pilotage", "role": "author"}],
        "fields": [field.descriptor() for field in FIELDS],
        "primaryKey": ["url"],
        "missingValues": [""],
    }


def published_schema() -> dict:
    """The schema as served: with its own address and the directory page as home page."""
    return {
        **table_schema(),
        "homepage": absolute_url(reverse("members:directory")),
        "path": absolute_url(reverse("directory_schema")),
    }


def schema_json(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def data_package(*, generated_at: datetime.datetime) -> dict:
    """The Data Package of the two CSV files and their schema (frictionless)."""
    schema_url = absolute_url(reverse("directory_schema"))
    resources = []
    for url_name, delimiter in CSV_FILES.items():
        path = absolute_url(reverse(url_name))
        resources.append(
            {
                "name": path.rsplit("/", 1)[-1].removesuffix(".csv"),
                "title": f"Annuaire COS-GE (CSV, séparateur « {delimiter} »)",
                "path": path,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": delimiter},
                "schema": schema_url,
            }
        )
    return {
        "name": "annuaire-cos-ge",
        "title": table_schema()["title"],
        "version": SCHEMA_VERSION,
        "created": timezone.localtime(generated_at).isoformat(timespec="seconds"),
        "homepage": absolute_url(reverse("members:directory")),
        "licenses": [LICENCE],
        "resources": resources,
    }


def export_metadata(*, generated_at: datetime.datetime) -> dict:
    """The head of the JSON export: when, under which licence, and which schema."""
    return {
        "genere_le": timezone.localtime(generated_at).isoformat(timespec="seconds"),
        "licence": LICENCE,
        "schema": absolute_url(reverse("directory_schema")),
        "version": SCHEMA_VERSION,
    }


def export_filename(stem: str, extension: str, *, generated_at: datetime.datetime) -> str:
    return f"{stem}-{timezone.localdate(generated_at):%Y-%m-%d}.{extension}"


def _absolute(path: str) -> str:
    return absolute_url(path)


def directory_records() -> list[dict]:
    """Every organisation of the directory (S2), French keys, as the exports give it: what
    its public page shows, an independent person's establishments without their address.
    Built from plain values (selectors.directory_export_rows): no model instance, URL
    reversal or translation switch per organisation."""
    path = Organisation.path_builder()
    with translation.override("fr"):
        kinds = {value: str(label) for value, label in OrganisationKind.choices}
        statuses = {value: str(label) for value, label in Status.choices}
    records = []
    for row in selectors.directory_export_rows():
        shows_address = row.kind != OrganisationKind.INDEPENDENT
        records.append(
            {
                "nom": row.legal_name,
                "identifiant": row.slug,
                "url": _absolute(path(row.slug)),
                "type": kinds.get(row.kind, row.kind),
                "statut": statuses[row.status],
                "site_web": row.website,
                "description": row.description,
                "reference_aif": row.aif_reference,
                "categories": row.categories,
                "implantations": [
                    {
                        "nom": name if shows_address else "",
                        "adresse": address if shows_address else "",
                        "code_postal": postcode if shows_address else "",
                        "ville": city,
                        "departement": department,
                    }
                    for name, address, postcode, city, department in row.establishments
                ],
                "representants": [
                    {"nom": f"{first} {last}".strip(), "fonction": job}
                    for first, last, job in row.representatives
                ],
            }
        )
    return records


def json_indented(value, level: int = 0) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=1)``, the same text, written without
    the standard library's pure-Python encoder that ``indent`` selects (several times
    slower on the whole directory). Strings, numbers, booleans, None, lists and dicts."""
    if type(value) is str:
        return _encode_string(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = _INDENTS[level + 1] if level < _MAX_INDENT else "\n" + " " * (level + 1)
        items = [
            _json_key(key)
            + (_encode_string(item) if type(item) is str else json_indented(item, level + 1))
            for key, item in value.items()
        ]
        opening, closing = "{", "}"
    elif isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = _INDENTS[level + 1] if level < _MAX_INDENT else "\n" + " " * (level + 1)
        items = [
            _encode_string(item) if type(item) is str else json_indented(item, level + 1)
            for item in value
        ]
        opening, closing = "[", "]"
    else:
        return json.dumps(value)
    return f"{opening}{inner}{(',' + inner).join(items)}\n{' ' * level}{closing}"


_MAX_INDENT = 16
_INDENTS = ["\n" + " " * level for level in range(_MAX_INDENT + 1)]


@functools.lru_cache(maxsize=256)
def _json_key(key) -> str:
    return _encode_string(key if isinstance(key, str) else json.dumps(key)) + ": "


def _establishment_text(establishment: dict) -> str:
    place = f"{establishment['ville']} ({establishment['departement']})"
    if not establishment["adresse"]:
        return place
    name = f"{establishment['nom']} — " if establishment["nom"] else ""
    return f"{name}{establishment['adresse']}, {establishment['code_postal']} {place}"


def _representative_text(representative: dict) -> str:
    job = representative["fonction"]
    return f"{representative['nom']} ({job})" if job else representative["nom"]


def directory_csv(records: list[dict], *, delimiter: str = ",") -> str:
    """The records as CSV (UTF-8 with a BOM so that spreadsheets read it); ``delimiter``
    ";" for the spreadsheets set up in French, where "," is the decimal separator."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(CSV_COLUMNS)
    lists = {
        "categories": lambda items: "; ".join(items),
        "implantations": lambda items: "; ".join(map(_establishment_text, items)),
        "representants": lambda items: "; ".join(map(_representative_text, items)),
    }
    columns = [(column, lists.get(column)) for column in CSV_COLUMNS]
    formula = frozenset(_FORMULA_PREFIXES)  # single characters; "" is not one of them
    rows = []
    for record in records:
        cells = [
            joined(record[column]) if joined else str(record[column]) for column, joined in columns
        ]
        rows.append([f"'{cell}" if cell[:1] in formula else cell for cell in cells])
    writer.writerows(rows)
    return out.getvalue()


# JSON inside a <script> element: these characters could close it or open a comment.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def organisation_json_ld(organisation) -> str:
    """schema.org ``Organization`` of a public page, safe inside ``<script>`` (no element
    or comment can be opened from an organisation's name or description)."""
    page = _absolute(organisation.get_absolute_url())
    shows_address = organisation.kind != OrganisationKind.INDEPENDENT
    addresses = []
    for establishment in organisation.active_establishments:
        address = {
            "@type": "PostalAddress",
            "addressLocality": establishment.city,
            "addressRegion": "Grand Est",
            "addressCountry": "FR",
        }
        if shows_address:
            address["streetAddress"] = establishment.address
            address["postalCode"] = establishment.postcode
        addresses.append(address)
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": organisation.legal_name,
        "url": organisation.website or page,
        "mainEntityOfPage": page,
        "description": organisation.description,
        "address": addresses,
        "knowsAbout": [category.name for category in organisation.offer_categories.all()],
    }
    if organisation.logo:
        data["logo"] = _absolute(
            reverse("members:organisation_logo", kwargs={"slug": organisation.slug})
        )
    if organisation.aif_reference.startswith(("https://", "http://")):
        data["sameAs"] = [organisation.aif_reference]
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
