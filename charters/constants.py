"""The governance parameters of a charter version: the bold numbers of the rule book.

A revised charter may change any of them, so they belong to the version
(``CharterVersion.parameters``); these are the values of V1 R001.
"""

import datetime
from dataclasses import asdict, dataclass, fields

from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CharterParameters:
    grand_est_departments: tuple[str, ...] = (
        "08", "10", "51", "52", "54", "55", "57", "67", "68", "88",
    )  # fmt: skip
    min_invitee_attendances: int = 1  # M6
    commitment_months_after_loss: int = 12  # E2
    attendance_threshold_percent: int = 33  # L3, A3
    attendance_window_months: int = 12  # L3, A3
    # A3 (interpretation of "approaching"): a member below the threshold plus these
    # points is warned on its page and reminded of its next activity.
    attendance_warning_points: int = 10
    exclusion_response_days: int = 30  # L4
    partnership_initial_years: int = 3  # P2
    partnership_notice_months: int = 3  # P2
    excluded_invitee_ban_months: int = 24  # I4
    copil_seats: int = 5  # G1
    copil_quorum: int = 3  # C2
    copil_max_proxies: int = 1  # C3
    mandate_years: int = 2  # V1
    mandate_tolerance_months: int = 3  # V3
    candidate_seniority_years: int = 1  # V4
    election_notice_weeks: int = 6  # V9
    # V10: no election in these windows, each (first day, last day) as "MM-DD", both
    # included; a window whose last day comes before its first spans the new year.
    election_blackout_windows: tuple[tuple[str, str], ...] = (
        ("07-20", "09-05"),
        ("12-20", "01-05"),
    )
    # V6: election proxies one organisation may carry; 0 = no cap ("une ou plusieurs").
    election_max_proxies: int = 0
    referent_min_years: int = 1  # R1
    revision_petition_percent: int = 50  # X2
    latest_end_date: datetime.date = datetime.date(2030, 12, 31)  # X1

    @classmethod
    def from_json(cls, data: dict) -> "CharterParameters":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in (data or {}).items() if k in known}
        if "grand_est_departments" in values:
            values["grand_est_departments"] = tuple(values["grand_est_departments"])
        if isinstance(values.get("latest_end_date"), str):
            values["latest_end_date"] = datetime.date.fromisoformat(values["latest_end_date"])
        if "election_blackout_windows" in values:
            values["election_blackout_windows"] = tuple(
                (str(start), str(end)) for start, end in values["election_blackout_windows"]
            )
        return cls(**values)

    def to_json(self) -> dict:
        data = asdict(self)
        data["grand_est_departments"] = list(self.grand_est_departments)
        data["latest_end_date"] = self.latest_end_date.isoformat()
        data["election_blackout_windows"] = [list(w) for w in self.election_blackout_windows]
        return data


def default_parameters() -> dict:
    return CharterParameters().to_json()


def default_end_date() -> datetime.date:
    """A new version's end date unless given: V1 R001's latest end date (X1)."""
    return CharterParameters().latest_end_date


# The hash chain of signatures starts from this value (no previous record).
GENESIS_HASH = "0" * 64

# How the signer was authenticated at the moment of signing (evidence field).
AUTH_METHOD_REENTERED_PASSWORD = "mot de passe ressaisi"  # noqa: S105 (a label, not a secret)

# Re-signature campaign (X4): days after the version came into force (or after the
# organisation owed it) when a reminder is sent; one reminder per step, never two.
RESIGNATURE_REMINDER_DAYS = (0, 30, 60, 90)

# Expiry (X1): days before the version's end date when the COPIL is reminded.
EXPIRY_REMINDER_DAYS = (180, 90, 30)


class SignatureScope(models.TextChoices):
    """What is signed (E1): the whole charter, or the ethics article 3.3 only."""

    FULL = "full", _("Charte complète")
    ETHICS = "ethics", _("Article 3.3 (éthique et confidentialité) seul")


class SignatureCapacity(models.TextChoices):
    """In which capacity one signs (W2): the participant, or the head of the organisation."""

    SIGNATORY = "signatory", _("Signataire habilité (participant)")
    HEAD = "head", _("Dirigeant de l'entité")
