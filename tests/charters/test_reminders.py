"""Reminders through the deadline engine: re-signature campaign (X4), charter expiry (X1);
commitment end date (E2)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from freezegun import freeze_time

from charters import selectors
from core.deadlines import deadline_reminders_send
from core.models import Reminder
from core.tasks_reminders import deadline_reminders_send_task
from members.constants import Status, StatusReason
from tests.charters.factories import CharterVersionFactory, signatory
from tests.charters.test_signatures import sign
from tests.members.factories import (
    RepresentativeFactory,
    StatusChangeFactory,
    UserFactory,
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


def copil_member():
    from django.contrib.auth.models import Group

    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name="COPIL")[0])
    return user


def resignature_reminders(organisation):
    return Reminder.objects.filter(
        kind="charters.resignature", deadline_key__endswith=f":org:{organisation.pk}"
    )


@pytest.mark.rule("X4")
def test_reminders_are_sent_once_per_step(new_version):
    owing = organisation_since(datetime.date(2024, 1, 1))
    rep = signatory(owing)
    RepresentativeFactory(organisation=owing, is_authorised_signatory=False)
    signed = signatory(organisation_since(datetime.date(2024, 1, 1)))
    sign(signed, new_version, now=at(datetime.date(2026, 7, 2)))
    no_rep = organisation_since(datetime.date(2024, 1, 1))  # M9: nobody to write to

    first_day = at(datetime.date(2026, 7, 1))
    assert deadline_reminders_send(now=first_day) == 1
    (first,) = resignature_reminders(owing)
    assert (first.recipient, first.offset, first.due) == (rep.user, 90, datetime.date(2026, 9, 29))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [rep.user.email]  # the signatories, not every representative
    assert "V2 R001" in mail.outbox[0].subject
    assert "http://127.0.0.1:8000/charte/signer/" in mail.outbox[0].body

    # Run again the same day, and the next days: nothing new until the next step.
    assert deadline_reminders_send(now=first_day) == 0
    assert deadline_reminders_send(now=at(datetime.date(2026, 7, 30))) == 0
    assert len(mail.outbox) == 1

    assert deadline_reminders_send(now=at(datetime.date(2026, 7, 31))) == 1
    assert deadline_reminders_send(now=at(datetime.date(2026, 7, 31))) == 0
    assert deadline_reminders_send(now=at(datetime.date(2026, 8, 30))) == 1
    assert deadline_reminders_send(now=at(datetime.date(2026, 9, 29))) == 1
    assert deadline_reminders_send(now=at(datetime.date(2026, 10, 29))) == 0
    assert list(
        resignature_reminders(owing).order_by("-offset").values_list("offset", flat=True)
    ) == [90, 60, 30, 0]
    assert not resignature_reminders(no_rep).exists()
    assert len(mail.outbox) == 4
    # The campaign page shows the steps sent.
    rows = {
        row.organisation: row for row in selectors.campaign_rows(at=at(datetime.date(2026, 10, 1)))
    }
    assert [r.offset for r in rows[owing].reminders] == [90, 60, 30, 0]


@pytest.mark.rule("X4")
def test_without_a_signatory_every_representative_is_reminded(new_version):
    owing = organisation_since(datetime.date(2024, 1, 1))
    first = RepresentativeFactory(organisation=owing, is_authorised_signatory=False)
    second = RepresentativeFactory(organisation=owing, is_authorised_signatory=False)
    assert deadline_reminders_send(now=at(datetime.date(2026, 7, 1))) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.user.email, second.user.email])


@pytest.mark.rule("X4")
def test_reminder_task_is_idempotent(new_version):
    signatory(organisation_since(datetime.date(2024, 1, 1)))
    with freeze_time("2026-07-01 08:00:00+02:00"):
        assert deadline_reminders_send_task.delay().get() == 1
        assert deadline_reminders_send_task.delay().get() == 0
    assert len(mail.outbox) == 1


@pytest.mark.rule("X1")
def test_copil_is_reminded_before_the_end_date(version):
    copil = [copil_member(), copil_member()]
    end = version.end_date  # 2030-12-31

    def remind(days_before):
        """The number of new charter-end reminders (V2 may remind the COPIL too)."""
        rows = Reminder.objects.filter(kind="charters.version_end")
        before = rows.count()
        deadline_reminders_send(now=at(end - datetime.timedelta(days=days_before)))
        return rows.count() - before

    assert remind(181) == 0
    assert remind(180) == 2
    assert remind(100) == 0
    assert remind(90) == 2
    assert remind(10) == 2  # the 30-day step, caught up
    assert remind(0) == 0
    rows = Reminder.objects.filter(kind="charters.version_end")
    assert sorted(rows.values_list("offset", flat=True)) == [30, 30, 90, 90, 180, 180]
    assert {r.recipient for r in rows} == set(copil)
    expiry_mails = [m for m in mail.outbox if "Fin de la charte" in m.subject]
    assert sorted(m.to[0] for m in expiry_mails[:2]) == sorted(u.email for u in copil)
    assert expiry_mails[0].subject == (
        "[COS-GE] Échéance le 31 décembre 2030 : Fin de la charte V1 R001"
    )


@pytest.mark.rule("X1")
def test_expiry_task(version):
    copil_member()
    with freeze_time("2030-11-15 09:00:00+01:00"):
        assert deadline_reminders_send_task.delay().get() >= 1
        assert deadline_reminders_send_task.delay().get() == 0
    assert Reminder.objects.filter(kind="charters.version_end", offset=90).count() == 1


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
def test_the_charter_reminders_are_run_by_the_daily_engine(db):
    from django_celery_beat.models import PeriodicTask

    from core.deadlines import deadline_kinds

    tasks = set(PeriodicTask.objects.filter(enabled=True).values_list("task", flat=True))
    assert "cos_portal.deadline_reminders_send_task" in tasks
    assert (
        not {
            "charters.charter_resignature_reminders_task",
            "charters.charter_expiry_reminders_task",
        }
        & tasks
    )
    assert deadline_kinds()["charters.resignature"].required is True
    assert deadline_kinds()["charters.version_end"].required is True
