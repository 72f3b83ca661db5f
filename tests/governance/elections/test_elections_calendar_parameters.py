"""The election calendar (V9 notice, V10 blackout windows) comes from the charter version
in force: a revised charter that changes them changes what the pages accept and say."""

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from charters.constants import default_parameters
from governance.models import Election
from tests.charters.factories import CharterVersionFactory
from tests.governance.elections.factories import at, commission_member, plenary, seat_holder

pytestmark = pytest.mark.django_db


@pytest.fixture
def revised_calendar():
    """A charter whose only blackout window is August, with four weeks' notice."""
    parameters = default_parameters()
    parameters.update(election_blackout_windows=[["08-01", "08-31"]], election_notice_weeks=4)
    return CharterVersionFactory(label="V1 R002", parameters=parameters)


@pytest.mark.rule("V9", "V10")
def test_v9_v10_the_creation_form_states_the_charters_calendar(client, revised_calendar):
    with freeze_time(at(2027, 6, 1)):
        client.force_login(commission_member())
        page = client.get(reverse("elections:create")).content.decode()

    assert (
        "Pas d'élection du 1 août au 31 août ; la date doit être annoncée au moins "
        "4 semaines à l'avance (article 6.2)." in page
    )
    assert "20 juillet" not in page and "6 semaines" not in page


@pytest.mark.rule("V10")
def test_v10_an_election_is_planned_outside_the_charters_windows_only(client, revised_calendar):
    with freeze_time(at(2027, 6, 1)):
        commission = commission_member()
        plenary(at(2027, 6, 20, 14))
        august = plenary(at(2027, 8, 16, 14))
        late_july = plenary(at(2027, 7, 25, 14))  # in V1 R001's window, not in this one
        seat_holder(1, start=datetime.date(2025, 7, 25))
        client.force_login(commission)

        refused = client.post(
            reverse("elections:create"), {"title": "Élection d'août", "plenary": august.pk}
        )
        accepted = client.post(
            reverse("elections:create"), {"title": "Élection 2027", "plenary": late_july.pk}
        )

    assert refused.status_code == 400
    assert (
        "Pas d&#x27;élection entre le 1 août et le 31 août (article 6.2). "
        "Première date possible : 29 juin 2027." in refused.content.decode()
    )
    assert accepted.status_code == 302
    assert list(Election.objects.values_list("plenary", "election_date")) == [
        (late_july.pk, datetime.date(2027, 7, 25))
    ]


@pytest.mark.rule("V9")
def test_v9_the_notice_is_the_charters(client, revised_calendar):
    with freeze_time(at(2027, 3, 1)):
        commission = commission_member()
        plenary(at(2027, 3, 20, 14))
        five_weeks = plenary(at(2027, 4, 5, 14))  # short of six weeks, beyond four
        seat_holder(1, start=datetime.date(2025, 4, 5))
        client.force_login(commission)

        response = client.post(
            reverse("elections:create"), {"title": "Élection", "plenary": five_weeks.pk}
        )

    assert response.status_code == 302
    assert Election.objects.get().election_date == datetime.date(2027, 4, 5)
