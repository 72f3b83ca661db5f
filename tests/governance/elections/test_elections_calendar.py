"""Election calendar: blackout windows (V10) and six weeks' notice (V9) of the charter in
force (V1 R001 when none is recorded), at their edges."""

import datetime

import pytest

from governance.elections.services import election_date_check, first_allowed_date, in_blackout
from governance.exceptions import ElectionsError

D = datetime.date


@pytest.mark.rule("V10")
@pytest.mark.parametrize(
    ("day", "refused"),
    [
        (D(2027, 7, 19), False),
        (D(2027, 7, 20), True),
        (D(2027, 8, 15), True),
        (D(2027, 9, 5), True),
        (D(2027, 9, 6), False),
        (D(2027, 12, 19), False),
        (D(2027, 12, 20), True),
        (D(2027, 12, 31), True),
        (D(2028, 1, 1), True),
        (D(2028, 1, 5), True),
        (D(2028, 1, 6), False),
        (D(2028, 2, 29), False),
    ],
)
def test_v10_blackout_windows_include_both_ends(db, day, refused):
    assert in_blackout(day) is refused


@pytest.mark.rule("V10")
def test_v10_a_date_in_a_blackout_window_is_refused_with_the_first_allowed_date(db):
    with pytest.raises(ElectionsError) as error:
        election_date_check(election_date=D(2027, 7, 20), announced_on=D(2027, 5, 1))

    assert str(error.value.message) == (
        "Pas d'élection entre le 20 juillet et le 5 septembre, ni entre le 20 décembre "
        "et le 5 janvier (article 6.2). Première date possible : 12 juin 2027."
    )


@pytest.mark.rule("V10")
def test_v10_the_first_allowed_date_skips_a_blackout_window(db):
    # Six weeks after 1 July is 12 August, inside the summer window: 6 September.
    assert first_allowed_date(announced_on=D(2027, 7, 1)) == D(2027, 9, 6)
    # Six weeks after 20 November is 1 January, inside the winter window: 6 January.
    assert first_allowed_date(announced_on=D(2027, 11, 20)) == D(2028, 1, 6)


@pytest.mark.rule("V9")
def test_v9_exactly_six_weeks_notice_is_enough(db):
    election_date_check(election_date=D(2027, 4, 12), announced_on=D(2027, 3, 1))


@pytest.mark.rule("V9")
def test_v9_one_day_short_of_six_weeks_is_refused_with_the_first_allowed_date(db):
    with pytest.raises(ElectionsError) as error:
        election_date_check(election_date=D(2027, 4, 11), announced_on=D(2027, 3, 1))

    assert str(error.value.message) == (
        "La date de l'élection doit être annoncée au moins 6 semaines à l'avance "
        "(article 6.2). Première date possible : 12 avril 2027."
    )
