"""Referents (art. 9): R1 appointment, R2 end, R3 contact log, R4 zone referents."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from core.models import AuditEntry
from governance.exceptions import NotAllowed, ReferentError
from governance.models import (
    BodyKind,
    HierarchyAgreement,
    Referent,
    ReferentContact,
    ReferentEndReason,
    ReferentMessage,
)
from governance.referents import services
from members.constants import Status
from tests.governance.commissions.factories import copil_user, member_rep
from tests.members.factories import member_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def copil(db):
    return copil_user()


def appoint(copil, representative=None, **kwargs):
    kwargs.setdefault(
        "bodies", [(BodyKind.REGION, "Région Grand Est"), (BodyKind.CCI, "CCI Moselle")]
    )
    kwargs.setdefault("hierarchy_agreement", HierarchyAgreement.OBTAINED)
    kwargs.setdefault("hierarchy_agreement_on", datetime.date(2026, 1, 5))
    kwargs.setdefault("available_min_years", True)
    return services.referent_appoint(
        representative=representative or member_rep(), actor=copil, **kwargs
    )


@pytest.mark.rule("R1", "R2")
def test_r1_the_copil_appoints_a_referent_with_bodies_and_no_end_date(copil):
    representative = member_rep()
    referent = appoint(copil, representative)
    assert referent.representative == representative
    assert referent.end_date is None  # R2
    assert referent.start_date == timezone.localdate()
    assert sorted(referent.bodies.values_list("kind", "name")) == [
        ("cci", "CCI Moselle"),
        ("region", "Région Grand Est"),
    ]
    assert referent.appointed_by == copil
    assert AuditEntry.objects.filter(action="governance.referent.appointed").count() == 1


@pytest.mark.rule("R1")
def test_r1_only_the_copil_appoints():
    representative = member_rep()
    with pytest.raises(NotAllowed):
        appoint(representative.user, representative)
    assert not Referent.objects.exists()


@pytest.mark.rule("R1")
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bodies": []}, "au moins un organisme"),
        ({"hierarchy_agreement_on": None}, "date de l'accord"),
        ({"hierarchy_agreement": "maybe"}, "accord de la hiérarchie"),
        ({"available_min_years": False}, "au moins 1 an"),
        ({"bodies": [("bank", "Banque")]}, "inconnu"),
    ],
)
def test_r1_conditions_of_appointment(copil, kwargs, message):
    with pytest.raises(ReferentError, match=message):
        appoint(copil, **kwargs)
    assert not Referent.objects.exists()


@pytest.mark.rule("R1")
def test_r1_a_referent_represents_a_member(copil):
    partner = member_rep(member_organisation(status=Status.PARTNER))
    with pytest.raises(ReferentError, match="entité membre"):
        appoint(copil, partner)
    assert not Referent.objects.exists()


@pytest.mark.rule("R1")
def test_r1_hierarchy_agreement_not_needed(copil):
    referent = appoint(
        copil, hierarchy_agreement=HierarchyAgreement.NOT_NEEDED, hierarchy_agreement_on=None
    )
    assert referent.hierarchy_agreement_on is None


@pytest.mark.rule("R4")
def test_r4_zone_referent_departments_are_in_the_grand_est(copil):
    with pytest.raises(ReferentError, match="hors du Grand Est: 75|hors du Grand Est : 75"):
        appoint(copil, is_zone_referent=True, zone_departments=["57", "75"])
    with pytest.raises(ReferentError, match="au moins un département"):
        appoint(copil, is_zone_referent=True, zone_departments=[])
    with pytest.raises(ReferentError, match="Seul un référent de zone"):
        appoint(copil, zone_departments=["57"])
    referent = appoint(copil, is_zone_referent=True, zone_departments=["57", "54", "57"])
    assert referent.zone_departments == ["54", "57"]


@pytest.mark.rule("R2")
def test_r2_the_copil_ends_a_mission(copil):
    referent = appoint(copil)
    services.referent_end(referent=referent, reason=ReferentEndReason.COPIL_DECISION, actor=copil)
    referent.refresh_from_db()
    assert referent.end_date == timezone.localdate()
    assert referent.end_reason == ReferentEndReason.COPIL_DECISION
    assert referent.ended_by == copil
    with pytest.raises(ReferentError, match="déjà pris fin"):
        services.referent_end(
            referent=referent, reason=ReferentEndReason.COPIL_DECISION, actor=copil
        )


@pytest.mark.rule("R2")
def test_r2_the_referent_resigns_and_the_copil_is_told(copil, django_capture_on_commit_callbacks):
    referent = appoint(copil)
    with django_capture_on_commit_callbacks(execute=True):
        services.referent_end(
            referent=referent,
            reason=ReferentEndReason.RESIGNATION,
            actor=referent.representative.user,
        )
    referent.refresh_from_db()
    assert referent.end_reason == ReferentEndReason.RESIGNATION
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["copil@cos-ge.fr"]


@pytest.mark.rule("R2")
def test_r2_nobody_else_resigns_for_the_referent_nor_ends_the_mission(copil):
    referent = appoint(copil)
    other = member_rep()
    with pytest.raises(NotAllowed):
        services.referent_end(
            referent=referent, reason=ReferentEndReason.RESIGNATION, actor=other.user
        )
    with pytest.raises(NotAllowed):
        services.referent_end(
            referent=referent,
            reason=ReferentEndReason.COPIL_DECISION,
            actor=referent.representative.user,
        )
    referent.refresh_from_db()
    assert referent.end_date is None


@pytest.mark.rule("R3")
def test_r3_the_referent_logs_contacts(copil):
    referent = appoint(copil)
    contact = services.referent_contact_log(
        referent=referent,
        date=timezone.localdate(),
        body_kind=BodyKind.REGION,
        body_name="Région Grand Est",
        subject="Appel à projets industrie du futur",
        outcome="Rendez-vous le mois prochain",
        actor=referent.representative.user,
    )
    assert contact.logged_by == referent.representative.user
    with pytest.raises(ReferentError, match="une fois qu'il a eu lieu"):
        services.referent_contact_log(
            referent=referent,
            date=timezone.localdate() + datetime.timedelta(days=1),
            body_kind=BodyKind.REGION,
            body_name="Région",
            subject="Futur",
            actor=referent.representative.user,
        )
    other = member_rep()
    with pytest.raises(NotAllowed):
        services.referent_contact_log(
            referent=referent, date=timezone.localdate(), body_kind=BodyKind.CCI,
            body_name="CCI", subject="x", actor=other.user,
        )  # fmt: skip
    assert ReferentContact.objects.count() == 1


@pytest.mark.rule("R4")
def test_r4_a_message_is_relayed_once_without_showing_the_address(
    copil, django_capture_on_commit_callbacks
):
    referent = appoint(copil, is_zone_referent=True, zone_departments=["57"])
    token = services.contact_token_new()
    with django_capture_on_commit_callbacks(execute=True):
        _message, sent = services.referent_message_send(
            referent=referent,
            submission_token=token,
            sender_name="Jeanne Martin",
            sender_email="jeanne@usine.fr",
            message="Bonjour, nous cherchons un intégrateur robotique.",
        )
        _again, sent_again = services.referent_message_send(
            referent=referent,
            submission_token=token,
            sender_name="Jeanne Martin",
            sender_email="jeanne@usine.fr",
            message="Bonjour, nous cherchons un intégrateur robotique.",
        )
    assert (sent, sent_again) == (True, False)
    assert ReferentMessage.objects.count() == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [referent.representative.user.email]
    assert email.reply_to == ["jeanne@usine.fr"]
    assert "intégrateur robotique" in email.body


@pytest.mark.rule("R4")
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"message": "   "}, "obligatoires"),
        ({"message": "x" * 3001}, "dépasse 3000"),
        ({"submission_token": "court"}, "expiré"),
    ],
)
def test_r4_a_bad_message_is_refused_and_nothing_sent(copil, overrides, message):
    referent = appoint(copil, is_zone_referent=True, zone_departments=["57"])
    data = {
        "referent": referent,
        "submission_token": services.contact_token_new(),
        "sender_name": "Jeanne",
        "sender_email": "jeanne@usine.fr",
        "message": "Bonjour",
        **overrides,
    }
    with pytest.raises(ReferentError, match=message):
        services.referent_message_send(**data)
    assert not ReferentMessage.objects.exists()
    assert mail.outbox == []


@pytest.mark.rule("R4")
def test_r4_only_active_zone_referents_receive_messages(copil):
    referent = appoint(copil)
    with pytest.raises(ReferentError, match="plus joignable"):
        services.referent_message_send(
            referent=referent, submission_token=services.contact_token_new(),
            sender_name="J", sender_email="j@x.fr", message="Bonjour",
        )  # fmt: skip
    assert not ReferentMessage.objects.exists()


def test_contact_rate_limit_counts_per_address():
    results = [services.contact_rate_limited(client_key="203.0.113.9") for _ in range(6)]
    assert results == [False] * 5 + [True]
    assert services.contact_rate_limited(client_key="203.0.113.10") is False
