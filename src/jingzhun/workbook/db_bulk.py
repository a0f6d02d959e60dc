"""Bulk SQL for the importer: plain tuples in batches, no model instances per row.

SQLite: `executemany` of INSERT / UPDATE, values adapted once per column type with the backend's own
adapters (dates, datetimes, decimals, JSON). PostgreSQL: inserts stream through `COPY … FROM STDIN`
(psycopg dumps dates, decimals, booleans and None itself, as it does for parameters; aware datetimes go as
ISO text), and large updates are copied into a temporary table and applied by one `UPDATE … FROM`. JSON
columns get the text Django would store, `json.dumps(value, cls=field.encoder)`, without going through
`JSONField.get_db_prep_save` for every value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from functools import partial
from itertools import chain, islice
from typing import Any

from django.db import connection, models, transaction

BATCH = 5000
# Updates of at least this many rows go through COPY into a temporary table on PostgreSQL; fewer are
# cheaper as one UPDATE each (a temporary table costs a few catalog writes).
COPY_UPDATE_MIN = 500
UPDATE_TABLE = "jingzhun_bulk_update"
# A COPY of at least this many rows, and at least a tenth of the table (autovacuum's own rule for a new
# ANALYZE), refreshes the table's planner statistics at once.
ANALYZE_MIN = 1000


def _json_dumps(field: Any) -> Callable[[Any], Any]:
    """The text `field.get_db_prep_save(value, connection)` stores for a plain Python value (None → NULL)."""
    dumps = json.dumps if field.encoder is None else partial(json.dumps, cls=field.encoder)
    # a str subclass marked as encoded already (workbook.national.PreEncoded) goes as it is
    return lambda v: None if v is None else (str(v) if getattr(v, "pre_encoded", False) else dumps(v))


def _adapter(field: Any) -> Callable[[Any], Any] | None:
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "JSONField":
        return _json_dumps(field)
    if connection.vendor == "postgresql":
        if kind == "DateTimeField":
            # as ISO text, which COPY's server side parses: psycopg's datetime dumper costs 1.6 µs a value,
            # twice a row (measured), and the rows of one import share one timestamp
            return _memo(_iso)
        return None  # psycopg adapts dates and decimals itself (Django's adapters are no-ops)
    if kind == "DateField":
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if kind == "DateTimeField":
        return _memo(ops.adapt_datetimefield_value)  # rows of one import share one timestamp
    if kind == "DecimalField":
        return lambda v: (
            None if v is None else ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
        )
    return None


def _iso(value: datetime) -> str:
    return value.isoformat()


def _memo(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    cache: dict[Any, Any] = {}

    def adapt(value: Any) -> Any:
        if value is None:
            return None
        hit = cache.get(value)
        if hit is None:
            hit = fn(value)
            if len(cache) < 64:
                cache[value] = hit
        return hit

    return adapt


def batched(rows: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


class Table:
    """INSERT and UPDATE statements for `columns` (model field names) of `model`."""

    def __init__(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        *,
        key: str = "id",
        analyze_later: set[str] | None = None,
    ):
        qn = connection.ops.quote_name
        self.model = model
        self.analyze_later = analyze_later
        self.table = qn(model._meta.db_table)
        fields: list[Any] = [model._meta.get_field(name) for name in columns]
        self.columns = [qn(f.column) for f in fields]
        key_field: Any = model._meta.get_field(key)
        self.key = qn(key_field.column)
        self.adapters = [(i, fn) for i, f in enumerate(fields) if (fn := _adapter(f)) is not None]
        self.copy = connection.vendor == "postgresql"
        placeholders = ", ".join(["%s"] * len(fields))
        self.insert_sql = f"INSERT INTO {self.table} ({', '.join(self.columns)}) VALUES ({placeholders})"
        self.update_sql = (
            f"UPDATE {self.table} SET {', '.join(f'{c} = %s' for c in self.columns)} WHERE {self.key} = %s"
        )

    def _adapt(self, row: Sequence[Any]) -> Sequence[Any]:
        if not self.adapters:
            return row
        out = list(row)
        for i, fn in self.adapters:
            out[i] = fn(out[i])
        return out

    def insert(self, rows: Iterable[Sequence[Any]]) -> int:
        """Insert tuples in column order; returns the number of rows."""
        if self.copy:
            iterator = iter(rows)
            first = next(iterator, None)
            if first is None:
                return 0
            before = self._estimated_rows()
            count = self._copy(
                f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN", chain([first], iterator)
            )
            if count >= ANALYZE_MIN and count * 10 >= before:
                if self.analyze_later is None:
                    self._analyze()
                else:
                    self.analyze_later.add(self.table)
            return count
        count = 0
        with connection.cursor() as cursor:
            for batch in batched(rows):
                cursor.executemany(self.insert_sql, [self._adapt(r) for r in batch])
                count += len(batch)
        return count

    def update(self, rows: Iterable[Sequence[Any]]) -> int:
        """Update by key (id unless told): each row is the column values followed by the key."""
        listed = list(rows)
        if self.copy and len(listed) >= COPY_UPDATE_MIN:
            return self._update_from_copy(listed)
        count = 0
        with connection.cursor() as cursor:
            for batch in batched(listed):
                cursor.executemany(self.update_sql, [(*self._adapt(r[:-1]), r[-1]) for r in batch])
                count += len(batch)
        return count

    def _copy(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Stream `rows` (adapted here, dumped by psycopg in COPY's text format) into `COPY … FROM STDIN`.
        psycopg's errors become Django's (an IntegrityError the importer reports as a conflict), as they do
        through `cursor.execute`."""
        count = 0
        adapt = self._adapt
        with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            write = copy.write_row
            for row in rows:
                write(adapt(row))
                count += 1
        return count

    def _estimated_rows(self) -> float:
        """The planner's row count of the table (-1 when it was never analyzed)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [self.table])
            return float(cursor.fetchone()[0])

    def _analyze(self) -> None:
        """Fresh planner statistics for the rows just copied, inside the import's transaction (ANALYZE
        samples the transaction's own new rows). Autovacuum would analyze the table only a minute or so
        after the commit: until then the planner takes the new rows for a handful, and the queries that
        follow an import (the re-assessment, an export) pick plans that scan whole tables per row or per
        batch (a 30,000-household re-assessment ran for more than two minutes instead of under one second).
        A user who does not own the table gets a warning from PostgreSQL, not an error."""
        analyze([self.table])

    def _update_from_copy(self, rows: list[Sequence[Any]]) -> int:
        """COPY the rows into a temporary table of the target's column types, then one UPDATE … FROM.

        Like one UPDATE per row in order, a key given twice takes its last row (UPDATE … FROM would pick
        an unpredictable one)."""
        last = {row[-1]: row for row in rows}
        unique = rows if len(last) == len(rows) else list(last.values())
        values = [f"v{i}" for i in range(len(self.columns))]
        select = ", ".join(f"{c} AS {v}" for c, v in zip(self.columns, values, strict=True))
        assign = ", ".join(f"{c} = s.{v}" for c, v in zip(self.columns, values, strict=True))
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {UPDATE_TABLE} ON COMMIT DROP AS "
                f"SELECT {select}, {self.key} AS k FROM {self.table} WITH NO DATA"
            )
            self._copy(f"COPY {UPDATE_TABLE} FROM STDIN", unique)
            cursor.execute(
                f"UPDATE {self.table} AS t SET {assign} FROM {UPDATE_TABLE} AS s WHERE t.{self.key} = s.k"
            )
            cursor.execute(f"DROP TABLE {UPDATE_TABLE}")
        return len(rows)


def analyze(tables: Iterable[str]) -> None:
    """ANALYZE tables (quoted names) whose statistics a committed import left stale (`Table.analyze_later`:
    ANALYZE inside a long transaction would hold its lock, which blocks another import's ANALYZE and
    autovacuum, until the commit)."""
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"ANALYZE {table}")


def max_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)}")
        value = cursor.fetchone()[0]
    return int(value or 0)


def ids_since(model: type[models.Model], *, after: int, key: str) -> Iterator[tuple[int, Any]]:
    """(id, key) of rows with id > after, streamed in id order (to find the ids of rows just inserted)."""
    qn = connection.ops.quote_name
    field: Any = model._meta.get_field(key)
    column = qn(field.column)
    sql = f"SELECT id, {column} FROM {qn(model._meta.db_table)} WHERE id > %s ORDER BY id"
    with connection.cursor() as cursor:
        cursor.execute(sql, [after])
        while rows := cursor.fetchmany(BATCH):
            yield from rows


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` ids from the table's own sequence (PostgreSQL), in increasing order: rows inserted with them
    can be referenced before they exist (the foreign keys are checked at commit). A rolled-back import
    leaves a gap in the ids, as any rolled-back insert does."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
        )
        return sorted(int(row[0]) for row in cursor.fetchall())
