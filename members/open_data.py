"""The directory as open data: /annuaire.csv and /annuaire.json.

The exports hold what the public organisation pages show, nothing more: current members and
partners only (S2), the representatives who consented to appear (``public_consent``), and
for an independent person (a natural person) the city and department of an establishment,
never its address. Column and key names are French and stable: they are the format.
"""

from __future__ import annotations

import csv
import io
import json

from django.urls import reverse
from django.utils import translation

from core.site import absolute_url

from . import selectors
from .constants import OrganisationKind, Status

CSV_COLUMNS = [
    "nom",
    "url",
    "type",
    "statut",
    "site_web",
    "description",
    "reference_aif",
    "categories",
    "implantations",
    "representants",
]
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _absolute(path: str) -> str:
    return absolute_url(path)


def organisation_record(organisation) -> dict:
    """One organisation of the directory, as the exports give it (French keys)."""
    shows_address = organisation.kind != OrganisationKind.INDEPENDENT
    with translation.override("fr"):
        kind = str(organisation.get_kind_display())
        status = str(Status(organisation.current_status).label)
    return {
        "nom": organisation.legal_name,
        "identifiant": organisation.slug,
        "url": _absolute(organisation.get_absolute_url()),
        "type": kind,
        "statut": status,
        "site_web": organisation.website,
        "description": organisation.description,
        "reference_aif": organisation.aif_reference,
        "categories": [category.name for category in organisation.offer_categories.all()],
        "implantations": [
            {
                "nom": establishment.name if shows_address else "",
                "adresse": establishment.address if shows_address else "",
                "code_postal": establishment.postcode if shows_address else "",
                "ville": establishment.city,
                "departement": establishment.department,
            }
            for establishment in organisation.active_establishments
        ],
        "representants": [
            {"nom": representative.user.get_full_name(), "fonction": representative.job_title}
            for representative in organisation.public_representatives
        ],
    }


def directory_records() -> list[dict]:
    return [organisation_record(o) for o in selectors.directory_export_list()]


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_PREFIXES) else value


def _establishment_text(establishment: dict) -> str:
    place = f"{establishment['ville']} ({establishment['departement']})"
    if not establishment["adresse"]:
        return place
    name = f"{establishment['nom']} — " if establishment["nom"] else ""
    return f"{name}{establishment['adresse']}, {establishment['code_postal']} {place}"


def _representative_text(representative: dict) -> str:
    job = representative["fonction"]
    return f"{representative['nom']} ({job})" if job else representative["nom"]


def directory_csv(records: list[dict]) -> str:
    """The records as CSV (comma separated, UTF-8 with a BOM so that spreadsheets read it)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        row = {
            **record,
            "categories": "; ".join(record["categories"]),
            "implantations": "; ".join(_establishment_text(e) for e in record["implantations"]),
            "representants": "; ".join(_representative_text(r) for r in record["representants"]),
        }
        writer.writerow([_cell(str(row[column])) for column in CSV_COLUMNS])
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
