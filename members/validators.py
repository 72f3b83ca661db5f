"""Identifiers and places: SIREN/SIRET (Luhn) and the department of a postcode (M2)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

POSTCODE = re.compile(r"^\d{5}$")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_siren(value: str) -> None:
    if not (value.isdigit() and len(value) == 9):
        raise ValidationError(
            _("Un numéro SIREN comporte exactement 9 chiffres."), code="siren_length"
        )
    if not luhn_valid(value):
        raise ValidationError(
            _("Ce numéro SIREN n'est pas valide (sa clé de contrôle est fausse)."),
            code="siren_luhn",
        )


def validate_siret(value: str) -> None:
    # Charter art. 3.1 (M2): a SIRET, when given, is 14 digits and passes the Luhn check.
    if not (value.isdigit() and len(value) == 14):
        raise ValidationError(
            _("Un numéro SIRET comporte exactement 14 chiffres."), code="siret_length"
        )
    # La Poste's establishments (SIREN 356000000) use a digit sum instead of Luhn.
    if value.startswith("356000000"):
        if sum(int(c) for c in value) % 5 == 0:
            return
    elif luhn_valid(value):
        return
    raise ValidationError(
        _("Ce numéro SIRET n'est pas valide (sa clé de contrôle est fausse)."), code="siret_luhn"
    )


def validate_postcode(value: str) -> None:
    if not POSTCODE.match(value or ""):
        raise ValidationError(
            _("Un code postal français comporte exactement 5 chiffres."), code="postcode"
        )


def department_of(postcode: str) -> str:
    """The French department code of a postcode: "57", "2A", "974"..."""
    if not POSTCODE.match(postcode or ""):
        return ""
    if postcode.startswith("97") or postcode.startswith("98"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if int(postcode) < 20200 else "2B"
    return postcode[:2]
