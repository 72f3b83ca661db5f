"""Partners (art. 4): status granted by the COPIL, agreements and their dates, renunciation
and termination (P1 to P6)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from members import selectors, services
from members.constants import Status, StatusReason
from members.exceptions import NotAllowed
from members.models import AgreementAmendment, PartnershipAgreement

from .factories import RepresentativeFactory, UserFactory, member_organisation

pytestmark = pytest.mark.django_db

D = datetime.date
CINOV = {"initial_term_months": 36, "renewal_months": 12}


# --- Pure date computations, at their edges (P2, P6) -------------------------------------


@pytest.mark.rule("P2")
@pytest.mark.parametrize(
    ("signed_on", "effective_on"),
    [
        (D(2024, 3, 1), D(2024, 4, 1)),  # signed the first: still the next month
        (D(2024, 3, 31), D(2024, 4, 1)),
        (D(2024, 12, 15), D(2025, 1, 1)),  # across the year
        (D(2024, 1, 31), D(2024, 2, 1)),
    ],
)
def test_an_amendment_takes_effect_the_first_of_the_next_month(signed_on, effective_on):
    assert services.amendment_effective_date(signed_on) == effective_on


@pytest.mark.rule("P2", "P6")
@pytest.mark.parametrize(
    ("on", "renewal"),
    [
        (D(2022, 1, 10), D(2025, 1, 10)),  # the day of signature: end of the 3-year term
        (D(2025, 1, 9), D(2025, 1, 10)),  # the day before the end of the term
        (D(2025, 1, 10), D(2026, 1, 10)),  # the day of renewal: the next one is a year on
        (D(2027, 6, 1), D(2028, 1, 10)),  # renewed year by year
    ],
)
def test_the_next_renewal_date(on, renewal):
    assert services.agreement_next_renewal(signed_on=D(2022, 1, 10), on=on, **CINOV) == renewal


@pytest.mark.rule("P2", "P6")
@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (D(2024, 10, 9), (D(2025, 1, 10), D(2024, 10, 10))),
        (D(2024, 10, 10), (D(2025, 1, 10), D(2024, 10, 10))),  # the last day still counts
        (D(2024, 10, 11), (D(2026, 1, 10), D(2025, 10, 10))),  # too late: next period
    ],
)
def test_the_last_day_to_give_three_months_notice(on, expected):
    deadline = services.agreement_notice_deadline(
        signed_on=D(2022, 1, 10), notice_months=3, on=on, **CINOV
    )
    assert deadline == expected


@pytest.mark.rule("P2")
def test_month_ends_are_clamped():
    assert services.agreement_last_notice_date(period_end=D(2025, 5, 31), notice_months=3) == D(
        2025, 2, 28
    )
    assert services.agreement_next_renewal(
        signed_on=D(2020, 2, 29), initial_term_months=12, renewal_months=12, on=D(2020, 3, 1)
    ) == D(2021, 2, 28)


@pytest.mark.rule("P2")
def test_an_agreement_without_renewal_ends_at_its_term():
    terms = {"signed_on": D(2022, 1, 10), "initial_term_months": 36, "renewal_months": 0}
    assert services.agreement_next_renewal(on=D(2024, 1, 1), **terms) == D(2025, 1, 10)
    assert services.agreement_next_renewal(on=D(2025, 1, 10), **terms) is None
    assert services.agreement_notice_deadline(notice_months=3, on=D(2024, 11, 1), **terms) is None


# --- Granting, agreements, renunciation, termination (P1, P2, P5) ------------------------


@pytest.fixture
def partner(copil):
    organisation = member_organisation(status=Status.NONE, postcode="75001")
    services.partner_grant(organisation=organisation, actor=copil)
    organisation.signatory = RepresentativeFactory(
        organisation=organisation, is_authorised_signatory=True, user__email="p@partenaire.fr"
    ).user
    return organisation


@pytest.mark.rule("P1", "S2", "G2")
def test_the_copil_grants_partner_status_for_a_fixed_period(copil):
    organisation = member_organisation(status=Status.NONE, postcode="75001")
    end = timezone.localdate() + datetime.timedelta(days=365)

    change = services.partner_grant(organisation=organisation, actor=copil, ends_on=end)

    assert (change.status, change.reason, change.ends_on, change.decided_by) == (
        Status.PARTNER,
        StatusReason.GRANTED,
        end,
        copil,
    )
    assert organisation in selectors.directory_list()


@pytest.mark.rule("G2")
def test_only_the_copil_grants_or_terminates(partner, staff_not_copil):
    other = member_organisation(status=Status.NONE)
    for actor in (None, partner.signatory, staff_not_copil):
        with pytest.raises(NotAllowed):
            services.partner_grant(organisation=other, actor=actor)
        with pytest.raises(NotAllowed):
            services.partner_terminate(organisation=partner, actor=actor)
    assert selectors.organisation_status(organisation=partner) == Status.PARTNER
    assert selectors.organisation_status(organisation=other) == Status.NONE


@pytest.mark.rule("P2")
def test_an_agreement_gets_the_cinov_it_terms_by_default(copil, partner):
    agreement = services.partnership_agreement_record(
        organisation=partner, actor=copil, parties="COS-GE et Partenaire", signed_on=D(2022, 1, 10)
    )
    amendment = AgreementAmendment.objects.create(
        agreement=agreement, signed_on=D(2023, 5, 17), summary="Nouvel interlocuteur."
    )

    assert (agreement.initial_term_months, agreement.renewal_months, agreement.notice_months) == (
        36,
        12,
        3,
    )
    assert amendment.effective_on == D(2023, 6, 1)


@pytest.mark.rule("P5", "L5")
def test_the_partner_renounces_online_at_once(client, partner, django_capture_on_commit_callbacks):
    client.force_login(partner.signatory)
    url = reverse("member_space:renounce", args=[partner.slug])

    unconfirmed = client.post(url, {})
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(url, {"confirm": "on"})

    assert unconfirmed.status_code == 400
    assert confirmed.status_code == 302
    change = partner.status_changes.latest()
    assert (change.status, change.reason, change.decided_by) == (
        Status.NONE,
        StatusReason.PARTNERSHIP_ENDED,
        partner.signatory,
    )
    assert partner not in selectors.directory_list()
    assert sorted(m.to[0] for m in mail.outbox) == ["copil@cos-ge.fr", "p@partenaire.fr"]
    assert "Nous prenons acte de la renonciation" in mail.outbox[0].body + mail.outbox[1].body


def partner_since_2022(copil):
    organisation = member_organisation(status=Status.NONE, postcode="75001")
    services.partner_grant(
        organisation=organisation,
        actor=copil,
        now=datetime.datetime(2022, 1, 10, 9, tzinfo=datetime.UTC),
    )
    return organisation


@pytest.mark.rule("P5", "P2")
def test_an_agreement_in_force_ends_at_its_period_end_after_notice(copil):
    partner = partner_since_2022(copil)
    services.partnership_agreement_record(
        organisation=partner, actor=copil, parties="COS-GE et Partenaire", signed_on=D(2022, 1, 10)
    )
    now = datetime.datetime(2024, 9, 1, 12, tzinfo=datetime.UTC)

    result = services.partner_terminate(
        organisation=partner, actor=copil, reason="Plus de projet commun.", now=now
    )

    assert isinstance(result, PartnershipAgreement)
    assert (result.notice_given_on, result.notice_given_by, result.ends_on) == (
        D(2024, 9, 1),
        "copil",
        D(2025, 1, 10),
    )
    # Still a partner until then; the daily job ends the status on that date.
    assert selectors.organisation_status(organisation=partner, at=now) == Status.PARTNER
    assert services.status_expirations(now=now) == []
    [ended] = services.status_expirations(
        now=datetime.datetime(2025, 1, 10, 6, tzinfo=datetime.UTC)
    )
    assert (ended.status, ended.reason) == (Status.NONE, StatusReason.PARTNERSHIP_ENDED)


@pytest.mark.rule("P5", "P1", "I1")
def test_the_daily_job_ends_expired_partnerships_once(copil):
    organisation = member_organisation(status=Status.NONE, postcode="75001")
    start = timezone.now() - datetime.timedelta(days=10)
    services.partner_grant(
        organisation=organisation,
        actor=copil,
        ends_on=timezone.localdate(start) + datetime.timedelta(days=5),
        now=start,
    )

    ended = services.status_expirations()
    again = services.status_expirations()

    assert [c.reason for c in ended] == [StatusReason.PARTNERSHIP_ENDED]
    assert again == []
    assert selectors.organisation_status(organisation=organisation) == Status.NONE


@pytest.mark.rule("P6")
def test_the_copil_is_reminded_before_the_last_notice_date_once(copil):
    """Through the deadline engine (members/deadlines.py)."""
    from core.deadlines import deadline_reminders_send
    from core.models import Reminder

    partner = partner_since_2022(copil)
    agreement = services.partnership_agreement_record(
        organisation=partner, actor=copil, parties="COS-GE et Partenaire", signed_on=D(2022, 1, 10)
    )
    early = datetime.datetime(2024, 9, 9, 12, tzinfo=datetime.UTC)  # 31 days before
    due = datetime.datetime(2024, 9, 10, 12, tzinfo=datetime.UTC)  # 30 days before 10/10
    notices = Reminder.objects.filter(kind="members.agreement_notice")

    deadline_reminders_send(now=early)
    assert not notices.exists()
    deadline_reminders_send(now=due)
    deadline_reminders_send(now=due)

    (reminder,) = notices
    assert reminder.deadline_key == f"members.agreement_notice:{agreement.pk}:2025-01-10"
    assert (reminder.recipient, reminder.offset, reminder.due) == (copil, 30, D(2024, 10, 10))
    [email] = [m for m in mail.outbox if "préavis" in m.subject]
    assert email.to == [copil.email]
    assert "10 octobre 2024" in email.subject
    # The link leads where notice is given: the partner in the organisations' list, whose
    # action "Mettre fin au partenariat" ends the agreement.
    assert f"/admin/members/organisation/?id__exact={agreement.organisation_id}" in email.body


@pytest.mark.rule("P6")
def test_the_admin_shows_the_agreement_dates(client, copil, partner):
    agreement = services.partnership_agreement_record(
        organisation=partner, actor=copil, parties="COS-GE et Partenaire", signed_on=D(2022, 1, 10)
    )
    client.force_login(copil)

    with freeze_time("2026-11-25 10:00"):
        html = client.get(
            reverse("admin:members_partnershipagreement_change", args=[agreement.pk])
        ).content.decode()

    assert "Prochaine reconduction" in html and "10/01/2027" in html
    # Too late to give notice for 10/01/2027: the next deadline is for 10/01/2028.
    assert "Préavis à donner au plus tard le" in html and "10/10/2027" in html


@pytest.mark.rule("P5")
def test_a_representative_who_is_not_a_signatory_cannot_renounce(client, partner):
    person = RepresentativeFactory(organisation=partner, is_authorised_signatory=False).user
    client.force_login(person)

    response = client.post(reverse("member_space:renounce", args=[partner.slug]), {"confirm": "on"})

    assert response.status_code == 400
    assert selectors.organisation_status(organisation=partner) == Status.PARTNER


def test_an_unknown_person_gets_no_partner_space(client, partner):
    client.force_login(UserFactory())
    assert client.get(reverse("member_space:renounce", args=[partner.slug])).status_code == 404
