"""The admin's longest lists cost the same whatever their size: organisations (20,000),
participations (millions of attendance rows) and attendance ratio snapshots.

Through the real admin views, signed in as a superuser: the same number of queries at two
sizes, within a budget; the whole table's size from PostgreSQL's statistics when the list
is unfiltered (core/paginator.py), and the rows' check boxes as Django writes them.
"""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from activities.models import AttendanceRatio, Participation
from activities.services import attendance_ratios_compute
from core.admin_long_lists import LongListAdminMixin
from core.paginator import EstimatedCountPaginator
from members import selectors
from members.models import Organisation
from tests.activities.factories import ActivityFactory, attend
from tests.members.factories import (
    EstablishmentFactory,
    OrganisationFactory,
    RepresentativeFactory,
    UserFactory,
    member_organisation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True, email="admin@cos-ge.fr")


def add_organisations(count: int) -> None:
    for _ in range(count):
        organisation = member_organisation()
        EstablishmentFactory(organisation=organisation, postcode="67000", city="Strasbourg")


def add_participations(count: int) -> None:
    activity = ActivityFactory()
    for _ in range(count):
        attend(activity, RepresentativeFactory(organisation=member_organisation()))


def add_ratios(count: int) -> None:
    for _ in range(count):
        member_organisation()
    attendance_ratios_compute()


# (changelist, what fills it, its rows, the budget of queries). The budgets: the session,
# the user with their groups (core/auth_backends.py), the count (on PostgreSQL, the
# table's estimate first), the page of rows; for the organisations also the choices of
# the department and category filters and the rows' active establishments.
LISTS = [
    ("admin:members_organisation_changelist", add_organisations, Organisation, 8),
    ("admin:activities_participation_changelist", add_participations, Participation, 5),
    ("admin:activities_attendanceratio_changelist", add_ratios, AttendanceRatio, 5),
]


@pytest.mark.parametrize(("url_name", "add", "model", "budget"), LISTS)
def test_a_long_list_costs_the_same_queries_at_two_sizes(
    client, superuser, django_assert_max_num_queries, url_name, add, model, budget
):
    client.force_login(superuser)
    url = reverse(url_name)
    client.get(url)  # the session and the content types, once
    counts, created = [], 0
    for total in (3, 15):
        add(total - created)
        created = total
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == model.objects.count() == total
        counts.append(len(queries))
        # One count of the list, never a second one of the whole table next to it.
        assert sum("COUNT(" in query["sql"] for query in queries.captured_queries) == 1

    assert counts[0] == counts[1]
    with django_assert_max_num_queries(budget):
        client.get(url)


def test_the_long_lists_read_an_order_their_indexes_serve(client, superuser):
    second = OrganisationFactory(legal_name="Métallerie")
    first = OrganisationFactory(legal_name="Aciérie")
    client.force_login(superuser)

    organisations = client.get(reverse("admin:members_organisation_changelist"))
    participations = client.get(reverse("admin:activities_participation_changelist"))
    ratios = client.get(reverse("admin:activities_attendanceratio_changelist"))

    assert list(organisations.context["cl"].result_list) == [first, second]
    # Legal name then newest, newest attendance row, latest snapshot: no join to sort.
    assert str(organisations.context["cl"].queryset.query).endswith(
        'ORDER BY "members_organisation"."legal_name" ASC, "members_organisation"."id" DESC'
    )
    assert str(participations.context["cl"].queryset.query).endswith(
        'ORDER BY "activities_participation"."id" DESC'
    )
    assert str(ratios.context["cl"].queryset.query).endswith(
        'ORDER BY "activities_attendanceratio"."date" DESC, '
        '"activities_attendanceratio"."organisation_id" DESC'
    )


def test_the_paginator_estimates_the_whole_table_on_postgresql_and_counts_otherwise(
    monkeypatch,
):
    OrganisationFactory.create_batch(30)
    # At the portal's scale the estimate starts at 10,000 rows; here at 10.
    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 10)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE members_organisation")
    OrganisationFactory.create_batch(5)  # after the statistics: not in the estimate

    with CaptureQueriesContext(connection) as queries:
        whole = EstimatedCountPaginator(Organisation.objects.order_by("pk"), 10).count
    counted = [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"]]
    if connection.vendor == "postgresql":
        assert whole == 30  # the planner's statistics, not a count of the table
        assert counted == []
        assert any("reltuples" in query["sql"] for query in queries.captured_queries)
    else:  # no statistics to read: counted exactly
        assert whole == 35
        assert len(counted) == 1

    # Filtered, or on a table estimated smaller than the threshold: counted exactly.
    filtered = Organisation.objects.filter(pk__in=Organisation.objects.order_by("pk")[:7])
    assert EstimatedCountPaginator(filtered, 10).count == 7
    assert EstimatedCountPaginator(Organisation.objects.distinct(), 10).count == 35
    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 100)
    assert EstimatedCountPaginator(Organisation.objects.all(), 10).count == 35


def test_the_unfiltered_admin_list_shows_the_estimate_without_counting_on_postgresql(
    client, superuser, monkeypatch
):
    add_participations(12)
    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 10)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE activities_participation")
    client.force_login(superuser)
    url = reverse("admin:activities_participation_changelist")

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    with CaptureQueriesContext(connection) as filtered_queries:
        filtered = client.get(url, {"attendance__exact": "present"})

    counts = sum("COUNT(" in query["sql"] for query in queries.captured_queries)
    assert counts == (0 if connection.vendor == "postgresql" else 1)
    assert response.context["cl"].result_count == 12
    assert sum("COUNT(" in query["sql"] for query in filtered_queries.captured_queries) == 1
    assert filtered.context["cl"].result_count == 12
    assert filtered.context["cl"].full_result_count is None  # no second count


def test_the_rows_check_boxes_are_those_django_writes():
    organisation = OrganisationFactory(legal_name='Dupont & Fils "Usinage" <SA>')
    model_admin = admin.site._registry[Organisation]
    assert isinstance(model_admin, LongListAdminMixin)

    for language in ("fr", "en"):
        with override(language):
            assert model_admin.action_checkbox(organisation) == admin.ModelAdmin.action_checkbox(
                model_admin, organisation
            )


def test_the_ratio_list_lists_the_latest_snapshots_first(client, superuser):
    member = member_organisation()
    yesterday = timezone.now() - datetime.timedelta(days=1)
    attendance_ratios_compute(now=yesterday)
    attendance_ratios_compute()
    client.force_login(superuser)

    response = client.get(reverse("admin:activities_attendanceratio_changelist"))

    dates = [row.date for row in response.context["cl"].result_list]
    assert dates == [timezone.localdate(), timezone.localdate(yesterday)]
    assert {row.organisation for row in response.context["cl"].result_list} == {member}


def test_the_department_filter_lists_the_departments_of_active_establishments_in_order():
    first, second = OrganisationFactory(), OrganisationFactory()
    EstablishmentFactory(organisation=first, postcode="67000")
    EstablishmentFactory(organisation=second, postcode="67000")
    EstablishmentFactory(organisation=second, postcode="10000")
    EstablishmentFactory(organisation=first, postcode="88000", is_active=False)
    EstablishmentFactory(organisation=second, postcode="57000")

    assert selectors.active_establishment_departments() == ["10", "57", "67"]
