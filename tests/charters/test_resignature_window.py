"""The re-signature deadlines of a window (X4) are chosen in the database: only the
organisations owing the version since a day that puts the deadline in the window are read.
Checked against every owing organisation read and filtered in Python, for windows before,
around and after the version's start, with statuses held since before, during and after."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charters import selectors
from charters.deadlines import RESIGNATURE_DEADLINE_DAYS, resignature_deadlines
from core.deadlines import deadline_clock
from members.constants import Status
from tests.charters.factories import CharterVersionFactory, signatory
from tests.charters.test_reminders import at, organisation_since

pytestmark = pytest.mark.django_db

DELAY = datetime.timedelta(days=RESIGNATURE_DEADLINE_DAYS)
VERSION_START = datetime.date(2026, 7, 1)
NOW = at(datetime.date(2026, 12, 1))


@pytest.fixture
def owing():
    """V2 in force since 1 July 2026; organisations owing it since many days around."""
    CharterVersionFactory(label="V1 R001", end_date=VERSION_START - datetime.timedelta(days=1))
    CharterVersionFactory(label="V2 R001", effective_date=VERSION_START)
    days = [
        datetime.date(2024, 1, 1),
        VERSION_START - datetime.timedelta(days=1),
        VERSION_START,
        VERSION_START + datetime.timedelta(days=1),
        datetime.date(2026, 8, 15),
        datetime.date(2026, 9, 30),
        datetime.date(2026, 10, 1),
        datetime.date(2026, 11, 30),
    ]
    organisations = []
    for index, day in enumerate(days):
        status = Status.PARTNER if index % 3 == 2 else Status.MEMBER
        organisations.append(signatory(organisation_since(day, status)).organisation)
    return organisations


def expected(start, end) -> set[str]:
    """Every owing organisation read, the window kept in Python."""
    return {
        f"charters.resignature:{row.version.pk}:org:{row.organisation.pk}"
        for row in selectors.signatures_owed(at=NOW, with_reminders=False, people_as_ids=True)
        if start <= row.owed_since + DELAY <= end
    }


def listed(start, end) -> set[str]:
    with deadline_clock(NOW):
        return {deadline.key for deadline in resignature_deadlines(start=start, end=end)}


WINDOWS = [
    # before the first deadline, around the version's own, between, around the last days
    (datetime.date(2026, 8, 1), datetime.date(2026, 9, 28)),
    (datetime.date(2026, 9, 28), datetime.date(2026, 9, 30)),
    (datetime.date(2026, 9, 29), datetime.date(2026, 9, 29)),
    (datetime.date(2026, 9, 30), datetime.date(2026, 11, 12)),
    (datetime.date(2026, 11, 13), datetime.date(2026, 12, 31)),
    (datetime.date(2026, 12, 29), datetime.date(2027, 3, 31)),
    (datetime.date(2026, 6, 1), datetime.date(2027, 6, 1)),
]


@pytest.mark.rule("X4")
@pytest.mark.parametrize(("start", "end"), WINDOWS)
def test_the_window_lists_the_same_deadlines_as_reading_every_owing_organisation(owing, start, end):
    assert listed(start, end) == expected(start, end)


@pytest.mark.rule("X4")
def test_the_windows_do_list_deadlines(owing):
    """The oracle is not empty: the version's own deadline (owed since its start, by
    those holding a status before) and later ones (a status gained since)."""
    version_due = VERSION_START + DELAY
    # The three holding a status on the version's first day, not the one a day later.
    assert len(listed(version_due, version_due)) == 3
    assert len(listed(datetime.date(2026, 6, 1), datetime.date(2027, 6, 1))) == len(owing)


def test_a_window_ending_before_the_version_is_owed_reads_no_organisation(owing):
    with CaptureQueriesContext(connection) as queries:
        before = VERSION_START + DELAY - datetime.timedelta(days=1)
        assert listed(datetime.date(2026, 7, 1), before) == set()

    assert not any("members_organisation" in query["sql"] for query in queries)
