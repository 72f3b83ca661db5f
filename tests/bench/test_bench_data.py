"""The benchmark's data generator, run at a tiny scale so that it cannot rot."""

import pytest
from django.db.models import Count

from activities.models import Participation
from bench.bulk import RowWriter
from bench.data import build
from members import selectors
from members.models import Establishment, Organisation, Representative, StatusChange, User
from members.validators import department_of
from tests.activities.factories import ActivityFactory
from tests.members.factories import UserFactory


@pytest.mark.django_db
def test_the_bench_data_set_builds_at_a_tiny_scale():
    counts = build(organisations=20, seed=7)

    assert counts["organisations"] == 20
    assert Organisation.objects.count() == 20
    assert Establishment.objects.count() == counts["establishments"]
    assert User.objects.count() == counts["users"]
    assert Representative.objects.count() == counts["representatives"] == counts["users"]
    assert StatusChange.objects.count() == counts["status_changes"]
    assert Organisation.offer_categories.through.objects.count() == counts["offer_links"]
    # What the generator meant to list is what the directory lists (S2).
    assert selectors.directory_list().count() == counts["listed"]
    assert 0 < counts["listed"] < 20

    per_organisation = Organisation.objects.annotate(
        changes=Count("status_changes", distinct=True),
        representatives_count=Count("representatives", distinct=True),
    )
    assert all(row.changes >= 1 and row.representatives_count >= 1 for row in per_organisation)
    assert not Organisation.objects.exclude(establishments__is_active=True).exists()
    assert all(
        establishment.department == department_of(establishment.postcode) != ""
        for establishment in Establishment.objects.all()
    )
    assert not User.objects.filter(password="").exists()
    assert not any(user.has_usable_password() for user in User.objects.all())


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data_set():
    first = build(organisations=5, seed=3)
    names = list(Organisation.objects.values_list("legal_name", flat=True))
    Organisation.objects.all().delete()
    User.objects.all().delete()

    assert build(organisations=5, seed=3) == first
    assert list(Organisation.objects.values_list("legal_name", flat=True)) == names


@pytest.mark.django_db
def test_rows_written_by_copy_get_the_defaults_of_the_columns_they_leave_out():
    """PostgreSQL's COPY fills none of Django's defaults: a field added with a default
    (recorded_offline) must not break the benchmark's data set."""
    activity, person = ActivityFactory(), UserFactory()

    with RowWriter(Participation, ["activity_id", "user_id", "attendance"]) as writer:
        writer.add((activity.pk, person.pk, "present"))

    written = Participation.objects.get(activity=activity, user=person)
    assert (written.attendance, written.registration) == ("present", "")
    assert (written.is_walk_in, written.recorded_offline) == (False, False)
