"""No charter number is written into a user-facing string: it comes from the parameters.

RULES.md: "Numbers in bold are charter parameters: keep them as data tied to the charter
version, never as scattered literals." A revised charter may change any of them; a
template, a help text or a message that writes "33 %" or "12 mois" would then tell
users the old rule. This test reads every template (``templates/`` and each app's
``templates/``) and every translatable string, help text and label of the apps' Python
source, and lists each charter number it finds there.

The numbers looked for are built from V1 R001's parameters (``CharterParameters``) and
their units ("33 %", "12 mois", "douze mois", "6 semaines", "5 sièges", the latest end
date, the list of Grand Est departments...), plus the V10 windows' dates. The two lists
below are the only exceptions, each with its reason; an entry that no longer matches
anything fails the second test, so that the lists only shrink.
"""

import ast
import dataclasses
import datetime
import re
from pathlib import Path

import pytest

from charters.constants import CharterParameters

ROOT = Path(__file__).resolve().parents[2]
APPS = ("activities", "charters", "core", "cos_portal", "governance", "members")
TEMPLATE_SUFFIXES = (".html", ".txt")
GETTEXT = {
    "_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy",
    "pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy",
}  # fmt: skip
# Keyword arguments whose value is shown to users even when it is not translated.
USER_FACING_KEYWORDS = {
    "help_text", "verbose_name", "verbose_name_plural", "label", "description",
    "empty_label", "message", "default_message",
}  # fmt: skip

# Being moved to parameters: strings owned by other work on the same issue, as (path,
# literals, a substring of the string they are in). Empty: the V9/V10 strings of the
# election pages and I4's ban now read the parameters too. Add an entry only for a string
# its owner is moving, and delete it once moved (a stale entry here is not an error, so
# that the owner's change and this list may land in any order).
BEING_MOVED_TO_PARAMETERS: list[tuple[str, tuple[str, ...], str]] = []

# Numbers that read like a charter number but are not one: privacy retention periods, set
# by the portal's data-protection policy, not by the charter. These must keep matching.
NOT_CHARTER_NUMBERS: list[tuple[str, tuple[str, ...], str]] = [
    ("templates/privacy/policy.html", ("3 ans",), "le compte est anonymisé"),
    ("templates/privacy/policy.html", ("3 ans",), "les présences sont conservées"),
    ("templates/privacy/policy.html", ("12 mois",), "12 mois."),
    ("templates/privacy/policy.html", ("30 jours",), "30 jours."),
]

WORDS = {
    1: "un", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six", 10: "dix",
    12: "douze", 18: "dix-huit", 24: "vingt-quatre", 30: "trente", 33: "trente-trois",
    36: "trente-six", 50: "cinquante",
}  # fmt: skip
SPACE = r"(?:\s|&nbsp;|\u00a0|\u202f)+"
MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip
# V10 (V1 R001): no election from 20 July to 5 September nor from 20 December to 5 January.
BLACKOUT_DAYS = ((7, 20), (9, 5), (12, 20), (1, 5))


def _number(value: int) -> str:
    word = WORDS.get(value)
    digits = rf"(?<![\d,.]){value}"
    return rf"(?:{digits}|\b{word})" if word else digits


def _unit_pattern(value: int, units: str, *, words: bool = True) -> str:
    number = _number(value) if words else rf"(?<![\d,.]){value}"
    return rf"{number}{SPACE}(?:derni(?:ers|ères){SPACE})?(?:{units})\b"


def charter_number_patterns() -> dict[str, re.Pattern]:
    """A regular expression per parameter of V1 R001, named after it."""
    parameters = CharterParameters()
    patterns: dict[str, str] = {}
    for field in dataclasses.fields(parameters):
        value = getattr(parameters, field.name)
        name = field.name
        if isinstance(value, bool) or not isinstance(value, int) or value == 0:
            continue
        if "_percent" in name:
            patterns[name] = rf"(?<![\d,.]){value}{SPACE}?(?:%|pour{SPACE}cent)"
        elif "_months" in name:
            patterns[name] = _unit_pattern(value, "mois")
        elif "_days" in name:
            patterns[name] = _unit_pattern(value, "jours?")
        elif "_weeks" in name:
            patterns[name] = _unit_pattern(value, "semaines?")
        elif "_years" in name:
            patterns[name] = _unit_pattern(value, "ans?|années?")
        elif name == "copil_seats":
            patterns[name] = _unit_pattern(value, "sièges?|membres du COPIL")
        elif name == "copil_quorum":
            patterns[name] = (
                rf"(?<![\d,.]){value}{SPACE}(?:sur|des){SPACE}{parameters.copil_seats}\b"
            )
        elif name.endswith("_proxies"):
            patterns[name] = _unit_pattern(value, "procurations?|pouvoirs?", words=False)
        elif name == "min_invitee_attendances":
            patterns[name] = _unit_pattern(value, "activités?", words=False)
        elif name.endswith("_points"):
            patterns[name] = _unit_pattern(value, "points?", words=False)
    end = parameters.latest_end_date
    patterns["latest_end_date"] = (
        rf"\b{end.year}\b|\b{end.day}{SPACE}{MONTHS_FR[end.month - 1]}\b|{end:%d/%m/%Y}"
    )
    codes = parameters.grand_est_departments
    patterns["grand_est_departments"] = rf"\b{codes[0]}\s*,\s*{codes[1]}\s*,\s*{codes[2]}\b"
    patterns["election_blackout_windows"] = "|".join(
        rf"\b{day}(?:er)?{SPACE}{MONTHS_FR[month - 1]}\b" for month, day in BLACKOUT_DAYS
    )
    return {name: re.compile(pattern, re.IGNORECASE) for name, pattern in patterns.items()}


# --- What users read ---------------------------------------------------------------------


def _call_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _strings(node: ast.AST):
    """The string constants of an expression (a concatenation, a formatting, a call)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.lineno, node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        yield node.lineno, text
    elif isinstance(node, ast.BinOp):
        yield from _strings(node.left)
        if not isinstance(node.op, ast.Mod):  # "…%(n)s…" % {...}: the values are not text
            yield from _strings(node.right)
    elif isinstance(node, ast.Call) and _call_name(node.func) in GETTEXT:
        for argument in node.args:
            yield from _strings(argument)


def python_strings(path: Path):
    """(line, text) of each translatable string, help text and label of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if _call_name(node.func) in GETTEXT:
            for argument in node.args:
                yield from _strings(argument)
        for keyword in node.keywords:
            if keyword.arg in USER_FACING_KEYWORDS and not (
                isinstance(keyword.value, ast.Call) and _call_name(keyword.value.func) in GETTEXT
            ):
                yield from _strings(keyword.value)
        # Class attributes such as ``default_message = _("…")`` are calls: walked above.


TEMPLATE_TRANSLATE = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.*?)\1""", re.DOTALL)
TEMPLATE_NOISE = re.compile(
    r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|<style\b.*?</style>|<script\b.*?</script>",
    re.DOTALL | re.IGNORECASE,
)
TEMPLATE_TAGS = re.compile(r"{%.*?%}|{{.*?}}|<[^>]*>", re.DOTALL)


def template_strings(path: Path):
    """(line, text) of what a template shows: {% translate %} strings and the text
    between tags (blocktranslate bodies included), without comments, styles or scripts."""
    source = path.read_text(encoding="utf-8")
    cleaned = TEMPLATE_NOISE.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    for match in TEMPLATE_TRANSLATE.finditer(cleaned):
        yield cleaned.count("\n", 0, match.start()) + 1, match.group(2)
    text = TEMPLATE_TAGS.sub(lambda m: " " + "\n" * m.group(0).count("\n"), cleaned)
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield number, line


def sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, python_strings
    folders = [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in TEMPLATE_SUFFIXES:
                yield path, template_strings


def findings() -> list[tuple[str, int, str, str, str]]:
    """(path, line, parameters, literal, text) of every charter number in what users read;
    ``parameters`` names those of that value ("12 mois": E2 and A3)."""
    patterns = charter_number_patterns()
    found: dict[tuple, list[str]] = {}
    for path, read in sources():
        relative = path.relative_to(ROOT).as_posix()
        for line, text in read(path):
            text = " ".join(text.split())
            for name, pattern in patterns.items():
                for match in pattern.finditer(text):
                    found.setdefault((relative, line, match.group(0), text), []).append(name)
    return [
        (path, line, " or ".join(names), literal, text)
        for (path, line, literal, text), names in found.items()
    ]


def _allowed(entry, path: str, literal: str, text: str) -> bool:
    allowed_path, allowed_literals, context = entry
    return (
        path == allowed_path
        and " ".join(literal.split()).lower() in {a.lower() for a in allowed_literals}
        and context in text
    )


ALLOWLIST = BEING_MOVED_TO_PARAMETERS + NOT_CHARTER_NUMBERS


# --- Tests ---------------------------------------------------------------------------------


def test_the_patterns_find_the_numbers_of_v1_r001():
    patterns = charter_number_patterns()

    def names(text: str) -> set[str]:
        return {name for name, pattern in patterns.items() if pattern.search(text)}

    assert names("En dessous de 33 %, le COPIL est informé.") == {"attendance_threshold_percent"}
    assert names("sur les 12 derniers mois") >= {"attendance_window_months"}
    assert names("pendant douze mois après") >= {"commitment_months_after_loss"}
    assert names("annoncée au moins 6 semaines avant") == {"election_notice_weeks"}
    assert names("ni entre le 20 juillet et le 5 septembre") == {"election_blackout_windows"}
    assert names("au plus tard le 31 décembre 2030") == {"latest_end_date"}
    assert names("pendant 24 mois") == {"excluded_invitee_ban_months"}
    assert names("cinquante pour cent (50 %) des membres") == {"revision_petition_percent"}
    assert names("5 sièges, mandats de 2 ans") == {"copil_seats", "mandate_years"}
    assert names("membre depuis au moins un an") >= {"candidate_seniority_years"}
    assert names("départements 08, 10, 51, 52") == {"grand_est_departments"}
    assert names("Signé le 12/05/2026 par 3 personnes ; 133 % ; 2 500 mois") == set()


def test_templates_and_strings_are_read_as_users_see_them(tmp_path):
    template = tmp_path / "page.html"
    template.write_text(
        "{% load i18n %}<style>td { width: 33%; }</style>{# 12 mois #}"
        '<p title="{% translate "Seuil : 33 %" %}">{% if n == 2 %}{{ n }}{% endif %}'
        "{% blocktranslate %}sur 12 mois{% endblocktranslate %}</p>",
        encoding="utf-8",
    )
    module = tmp_path / "module.py"
    module.write_text(
        "from django.utils.translation import gettext as _\n"
        'x = _("pendant %(n)s mois") % {"n": 24}\n'
        'y = forms.CharField(help_text="Au plus 5 sièges.")\n'
        'z = "SELECT 33 %"\n',
        encoding="utf-8",
    )

    assert [" ".join(text.split()) for _line, text in template_strings(template)] == [
        "Seuil : 33 %",
        "sur 12 mois",
    ]
    assert sorted(text for _line, text in python_strings(module)) == [
        "Au plus 5 sièges.",
        "pendant %(n)s mois",
    ]


@pytest.mark.rule("X1", "A3", "L3", "E2", "I4", "V9", "V10", "X2", "M2", "G1", "V1", "V4")
def test_no_charter_number_is_written_outside_the_parameters():
    offending = [
        f"{path}:{line}: {literal!r} ({name}) in «{text[:140]}»"
        for path, line, name, literal, text in findings()
        if not any(_allowed(entry, path, literal, text) for entry in ALLOWLIST)
    ]
    assert offending == [], (
        "Charter numbers written into user-facing strings; read them from the charter "
        "version's parameters (charters.selectors.charter_parameters, the "
        "{% charter_parameters %} template tag):\n" + "\n".join(offending)
    )


def test_every_exception_that_is_not_a_charter_number_still_matches_something():
    found = findings()
    stale = [
        entry
        for entry in NOT_CHARTER_NUMBERS
        if not any(_allowed(entry, path, literal, text) for path, _l, _n, literal, text in found)
    ]
    assert stale == [], f"Remove these entries, they no longer match anything: {stale}"


def test_the_latest_end_date_pattern_follows_the_parameter():
    assert CharterParameters().latest_end_date == datetime.date(2030, 12, 31)
    assert charter_number_patterns()["latest_end_date"].search("le 31/12/2030")
