"""COPIL seats and mandates (G1, V1, V3) and the COPIL group that follows them."""

import datetime

import pytest
from django.contrib.auth.models import Group

from charters.constants import CharterParameters
from core.roles import is_copil
from governance.elections import services
from governance.exceptions import ElectionsError
from governance.models import CopilSeat, Mandate, MandateEndReason
from tests.governance.elections.factories import member_rep, seat_holder
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.mark.rule("G1")
def test_g1_five_seats_from_the_charter_parameters():
    seats = services.seats_ensure()
    services.seats_ensure()  # idempotent

    assert [s.number for s in seats] == [1, 2, 3, 4, 5]
    assert CopilSeat.objects.count() == 5


@pytest.mark.rule("V3", "V1")
@pytest.mark.parametrize(
    ("start", "is_up"),
    [
        (D(2025, 8, 21), False),  # 21 months minus one day before 20 May 2027
        (D(2025, 8, 20), True),  # exactly 21 months: 2 years minus 3 months
        (D(2025, 5, 20), True),  # exactly 2 years
        (D(2025, 2, 20), True),  # exactly 27 months: 2 years plus 3 months
        (D(2025, 2, 19), True),  # beyond 27 months: overdue, still up
    ],
)
def test_v3_seat_edges_at_21_and_27_months(start, is_up):
    seat_holder(1, start=start)

    row = services.seats_to_renew(on=D(2027, 5, 20))[0]

    assert row.is_up is is_up


@pytest.mark.rule("V3")
def test_v3_each_seat_says_why_it_is_up():
    seat_holder(1, start=D(2025, 5, 20))
    seat_holder(2, start=D(2025, 2, 19))
    resigned = seat_holder(3, start=D(2026, 6, 1))
    services.mandate_end(
        mandate=resigned, end_date=D(2026, 10, 1), reason=MandateEndReason.RESIGNED, actor=None
    )
    seat_holder(4, start=D(2026, 6, 1))

    rows = services.seats_to_renew(on=D(2027, 5, 20))

    assert [(r.seat.number, r.is_up, str(r.reason)) for r in rows] == [
        (
            1,
            True,
            "Mandat commencé le 20 mai 2025 : 2 ans à 3 mois près à la date de l'élection.",
        ),
        (2, True, "Mandat commencé le 19 février 2025 : dépassé de plus de 3 mois, à renouveler."),
        (3, True, "Siège vacant depuis le 1 octobre 2026 : démission."),
        (4, False, ""),
        (5, True, "Siège vacant."),
    ]


@pytest.mark.rule("G1")
def test_g1_a_seat_holds_one_person_at_a_time_representing_a_member():
    mandate = seat_holder(1, start=D(2026, 1, 1))
    other = member_rep()

    with pytest.raises(ElectionsError):
        services.mandate_start(
            seat=mandate.seat,
            holder=other.user,
            organisation=other.organisation,
            start_date=D(2026, 2, 1),
            actor=None,
        )
    stranger = UserFactory()
    with pytest.raises(ElectionsError):
        services.mandate_start(
            seat=CopilSeat.objects.get(number=2),
            holder=stranger,
            organisation=other.organisation,
            start_date=D(2026, 2, 1),
            actor=None,
        )
    assert Mandate.objects.count() == 1


@pytest.mark.rule("G1")
def test_g1_the_copil_group_follows_the_running_mandates(django_capture_on_commit_callbacks):
    former = UserFactory(is_staff=True)
    Group.objects.get(name="COPIL").user_set.add(former)
    rep = member_rep()
    services.seats_ensure()

    with django_capture_on_commit_callbacks(execute=True):
        mandate = services.mandate_start(
            seat=CopilSeat.objects.get(number=1),
            holder=rep.user,
            organisation=rep.organisation,
            start_date=D(2026, 1, 1),
            actor=None,
        )
    rep.user.refresh_from_db()
    former.refresh_from_db()
    assert is_copil(rep.user) and rep.user.is_staff
    assert not is_copil(former) and not former.is_staff

    with django_capture_on_commit_callbacks(execute=True):
        services.mandate_end(
            mandate=mandate,
            end_date=D(2026, 3, 1),
            reason=MandateEndReason.EXCLUDED,
            actor=None,
        )
    rep.user.refresh_from_db()
    assert not is_copil(rep.user)


@pytest.mark.rule("V1")
def test_v1_mandates_last_two_years_a_charter_parameter():
    params = CharterParameters()
    start = D(2025, 5, 20)
    mandate = Mandate(start_date=start)

    assert params.mandate_years == 2
    # Two years after its start, the seat is due; three months before, it is not yet.
    assert services.seat_renewal_reason(mandate=mandate, on=D(2027, 5, 20), params=params)
    assert services.seat_renewal_reason(mandate=mandate, on=D(2027, 2, 19), params=params) is None
    # A charter that said three years would move the term with it.
    longer = CharterParameters(mandate_years=3)
    assert services.seat_renewal_reason(mandate=mandate, on=D(2027, 5, 20), params=longer) is None
    assert services.seat_renewal_reason(mandate=mandate, on=D(2028, 5, 20), params=longer)
