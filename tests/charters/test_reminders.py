"""Reminders: re-signature campaign (X4), charter expiry (X1); commitment end date (E2)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from freezegun import freeze_time

from charters import selectors, services
from charters.models import ExpiryReminder, ResignatureReminder
from charters.tasks import charter_expiry_reminders_task, charter_resignature_reminders_task
from members.constants import Status, StatusReason
from tests.charters.factories import CharterVersionFactory, signatory
from tests.charters.test_signatures import sign
from tests.members.factories import (
    RepresentativeFactory,
    StatusChangeFactory,
    member_organisation,
)


def at(day: datetime.date, hour: int = 8) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def new_version(db):
    """V1 ended on 2026-06-30; V2 is in force from 2026-07-01 (X4: everyone re-signs)."""
    CharterVersionFactory(label="V1 R001", end_date=datetime.date(2026, 6, 30))
    return CharterVersionFactory(label="V2 R001", effective_date=datetime.date(2026, 7, 1))


def organisation_since(day, status=Status.MEMBER):
    organisation = member_organisation()
    organisation.status_changes.all().delete()
    StatusChangeFactory(organisation=organisation, status=status, effective_at=at(day))
    return organisation


@pytest.mark.rule("X4")
def test_campaign_lists_who_signed_and_who_owes_since_when(new_version):
    early = organisation_since(datetime.date(2024, 1, 1))
    late = organisation_since(datetime.date(2026, 8, 15))
    partner = organisation_since(datetime.date(2025, 1, 1), Status.PARTNER)
    signed_rep = signatory(organisation_since(datetime.date(2023, 1, 1)))
    organisation_since(datetime.date(2023, 1, 1), Status.NONE)
    now = at(datetime.date(2026, 9, 1))
    sign(signed_rep, new_version, now=now)

    rows = {row.organisation: row for row in selectors.campaign_rows(at=now)}
    assert set(rows) == {early, late, partner, signed_rep.organisation}
    assert rows[early].owed_since == datetime.date(2026, 7, 1)
    assert rows[late].owed_since == datetime.date(2026, 8, 15)
    assert rows[partner].scope == "ethics"
    assert rows[signed_rep.organisation].complete is True
    owed = {row.organisation for row in selectors.signatures_owed(at=now)}
    assert owed == {early, late, partner}


@pytest.mark.rule("X4")
def test_reminders_are_sent_once_per_step(new_version, django_capture_on_commit_callbacks):
    owing = organisation_since(datetime.date(2024, 1, 1))
    rep = signatory(owing)
    RepresentativeFactory(organisation=owing, is_authorised_signatory=False)
    signed = signatory(organisation_since(datetime.date(2024, 1, 1)))
    sign(signed, new_version, now=at(datetime.date(2026, 7, 2)))
    no_rep = organisation_since(datetime.date(2024, 1, 1))  # M9: nobody to write to

    first_day = at(datetime.date(2026, 7, 1))
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.charter_resignature_reminders(now=first_day)
    assert [(r.organisation, r.step) for r in sent] == [(owing, 1)]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [rep.user.email]  # the signatories, not every representative
    assert "V2 R001" in mail.outbox[0].subject
    assert "/charte/signer/" in mail.outbox[0].body

    # Run again the same day, and the next days: nothing new until the next step.
    assert services.charter_resignature_reminders(now=first_day) == []
    assert services.charter_resignature_reminders(now=at(datetime.date(2026, 7, 30))) == []
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        second = services.charter_resignature_reminders(now=at(datetime.date(2026, 7, 31)))
    assert [(r.organisation, r.step) for r in second] == [(owing, 2)]
    assert services.charter_resignature_reminders(now=at(datetime.date(2026, 7, 31))) == []
    assert ResignatureReminder.objects.filter(organisation=owing).count() == 2
    assert not ResignatureReminder.objects.filter(organisation=no_rep).exists()
    assert len(mail.outbox) == 2


@pytest.mark.rule("X4")
def test_the_database_allows_one_reminder_per_organisation_and_step(new_version):
    from django.db import IntegrityError, transaction

    organisation = organisation_since(datetime.date(2024, 1, 1))
    ResignatureReminder.objects.create(
        organisation=organisation, version=new_version, step=1, sent_at=timezone.now()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ResignatureReminder.objects.create(
            organisation=organisation, version=new_version, step=1, sent_at=timezone.now()
        )


@pytest.mark.rule("X4")
def test_reminder_task_is_idempotent(new_version, django_capture_on_commit_callbacks):
    signatory(organisation_since(datetime.date(2024, 1, 1)))
    with (
        freeze_time("2026-07-01 08:00:00+02:00"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert charter_resignature_reminders_task.delay().get() == 1
        assert charter_resignature_reminders_task.delay().get() == 0
    assert len(mail.outbox) == 1


@pytest.mark.rule("X1")
def test_copil_is_reminded_before_the_end_date(
    version, settings, django_capture_on_commit_callbacks
):
    settings.COPIL_EMAIL = "copil@exemple.fr"
    end = version.end_date  # 2030-12-31

    def remind(days_before):
        with django_capture_on_commit_callbacks(execute=True):
            return services.charter_expiry_reminders(
                now=at(end - datetime.timedelta(days=days_before))
            )

    assert remind(181) == []
    (first,) = remind(180)
    assert first.days_before == 180
    assert remind(100) == []
    (second,) = remind(90)
    assert second.days_before == 90
    (third,) = remind(10)
    assert third.days_before == 30
    assert remind(0) == []
    assert ExpiryReminder.objects.count() == 3
    assert [m.to for m in mail.outbox] == [["copil@exemple.fr"]] * 3
    assert mail.outbox[0].subject == "[COS-GE] La charte V1 R001 prend fin le 31/12/2030"


@pytest.mark.rule("X1")
def test_expiry_task(version):
    with freeze_time("2030-11-15 09:00:00+01:00"):
        assert charter_expiry_reminders_task.delay().get() == 1
        assert charter_expiry_reminders_task.delay().get() == 0


# --- E2 -----------------------------------------------------------------------------------


@pytest.mark.rule("E2")
@pytest.mark.parametrize(
    ("lost_on", "ends_on"),
    [
        (datetime.date(2026, 3, 15), datetime.date(2027, 3, 15)),
        (datetime.date(2028, 2, 29), datetime.date(2029, 2, 28)),
        (datetime.date(2026, 12, 31), datetime.date(2027, 12, 31)),
    ],
)
def test_commitment_lasts_twelve_months_after_the_loss_of_status(version, lost_on, ends_on):
    assert selectors.commitment_end_date(lost_on=lost_on) == ends_on


@pytest.mark.rule("E2")
def test_commitment_duration_comes_from_the_version_in_force(db):
    CharterVersionFactory(
        label="V3",
        effective_date=datetime.date(2026, 1, 1),
        parameters={"commitment_months_after_loss": 24},
    )
    assert selectors.commitment_end_date(lost_on=datetime.date(2026, 3, 15)) == datetime.date(
        2028, 3, 15
    )


@pytest.mark.rule("E2")
def test_commitment_also_runs_twelve_months_after_the_charter_ends(version):
    assert selectors.charter_end_commitment_date(version=version) == datetime.date(2031, 12, 31)


@pytest.mark.rule("E2")
def test_organisation_commitment_end_date_after_resignation(version):
    organisation = organisation_since(datetime.date(2023, 1, 1))
    assert selectors.organisation_commitment_end_date(organisation=organisation) is None
    StatusChangeFactory(
        organisation=organisation,
        status=Status.NONE,
        reason=StatusReason.RESIGNED,
        effective_at=at(datetime.date(2026, 4, 30), hour=23),
    )
    assert selectors.organisation_commitment_end_date(organisation=organisation) == (
        datetime.date(2027, 4, 30)
    )
    # A rejected applicant never held a status that commits it.
    applicant = organisation_since(datetime.date(2026, 1, 1), Status.APPLICANT)
    StatusChangeFactory(
        organisation=applicant, status=Status.NONE, reason=StatusReason.REJECTED,
        effective_at=at(datetime.date(2026, 2, 1)),
    )  # fmt: skip
    assert selectors.organisation_commitment_end_date(organisation=applicant) is None


@pytest.mark.rule("X1", "X4")
def test_reminder_tasks_are_scheduled_daily(db):
    from django_celery_beat.models import PeriodicTask

    from cos_portal.celery import app

    tasks = set(PeriodicTask.objects.filter(enabled=True).values_list("task", flat=True))
    assert {
        "charters.charter_resignature_reminders_task",
        "charters.charter_expiry_reminders_task",
    } <= tasks
    assert "charters.charter_resignature_reminders_task" in app.tasks
