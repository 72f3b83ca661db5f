"""The COPIL's admin for commissions and referents goes through the services (K1, R1, R2)."""

import pytest
from django.urls import reverse

from core.models import AuditEntry
from governance.models import Commission, Referent
from tests.governance.commissions.factories import copil_user, member_rep
from tests.governance.referents.factories import zone_referent_appoint
from tests.members.factories import RepresentativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def copil(db):
    return copil_user()


@pytest.mark.rule("R1", "R4")
def test_r1_the_copil_appoints_a_referent_in_the_admin(client, copil):
    rep = member_rep()
    client.force_login(copil)
    response = client.post(
        reverse("admin:governance_referent_add"),
        {
            "representative": rep.pk,
            "bodies": ["region", "cluster"],
            "body_names": "Région Grand Est\nPôle Materalia",
            "hierarchy_agreement": "obtained",
            "hierarchy_agreement_on": "2026-01-05",
            "available_min_years": "on",
            "start_date": "2026-02-01",
            "is_zone_referent": "on",
            "departments": ["57", "54"],
            "notes": "",
        },
    )
    assert response.status_code == 302
    referent = Referent.objects.get()
    assert referent.zone_departments == ["54", "57"]
    assert sorted(referent.bodies.values_list("kind", "name")) == [
        ("cluster", "Pôle Materalia"),
        ("region", "Région Grand Est"),
    ]
    assert AuditEntry.objects.filter(action="governance.referent.appointed").count() == 1


@pytest.mark.rule("R1")
def test_r1_an_incomplete_appointment_is_refused_in_the_admin(client, copil):
    rep = member_rep()
    client.force_login(copil)
    response = client.post(
        reverse("admin:governance_referent_add"),
        {
            "representative": rep.pk,
            "bodies": ["region"],
            "body_names": "Région Grand Est",
            "hierarchy_agreement": "not_needed",
            "start_date": "2026-02-01",
            "notes": "Proposé par la commission.",
        },
    )
    # The service's refusal shows on the form, which keeps what was typed.
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.non_field_errors() == [
        "Le référent doit pouvoir servir de point de contact pendant au moins 1 an(s)."
    ]
    assert form["representative"].value() == str(rep.pk)
    assert form["bodies"].value() == ["region"]
    assert form["body_names"].value() == "Région Grand Est"
    assert form["notes"].value() == "Proposé par la commission."
    assert "Proposé par la commission." in response.content.decode()
    assert not Referent.objects.exists()
    assert not AuditEntry.objects.filter(action="governance.referent.appointed").exists()


@pytest.mark.rule("R2")
def test_r2_the_copil_ends_a_mission_with_the_admin_action(client, copil):
    referent = zone_referent_appoint(member_rep(), ["57"])
    client.force_login(copil)
    response = client.post(
        reverse("admin:governance_referent_changelist"),
        {"action": "end_missions", "_selected_action": [referent.pk]},
    )
    assert response.status_code == 302
    referent.refresh_from_db()
    assert referent.end_reason == "copil_decision"
    assert referent.ended_by == copil


@pytest.mark.rule("K1", "K2")
def test_k1_the_copil_creates_a_commission_in_the_admin(client, copil):
    facilitator = member_rep()
    client.force_login(copil)
    response = client.post(
        reverse("admin:governance_commission_add"),
        {
            "name": "Commission salon",
            "purpose": "Préparer le salon.",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "max_members": 6,
            "facilitator": facilitator.pk,
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
            "roadmap_actions-TOTAL_FORMS": 0,
            "roadmap_actions-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    commission = Commission.objects.get(name="Commission salon")
    assert commission.slug == "commission-salon"
    assert commission.facilitator == facilitator
    assert commission.memberships.get().status == "accepted"


@pytest.mark.rule("K2")
def test_k2_a_refused_facilitator_keeps_the_commission_form_and_saves_nothing(client, copil):
    outsider = RepresentativeFactory()  # represents an organisation that is not a member
    client.force_login(copil)
    response = client.post(
        reverse("admin:governance_commission_add"),
        {
            "name": "Commission salon",
            "purpose": "Préparer le salon.",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "max_members": 6,
            "facilitator": outsider.pk,
        },
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.non_field_errors() == [
        "Seuls les représentants d'une entité membre peuvent y prendre part."
    ]
    assert form["name"].value() == "Commission salon"
    assert form["purpose"].value() == "Préparer le salon."
    assert form["end_date"].value() == "2026-12-31"
    assert not Commission.objects.filter(name="Commission salon").exists()
    assert not AuditEntry.objects.filter(action="governance.commission.created").exists()


@pytest.mark.rule("K2")
def test_k2_a_refused_facilitator_change_shows_on_the_form(client, copil):
    commission = Commission.objects.get(standing_role="roadmap")
    before = commission.facilitator_id
    outsider = RepresentativeFactory()
    client.force_login(copil)
    response = client.post(
        reverse("admin:governance_commission_change", args=[commission.pk]),
        {
            "facilitator": outsider.pk,
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
            "roadmap_actions-TOTAL_FORMS": 0,
            "roadmap_actions-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.non_field_errors() == [
        "Seuls les représentants d'une entité membre peuvent y prendre part."
    ]
    assert form["facilitator"].value() == str(outsider.pk)
    commission.refresh_from_db()
    assert commission.facilitator_id == before


def test_admin_pages_render(client, copil):
    zone_referent_appoint(member_rep(), ["57"])
    client.force_login(copil)
    for name in (
        "admin:governance_commission_changelist",
        "admin:governance_referent_changelist",
        "admin:governance_referentcontact_changelist",
        "admin:governance_progressreport_changelist",
        "admin:governance_charterrevision_changelist",
        "admin:governance_commission_add",
        "admin:governance_referent_add",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    roadmap = Commission.objects.get(standing_role="roadmap")
    assert (
        client.get(reverse("admin:governance_commission_change", args=[roadmap.pk])).status_code
        == 200
    )
