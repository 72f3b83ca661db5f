"""Writing millions of rows quickly: PostgreSQL's COPY, or bulk_create elsewhere.

The scale run (``make bench BENCH_ARGS=--scale 10``) writes about 4 million convocations
and 3 million attendance rows: through bulk_create that alone takes longer than the run's
budget, through COPY a minute. Rows are plain tuples in the order of ``columns``; every
column the table requires without a database default is given.

Django's foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED): millions of
queued checks made the commit alone last longer than the COPY. The data set is generated
consistent, so a superuser's benchmark skips them for its COPY (session_replication_role
= replica, the way pg_restore loads data); anyone else keeps them, only slower.
"""

from collections.abc import Iterable

from django.db import connection

BATCH = 5000


class RowWriter:
    """``with RowWriter(Model, ["activity_id", ...]) as writer: writer.add((1, ...))``."""

    def __init__(self, model, columns: list[str]):
        self.model = model
        # COPY fills no defaults of Django's: the model's columns left out with a default
        # get it here, so a new field with a default never breaks the data set.
        self._defaults = tuple(
            (field.column, field.get_default())
            for field in model._meta.concrete_fields
            if field.column not in columns and not field.primary_key and field.has_default()
        )
        self.columns = [*columns, *(column for column, _default in self._defaults)]
        self._tail = tuple(default for _column, default in self._defaults)
        self.count = 0
        self._copy = None
        self._context = None
        self._replica = False
        self._cursor = None
        self._pending: list[tuple] = []

    def __enter__(self):
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(self.model._meta.db_table)
            names = ", ".join(connection.ops.quote_name(column) for column in self.columns)
            self._cursor = connection.cursor()
            self._cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            self._replica = bool(self._cursor.fetchone()[0])
            if self._replica:
                self._cursor.execute("SET session_replication_role = replica")
            # The wrapped psycopg cursor: Django's wrapper has no COPY of its own.
            self._context = self._cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN")
            self._copy = self._context.__enter__()
        return self

    def add(self, row: tuple) -> None:
        self.count += 1
        row = (*row, *self._tail)
        if self._copy is not None:
            self._copy.write_row(row)
            return
        self._pending.append(row)
        if len(self._pending) >= BATCH:
            self._flush()

    def add_all(self, rows: Iterable[tuple]) -> None:
        for row in rows:
            self.add(row)

    def _flush(self) -> None:
        objects = [self.model(**dict(zip(self.columns, row, strict=True))) for row in self._pending]
        self.model.objects.bulk_create(objects, batch_size=BATCH)
        self._pending = []

    def __exit__(self, kind, error, trace):
        if self._copy is not None:
            self._context.__exit__(kind, error, trace)
            if self._replica:
                self._cursor.execute("SET session_replication_role = DEFAULT")
            self._cursor.close()
        elif kind is None:
            self._flush()
        return False
