"""``__among`` (core/lookups.py): the rows of ``__in``, with the values as one array on
PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.constants import Attendance
from activities.models import Participation
from members.models import Organisation, Representative
from tests.activities.factories import ActivityFactory, attend
from tests.members.factories import OrganisationFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def representatives():
    return [RepresentativeFactory(organisation=OrganisationFactory()) for _ in range(6)]


def both(queryset, field, values):
    """The rows of ``field__in`` and of ``field__among``, ordered alike."""

    def rows(lookup):
        return list(queryset.filter(**{f"{field}__{lookup}": values}).order_by("pk"))

    return rows("in"), rows("among")


def lists_of(representatives):
    ids = [r.organisation_id for r in representatives]
    return {
        "some": ids[1:4],
        "all": ids,
        "duplicates": ids[:2] * 3,
        "with None": [None, ids[0], None],
        "a set": set(ids[3:]),
        "unknown ids": [10**9, 10**12],
        "thousands": list(range(1, 5001)) + ids[:1],
        "a set of thousands": set(range(1, 5001)) | set(ids[-1:]),
        # Not plain ids: each value prepared as ``__in`` does (no bound text for a key).
        "as text": [str(pk) for pk in ids[:2]],
    }


@pytest.mark.every_database
def test_among_finds_the_rows_of_in(representatives):
    for name, values in lists_of(representatives).items():
        by_key, by_fk = (
            both(Organisation.objects, "pk", values),
            both(Representative.objects, "organisation_id", values),
        )
        assert by_key[0] == by_key[1], name
        assert by_fk[0] == by_fk[1], name
        relation = both(Representative.objects, "organisation", values)
        assert relation[0] == relation[1], name
    assert len(both(Organisation.objects, "pk", lists_of(representatives)["some"])[1]) == 3


@pytest.mark.every_database
def test_among_nothing_matches_nothing_without_a_query(representatives):
    for values in ([], [None], set()):
        with CaptureQueriesContext(connection) as queries:
            assert list(Organisation.objects.filter(pk__among=values)) == []
        assert len(queries.captured_queries) == 0


@pytest.mark.every_database
def test_among_excluded_keeps_the_rows_without_a_value(representatives):
    """Excluding a list keeps the rows whose column is empty, as ``__in`` does."""
    activity = ActivityFactory()
    with_organisation = attend(activity, representatives[0])
    alone = attend(activity, RepresentativeFactory(organisation=OrganisationFactory()))
    Participation.objects.filter(pk=alone.pk).update(organisation=None)
    other = attend(activity, representatives[1], Attendance.ABSENT)
    values = [representatives[0].organisation_id]
    for lookup in ("in", "among"):
        kept = Participation.objects.exclude(**{f"organisation_id__{lookup}": values})
        assert set(kept) == {alone, other}, lookup
    assert with_organisation.organisation_id == values[0]


@pytest.mark.every_database
def test_among_a_subquery_is_in_a_subquery(representatives):
    chosen = Organisation.objects.filter(pk__in=[r.organisation_id for r in representatives[:2]])
    found = Representative.objects.filter(organisation_id__among=chosen.values("pk"))
    assert set(found) == set(representatives[:2])


def test_on_postgresql_the_values_are_one_array(representatives):
    assert connection.vendor == "postgresql"
    values = list(range(10**9, 10**9 + 5000)) + [representatives[0].organisation_id]
    with CaptureQueriesContext(connection) as queries:
        found = list(Representative.objects.filter(organisation_id__among=values))
    assert found == [representatives[0]]
    sql = queries.captured_queries[0]["sql"]
    assert '"organisation_id" = ANY(' in sql
    assert " IN (" not in sql
    # One literal array, not 5,001 placeholders.
    compiled, params = Representative.objects.filter(
        organisation_id__among=values
    ).query.sql_with_params()
    assert compiled.count("%s") == 1
    assert params == (sorted(set(values), key=values.index),)


@pytest.mark.sqlite
def test_elsewhere_among_is_in(representatives):
    assert connection.vendor == "sqlite"
    compiled, params = Organisation.objects.filter(pk__among=[3, 1, 3]).query.sql_with_params()
    assert " IN (%s, %s)" in compiled
    assert params == (3, 1)
