"""Recognising an organisation under another spelling (charter art. 5, I4).

An organisation excluded as a member stays out for the months the charter sets, whatever
it is called when it comes back: it is recognised by its SIREN (a SIRET's first nine
digits), by its name once accents, case, punctuation and legal forms are set aside, and
by the e-mail addresses of the people who represented it.
"""

import re
import unicodedata
from dataclasses import dataclass, field

# The legal forms a name may carry or drop: "Dupont SAS" is "Dupont". Only forms that are
# not French words, so that a name keeps its meaning ("Société", "Groupe" stay).
LEGAL_FORMS = frozenset(
    {
        "sa", "sas", "sasu", "sarl", "eurl", "scop", "scic", "sci", "snc", "sca", "selarl",
        "selas", "gie", "eirl", "ei", "association", "asso",
    }
)  # fmt: skip

# Letters French names write in one sign, which NFKD does not split.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "&": " et "})
_DOTTED_INITIALS = re.compile(r"\b(?:[a-z]\.){1,}[a-z]\b\.?")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def normalised_name(name: str) -> str:
    """The name of an organisation as it is compared: "Longwy Solutions Numériques
    S.A.S." and "LONGWY SOLUTIONS NUMERIQUES" are both "longwy solutions numeriques"."""
    text = unicodedata.normalize("NFKD", (name or "").casefold().translate(_LIGATURES))
    text = "".join(char for char in text if not unicodedata.combining(char))
    # S.A.S. -> sas, before the dots become spaces.
    text = _DOTTED_INITIALS.sub(lambda match: match.group(0).replace(".", ""), text)
    words = _NOT_ALPHANUMERIC.sub(" ", text).split()
    return " ".join(word for word in words if word not in LEGAL_FORMS)


def siren_of(number: str) -> str:
    """The SIREN of a SIREN or SIRET (digits only), or "" when it is neither."""
    digits = "".join(char for char in (number or "") if char.isdigit())
    return digits[:9] if len(digits) in (9, 14) else ""


def normalised_email(address: str) -> str:
    return (address or "").strip().casefold()


@dataclass(frozen=True)
class Identity:
    """What recognises an organisation: its row, names, SIRENs and people's addresses.

    ``given`` keeps each value as it was typed, for the message that quotes it."""

    organisation_id: int | None = None
    names: frozenset[str] = frozenset()
    sirens: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    given: dict = field(default_factory=dict, compare=False, hash=False)

    def __bool__(self) -> bool:
        return bool(self.organisation_id or self.names or self.sirens or self.emails)


def identity(
    *,
    organisation_id: int | None = None,
    legal_names=(),
    numbers=(),
    emails=(),
) -> Identity:
    """An identity from what is known: legal names, SIREN or SIRET numbers, e-mails."""
    given = {}
    names, sirens, addresses = set(), set(), set()
    for name in legal_names:
        key = normalised_name(name)
        if key:
            names.add(key)
            given.setdefault(("name", key), name.strip())
    for number in numbers:
        key = siren_of(number)
        if key:
            sirens.add(key)
            given.setdefault(("siren", key), "".join(c for c in number if c.isdigit()))
    for address in emails:
        key = normalised_email(address)
        if key:
            addresses.add(key)
            given.setdefault(("email", key), key)
    return Identity(
        organisation_id=organisation_id,
        names=frozenset(names),
        sirens=frozenset(sirens),
        emails=frozenset(addresses),
        given=given,
    )


def combined(*identities: Identity) -> Identity:
    """One identity from several (the organisation found in the registry, and what was
    typed about it)."""
    given = {}
    for each in identities:
        for key, value in each.given.items():
            given.setdefault(key, value)
    return Identity(
        organisation_id=next((i.organisation_id for i in identities if i.organisation_id), None),
        names=frozenset().union(*(i.names for i in identities)),
        sirens=frozenset().union(*(i.sirens for i in identities)),
        emails=frozenset().union(*(i.emails for i in identities)),
        given=given,
    )


def first_match(candidate: Identity, known: Identity) -> tuple[str, str] | None:
    """How ``candidate`` is ``known``: ("organisation", ""), ("siren", typed),
    ("name", typed) or ("email", typed); None when nothing matches."""
    if candidate.organisation_id and candidate.organisation_id == known.organisation_id:
        return ("organisation", "")
    for kind, mine, theirs in (
        ("siren", candidate.sirens, known.sirens),
        ("name", candidate.names, known.names),
        ("email", candidate.emails, known.emails),
    ):
        common = sorted(mine & theirs)
        if common:
            return (kind, candidate.given.get((kind, common[0]), common[0]))
    return None
