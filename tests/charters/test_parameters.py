"""Parameters of a charter version that used to be module constants (X1, A3).

X1's latest end date and A3's warning margin belong to the version's parameters, filled
with V1 R001's values by a data migration: a revised charter may change them, and the
messages are built from them.
"""

import datetime
import importlib
import json

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from activities.deadlines import attendance_threshold_deadlines
from activities.models import AttendanceRatio
from charters.constants import CharterParameters, default_parameters
from charters.models import CharterVersion
from charters.services import charter_version_revise
from tests.activities.factories import ActivityFactory, convene
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

from .factories import CHARTER_TEXT, CharterVersionFactory


def parameters(**changes) -> dict:
    return {**default_parameters(), **changes}


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


def add_version(client, **fields):
    data = {
        "label": "V2 R001",
        "title": "Charte de la COS-GE",
        "effective_date": "2031-01-01",
        "change_note": "Révision.",
        "body": CHARTER_TEXT,
        "parameters": json.dumps(parameters()),
        **fields,
    }
    return client.post(reverse("admin:charters_charterversion_add"), data)


def test_v1_r001_values_of_the_new_parameters():
    assert CharterParameters().latest_end_date == datetime.date(2030, 12, 31)
    assert CharterParameters().attendance_warning_points == 10
    data = CharterParameters().to_json()
    assert data["latest_end_date"] == "2030-12-31"
    assert CharterParameters.from_json(json.loads(json.dumps(data))) == CharterParameters()


@pytest.mark.rule("X1")
def test_the_admin_refuses_an_end_date_after_the_latest_of_the_versions_parameters(
    client, superuser
):
    client.force_login(superuser)

    response = add_version(client, end_date="2031-06-30")

    assert response.status_code == 200
    assert "prend fin au plus tard le 31 décembre 2030." in response.content.decode()
    response = add_version(
        client,
        end_date="2033-01-01",
        parameters=json.dumps(parameters(latest_end_date="2032-12-31")),
    )
    assert "prend fin au plus tard le 31 décembre 2032." in response.content.decode()
    assert not CharterVersion.objects.exists()


@pytest.mark.rule("X1")
def test_the_admin_accepts_an_end_date_a_revised_charter_allows(client, superuser):
    client.force_login(superuser)

    response = add_version(
        client,
        end_date="2034-06-30",
        parameters=json.dumps(parameters(latest_end_date="2035-12-31")),
    )

    assert response.status_code == 302
    version = CharterVersion.objects.get(label="V2 R001")
    assert version.end_date == datetime.date(2034, 6, 30)
    assert version.governance.latest_end_date == datetime.date(2035, 12, 31)


@pytest.mark.rule("X1")
def test_the_database_reads_the_latest_end_date_from_the_row(db):
    later = CharterVersionFactory(
        label="V2",
        end_date=datetime.date(2035, 12, 31),
        parameters=parameters(latest_end_date="2035-12-31"),
    )
    assert later.end_date == datetime.date(2035, 12, 31)
    with pytest.raises(IntegrityError), transaction.atomic():
        CharterVersionFactory(label="V3", end_date=datetime.date(2031, 1, 1))


@pytest.mark.rule("X1")
def test_a_revision_ends_by_default_on_the_latest_date_of_its_parameters(db):
    base = CharterVersionFactory(label="V1 R001")

    draft = charter_version_revise(
        version=base,
        label="V2 R001",
        effective_date=datetime.date(2030, 1, 1),
        change_note="Prolongation.",
        parameters=parameters(latest_end_date="2036-12-31"),
        actor=None,
    )

    assert draft.end_date == datetime.date(2036, 12, 31)


def test_the_data_migration_fills_v1_r001_values_and_keeps_others(db):
    old = parameters()
    del old["latest_end_date"], old["attendance_warning_points"]
    v1 = CharterVersionFactory(label="V1 R001", parameters=old)
    kept = CharterVersionFactory(label="V2", parameters={**old, "attendance_warning_points": 15})

    migration = importlib.import_module(
        "charters.migrations.0006_version_parameters_latest_end_date"
    )
    migration.fill(apps, None)

    v1.refresh_from_db()
    kept.refresh_from_db()
    assert v1.parameters == parameters()
    assert kept.parameters["attendance_warning_points"] == 15
    assert kept.parameters["latest_end_date"] == "2030-12-31"


NOW = datetime.datetime(2026, 4, 1, 7, 0, tzinfo=datetime.UTC)


def member_at(percent_attended: int):
    """A member whose latest snapshot is ``percent_attended`` % (of 10), with an activity
    in 5 days."""
    organisation = member_organisation()
    rep = RepresentativeFactory(organisation=organisation)
    AttendanceRatio.objects.create(
        organisation=organisation,
        date=timezone.localdate(NOW),
        window_start=NOW - datetime.timedelta(days=365),
        window_end=NOW,
        convened=10,
        attended=percent_attended // 10,
        threshold_percent=33,
        computed_at=NOW,
    )
    convene(ActivityFactory(starts_at=NOW + datetime.timedelta(days=5)), organisation)
    return rep


def warned(client, rep) -> bool:
    client.force_login(rep.user)
    return client.get(reverse("activities:my_attendance")).context["items"][0]["near_threshold"]


def reminded() -> set[int]:
    today = timezone.localdate(NOW)
    return {
        d.organisation_id
        for d in attendance_threshold_deadlines(start=today, end=today + datetime.timedelta(days=7))
    }


@pytest.mark.rule("A3")
@freeze_time(NOW)
def test_the_warning_margin_is_the_charter_versions(client, db):
    version = CharterVersionFactory(label="V1 R001")
    at_40, at_50 = member_at(40), member_at(50)

    # V1 R001: 33 % + 10 points; the page and the reminder agree.
    assert (warned(client, at_40), warned(client, at_50)) == (True, False)
    assert reminded() == {at_40.organisation_id}

    CharterVersion.objects.filter(pk=version.pk).update(
        parameters=parameters(attendance_warning_points=20)
    )
    assert (warned(client, at_40), warned(client, at_50)) == (True, True)
    assert reminded() == {at_40.organisation_id, at_50.organisation_id}
