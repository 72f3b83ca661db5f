"""The A3 warning and the recent member's period, as the attendance pages read them."""

import datetime
from types import SimpleNamespace

import pytest

from activities import selectors
from activities.models import AttendanceRatio

END = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
PARAMETERS = SimpleNamespace(attendance_warning_points=10)


def ratio(attended: int, convened: int = 10) -> AttendanceRatio:
    return AttendanceRatio(attended=attended, convened=convened, threshold_percent=50)


@pytest.mark.rule("A3")
def test_the_warning_starts_below_the_threshold_plus_the_charter_margin():
    assert selectors.attendance_near_threshold(ratio=ratio(5), parameters=PARAMETERS) is True
    assert selectors.attendance_near_threshold(ratio=ratio(6), parameters=PARAMETERS) is False
    assert selectors.attendance_near_threshold(ratio=ratio(0, 0), parameters=PARAMETERS) is False
    assert selectors.attendance_near_threshold(ratio=None, parameters=PARAMETERS) is False


@pytest.mark.rule("A3")
def test_a_recent_members_period_starts_at_its_membership():
    joined = datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC)
    year_ago = datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)

    assert (
        selectors.attendance_member_since(window_start=joined, window_end=END, months=12) == joined
    )
    assert (
        selectors.attendance_member_since(window_start=year_ago, window_end=END, months=12) is None
    )
