"""``field__among=ids``: whether a column's value is one of a long list, given as one
array on PostgreSQL.

The deadlines and the cockpit filter by lists of thousands of organisations or people
(at 20,000 organisations, 6,000 ids and more). ``__in`` writes one placeholder per value:
PostgreSQL then parses and plans a list as long, which costs more than the query itself.
``__among`` sends the same values as one array, ``column = ANY(%s)``: the same rows, the
same index. Elsewhere (the embedded SQLite) it is ``__in`` unchanged. Like ``__in``, an
empty list matches nothing without a query, and ``None`` is never a value.
"""

from django.db.models import Field, ForeignObject
from django.db.models.lookups import In


class Among(In):
    lookup_name = "among"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():  # a subquery: IN (SELECT ...) as usual
            return super().as_sql(compiler, connection)
        # The values as ``__in`` prepares them (None left out, duplicates once, and
        # nothing to match raising EmptyResultSet), bound as one array.
        placeholders, values = self.process_rhs(compiler, connection)
        if placeholders != f"({', '.join(['%s'] * len(values))})":  # an expression among them
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(values))


Field.register_lookup(Among)
# A foreign key's lookups are its own (ForeignObject does not inherit Field's).
ForeignObject.register_lookup(Among)
