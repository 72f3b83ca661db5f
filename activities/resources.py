"""Attendance sheets as CSV: export, and an import checked line by line before anything is saved.

A plain ``csv`` reader rather than django-import-export: the checks are the
activity's (same date, convened or walk-in, one line per person) and the
preview must list every bad line with its number, then apply all or nothing
through ``services.attendance_import``.
"""

import csv
import datetime
import io
import unicodedata
from dataclasses import dataclass, field

from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from core.pdf import render_pdf
from members.models import User

from .constants import Attendance
from .models import Activity
from .selectors import activity_day, checkin_people, participation_list

EXPORT_HEADER = ["email", "nom", "prenom", "entite", "statut", "date"]
# The export adds whether the check-in was made offline on an organiser's phone (A2); the
# import ignores that column, and the paper sign-in sheet has no use for it.
EXPORT_EXTRA_HEADER = ["hors_ligne"]
MAX_LINES = 5000
MAX_BYTES = 1_048_576

STATUS_WORDS = {
    "present": Attendance.PRESENT,
    "presente": Attendance.PRESENT,
    "p": Attendance.PRESENT,
    "absent": Attendance.ABSENT,
    "absente": Attendance.ABSENT,
    "a": Attendance.ABSENT,
    "excuse": Attendance.EXCUSED,
    "excusee": Attendance.EXCUSED,
    "e": Attendance.EXCUSED,
}
HEADER_WORDS = {
    "email": "email",
    "e-mail": "email",
    "courriel": "email",
    "adresse e-mail": "email",
    "statut": "statut",
    "presence": "statut",
    "date": "date",
    "nom": "nom",
    "prenom": "prenom",
    "entite": "entite",
}


class SemicolonDialect(csv.excel):
    delimiter = ";"


def _plain(text: str) -> str:
    """Lower case without accents, so "Présent", "present" and "PRÉSENT" match."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _parse_date(text: str) -> datetime.date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


@dataclass
class SheetLine:
    number: int
    email: str
    user: User | None = None
    attendance: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def attendance_label(self) -> str:
        return Attendance(self.attendance).label if self.attendance else ""


@dataclass
class SheetCheck:
    lines: list[SheetLine] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # errors about the whole file

    @property
    def is_valid(self) -> bool:
        return not self.errors and not any(line.errors for line in self.lines) and bool(self.lines)

    @property
    def bad_lines(self) -> list[SheetLine]:
        return [line for line in self.lines if line.errors]


def decode_sheet(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def attendance_sheet_check(*, activity: Activity, text: str) -> SheetCheck:
    """Every problem of a sheet, line by line; no write (A2)."""
    check = SheetCheck()
    if not text.strip():
        check.errors.append(_("Le fichier est vide."))
        return check
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = SemicolonDialect
    rows = list(csv.reader(io.StringIO(text), dialect))
    header = [HEADER_WORDS.get(_plain(name), _plain(name)) for name in rows[0]]
    missing = [name for name in ("email", "statut", "date") if name not in header]
    if missing:
        check.errors.append(
            _("Colonnes manquantes : %(columns)s (en-tête attendu : %(header)s).")
            % {"columns": ", ".join(missing), "header": ";".join(EXPORT_HEADER)}
        )
        return check
    if len(rows) - 1 > MAX_LINES:
        check.errors.append(_("Le fichier dépasse %(max)s lignes.") % {"max": MAX_LINES})
        return check
    position = {name: header.index(name) for name in ("email", "statut", "date")}
    day = activity_day(activity)
    parsed: list[tuple[SheetLine, list[str]]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (len(header) - len(row))
        line = SheetLine(number=number, email=cells[position["email"]].strip().lower())
        parsed.append((line, cells))
    emails = {line.email for line, _cells in parsed if line.email}
    users = {
        user.email.lower(): user
        for user in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }
    seen: dict[str, int] = {}
    for line, cells in parsed:
        if not line.email:
            line.errors.append(_("Adresse e-mail manquante."))
        else:
            line.user = users.get(line.email)
            if line.user is None:
                line.errors.append(
                    _("Personne inconnue : aucun compte avec l'adresse %(email)s.")
                    % {"email": line.email}
                )
            if line.email in seen:
                line.errors.append(
                    _("Doublon : %(email)s figure déjà à la ligne %(line)s.")
                    % {"email": line.email, "line": seen[line.email]}
                )
            else:
                seen[line.email] = line.number
        status_text = cells[position["statut"]]
        line.attendance = STATUS_WORDS.get(_plain(status_text), "")
        if not line.attendance:
            line.errors.append(
                _("Statut inconnu « %(value)s » : indiquez présent, absent ou excusé.")
                % {"value": status_text.strip()}
            )
        date_text = cells[position["date"]]
        date = _parse_date(date_text)
        if date is None:
            line.errors.append(
                _("Date invalide « %(value)s » : attendu JJ/MM/AAAA.")
                % {"value": date_text.strip()}
            )
        elif date != day:
            line.errors.append(
                _("La date %(date)s n'est pas celle de l'activité (%(day)s).")
                % {"date": date.strftime("%d/%m/%Y"), "day": day.strftime("%d/%m/%Y")}
            )
        check.lines.append(line)
    if not check.lines:
        check.errors.append(_("Le fichier ne contient aucune ligne de présence."))
    return check


def attendance_sheet_export(*, activity: Activity) -> str:
    """The activity's recorded attendance, in the format the import reads."""
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER + EXPORT_EXTRA_HEADER)
    day = timezone.localdate(activity.starts_at).strftime("%d/%m/%Y")
    labels = {
        Attendance.PRESENT: "présent",
        Attendance.ABSENT: "absent",
        Attendance.EXCUSED: "excusé",
        Attendance.UNRECORDED: "",
    }
    for participation in participation_list(activity=activity):
        user = participation.user
        writer.writerow(
            [
                user.email,
                user.last_name,
                user.first_name,
                participation.organisation.legal_name if participation.organisation else "",
                labels[participation.attendance],
                day,
                "oui" if participation.recorded_offline else "non",
            ]
        )
    return "\ufeff" + output.getvalue()


# Blank lines at the end of the paper sheet, for people who come without a convocation.
SIGN_IN_SHEET_BLANK_LINES = 8


# The people one sign-in sheet PDF holds at most: a plenary convenes thousands, and a PDF
# of 3,000 took 38 s to draw (WeasyPrint, about 12 ms a row); a longer roster prints in
# parts, each within a few seconds.
SIGN_IN_SHEET_PART_SIZE = 250


@dataclass(frozen=True)
class SheetPart:
    number: int
    first: str  # the first and the last person of the part, "Last First"
    last: str
    people: int


def _sheet_roster(activity: Activity) -> list:
    """The check-in roster (convened representatives, named persons, people already
    recorded), by name: the order of the sheet and of its parts."""
    return sorted(
        checkin_people(activity=activity),
        key=lambda person: (person.last_name.lower(), person.first_name.lower(), person.email),
    )


def _chunks(roster: list) -> list[list]:
    size = SIGN_IN_SHEET_PART_SIZE
    return [roster[start : start + size] for start in range(0, len(roster), size)] or [[]]


def attendance_sheet_parts(*, activity: Activity) -> tuple[int, list[SheetPart]]:
    """The number of people on the sheet, and its parts (one when it fits in one PDF)."""
    roster = _sheet_roster(activity)

    def name(person) -> str:
        return f"{person.last_name} {person.first_name}".strip() or person.email

    parts = [
        SheetPart(number, name(chunk[0]), name(chunk[-1]), len(chunk))
        for number, chunk in enumerate(_chunks(roster), start=1)
        if chunk
    ]
    return len(roster), parts


def attendance_sheet_pdf(
    *, activity: Activity, language: str = "fr", part: int = 1
) -> bytes | None:
    """The printable sign-in sheet: the convened people, a signature column, and the
    columns of the import (EXPORT_HEADER), so that the filled-in sheet, typed into a
    spreadsheet and saved as CSV, goes back in through the attendance import. ``part``:
    which SIGN_IN_SHEET_PART_SIZE people of the roster, by name (None beyond the last);
    the blank lines for walk-ins are on the last part."""
    day = timezone.localdate(activity.starts_at)
    chunks = _chunks(_sheet_roster(activity))
    if not 1 <= part <= len(chunks):
        return None
    rows = [
        {
            "email": person.email,
            "nom": person.last_name,
            "prenom": person.first_name,
            "entite": person.organisation,
        }
        for person in chunks[part - 1]
    ]
    return render_pdf(
        "activities/sign_in_sheet.html",
        {
            "activity": activity,
            "day": day,
            "rows": rows,
            "blank_lines": range(SIGN_IN_SHEET_BLANK_LINES if part == len(chunks) else 0),
            "header": EXPORT_HEADER,
            "part": part,
            "parts": len(chunks),
        },
        language=language,
        metadata={"title": f"{activity.title} — {day:%d/%m/%Y}"},
    )
