"""Bulk loading for the demo generator: PostgreSQL's COPY, or large bulk_create batches on
other databases (the embedded SQLite of `make run`).

The national data set has millions of rows; the ORM's INSERTs would take hours and the rows
would not fit in memory. A RowWriter takes rows as plain tuples and writes them every
`batch_size` rows, so memory stays bounded whatever the volume.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from io import StringIO

from django.db import connection, models
from django.utils import timezone

BATCH_SIZE = 50_000
# COPY's text format: a backslash, tab, newline or carriage return inside a value is escaped.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


class RowWriter:
    """Writes rows of one model given as tuples of the named columns (attnames, such as
    `mahalla_id`); every other column gets its default, and created/updated times now.

        with RowWriter(PreventionRecord, ["mahalla_id", "date", ...]) as writer:
            writer.add(mahalla_id, day, ...)
    """

    def __init__(
        self, model: type[models.Model], columns: Sequence[str], batch_size: int = BATCH_SIZE
    ):
        self.model = model
        self.columns = list(columns)
        self.batch_size = batch_size
        self.written = 0
        self._rows: list[tuple] = []
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(self.columns) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
        now = timezone.now()
        # Defaults are taken once: the demo models have no per-row defaults (no UUIDs). A
        # text column without a default gets "", a nullable one NULL, as the ORM would.
        self._defaults = {
            name: now
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            else field.get_default()
            for name, field in fields.items()
            if name not in self.columns and not field.primary_key
        }
        self._postgres = connection.vendor == "postgresql"
        if self._postgres:
            names = self.columns + list(self._defaults)
            quoted = ", ".join(connection.ops.quote_name(fields[n].column) for n in names)
            table = connection.ops.quote_name(model._meta.db_table)
            self._copy_sql = f"COPY {table} ({quoted}) FROM STDIN"
            self._tail = "".join(
                "\t" + _copy_text(fields[n].get_db_prep_save(v, connection))
                for n, v in self._defaults.items()
            )

    def add(self, *values) -> None:
        self._rows.append(values)
        if len(self._rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self._rows:
            return
        if self._postgres:
            buffer = StringIO()
            tail = self._tail + "\n"
            buffer.writelines(
                "\t".join([_copy_text(value) for value in row]) + tail for row in self._rows
            )
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(self._copy_sql, buffer)
        else:
            self.model.objects.bulk_create(
                [
                    self.model(**self._defaults, **dict(zip(self.columns, row, strict=True)))
                    for row in self._rows
                ],
                batch_size=2000,
            )
        self.written += len(self._rows)
        self._rows = []

    def __enter__(self) -> "RowWriter":
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.flush()


@contextmanager
def indexes_deferred(*models_: type[models.Model], when: bool = True) -> Iterator[None]:
    """On PostgreSQL, drops the tables' secondary indexes and foreign keys for the block and
    makes them again after it: building an index once over millions of rows is many times
    faster than keeping it up to date row by row, and a foreign key added afterwards is
    checked in one pass over the table instead of a lookup per row. The primary keys and
    unique constraints stay. Inside the caller's transaction, so a failure leaves nothing
    half-built. Elsewhere, or unless `when`, it does nothing (a few thousand rows are
    faster written straight)."""
    if not when or connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
            ORDER BY 1, 2
            """,
            [tables],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        # Django's foreign keys are checked at commit; the checks pending on the rows written
        # so far are run now, as PostgreSQL alters no table with checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        # Room for the sorts of the index builds, for this transaction only.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


def statistics_refresh() -> None:
    """Gathers the planner's statistics of every table (ANALYZE) on PostgreSQL, after a bulk
    load and before the queries over what was loaded: without them the planner takes the
    new tables for empty and picks plans that are slower by orders of magnitude. Autovacuum
    would do it too, but later (or never, where it is switched off)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
