"""What users read follows the charter version's parameters (RULES.md: bold numbers are
parameters): with a revised charter in force, each page, e-mail and message states the
revised numbers, not V1 R001's."""

import datetime
import types

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from activities.services import attendance_ratios_compute
from charters.constants import default_parameters
from members import services as members_services
from members.constants import Role
from members.exceptions import NotInGrandEst
from members.services.invitees import invitation_acceptance_text
from tests.activities.factories import user_in
from tests.governance.elections.factories import commission_member, member_rep
from tests.members.factories import UserFactory, member_organisation

from .factories import CharterVersionFactory

pytestmark = pytest.mark.django_db

REVISED = {
    "attendance_window_months": 18,
    "commitment_months_after_loss": 18,
    "copil_seats": 7,
    "mandate_years": 3,
    "mandate_tolerance_months": 2,
    "candidate_seniority_years": 2,
    "grand_est_departments": ["08", "10", "21"],
}


@pytest.fixture(autouse=True)
def revised_charter():
    return CharterVersionFactory(label="V2 R001", parameters={**default_parameters(), **REVISED})


def page(client, url, user=None) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


@pytest.mark.rule("A3")
def test_the_privacy_notice_and_the_ratio_dashboard_state_the_window(client):
    assert "Le taux porte sur les 18 derniers mois" in page(client, reverse("privacy:policy"))
    member_organisation()
    attendance_ratios_compute()
    dashboard = page(client, reverse("activities:ratio_dashboard"), user_in(Role.COPIL))
    assert "sur les 18 derniers mois, depuis l'adhésion pour un membre récent" in dashboard


@pytest.mark.rule("G1", "V1", "V3")
def test_the_election_pages_state_the_seats_and_mandate_terms(client):
    listing = page(client, reverse("elections:list"), member_rep().user)
    assert "Le comité de pilotage (7 sièges, mandats de 3 ans)" in listing
    seats = page(client, reverse("elections:seats"), commission_member())
    assert "vacant, ou mandat de 3 ans à 2 mois près" in seats


@pytest.mark.rule("V4")
def test_the_election_announcement_states_the_candidates_seniority():
    election = types.SimpleNamespace(
        election_date=datetime.date(2026, 10, 15),
        candidacy_deadline=datetime.datetime(2026, 9, 15, 18, tzinfo=datetime.UTC),
        title="Élection 2026",
        seats_to_fill=2,
    )
    context = {"election": election, "user": UserFactory(), "url": "https://cos-ge.fr/"}
    for suffix in ("html", "txt"):
        text = render_to_string(f"governance/elections/email/announcement.{suffix}", context)
        assert "membre depuis au moins 2 ans peut se porter candidate" in " ".join(text.split())


@pytest.mark.rule("M2")
def test_the_application_form_and_the_grand_est_error_list_the_departments(client):
    form = page(client, reverse("application:form"), UserFactory())
    assert "(départements 08, 10, 21)" in form

    outside = member_organisation(postcode="57000")
    with pytest.raises(NotInGrandEst) as error:
        members_services.organisation_check_grand_est(organisation=outside)
    assert str(error.value.message).endswith("Départements : 08, 10, 21.")


@pytest.mark.rule("E2")
def test_the_ethics_commitment_states_its_months(client):
    rep = member_rep()
    resign = page(client, reverse("member_space:resign", args=[rep.organisation.slug]), rep.user)
    assert "(article 3.3) reste valable 18 mois." in resign

    invitation = types.SimpleNamespace(guest_name="Paul Invité", organisation_id=None)
    text = invitation_acceptance_text(invitation, on=datetime.date.today())
    assert text.endswith("y compris pendant 18 mois après la fin de mon invitation.")
