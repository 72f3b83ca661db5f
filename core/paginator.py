"""A paginator for the admin's long lists: the whole table's size from PostgreSQL's
statistics instead of a COUNT(*) that reads every row.

The admin counts the rows of its list on every page; at millions of rows (attendance,
ratios) that count costs more than the page. Unfiltered, the list is the whole table, whose
size the planner's statistics already hold (``pg_class.reltuples``, refreshed by autovacuum
and ANALYZE): close enough for "about 3,000,000 rows" and page links. Filtered, searched,
or on another database, or on a table too small or never analysed for its estimate to be
worth it, the count is exact.
"""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


def estimated_table_rows(*, model, using: str = "default") -> int | None:
    """The planner's estimate of the model's table rows on PostgreSQL; None elsewhere or
    when the table was never analysed."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(model._meta.db_table)],
        )
        row = cursor.fetchone()
    if row is None or row[0] is None or row[0] < 0:  # -1: never vacuumed nor analysed
        return None
    return int(row[0])


def is_whole_table(queryset) -> bool:
    """The queryset lists every row of its table once: no filter, no DISTINCT, no
    grouping, no slicing (annotations per row and joins on foreign keys keep the count)."""
    query = queryset.query
    return (
        not query.where
        and not query.distinct
        and query.group_by is None
        and not query.combinator
        and query.low_mark == 0
        and query.high_mark is None
    )


class EstimatedCountPaginator(Paginator):
    """Django's paginator whose count of an unfiltered queryset of a large PostgreSQL table
    is the planner's estimate (see the module's docstring); exact otherwise."""

    #: Below this many rows (estimated) the exact count is cheap: it is the one shown.
    exact_below = 10_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if hasattr(queryset, "query") and is_whole_table(queryset):
            estimate = estimated_table_rows(model=queryset.model, using=queryset.db)
            if estimate is not None and estimate >= self.exact_below:
                return estimate
        return super().count
