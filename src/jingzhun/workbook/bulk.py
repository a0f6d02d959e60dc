"""Bulk SQL for the importer: `executemany` of plain tuples in batches, no model instances per row.

Values are adapted once per column type with the backend's own adapters (dates, datetimes, decimals,
JSON), so the same code writes to SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.db import connection, models

BATCH = 5000


def _adapter(field: Any) -> Callable[[Any], Any] | None:
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DateField":
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if kind == "DateTimeField":
        return _memo(ops.adapt_datetimefield_value)  # rows of one import share one timestamp
    if kind == "DecimalField":
        return lambda v: (
            None if v is None else ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
        )
    if kind == "JSONField":
        return lambda v: field.get_db_prep_save(v, connection)
    return None


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

    def __init__(self, model: type[models.Model], columns: Sequence[str], *, key: str = "id"):
        qn = connection.ops.quote_name
        self.model = model
        self.table = qn(model._meta.db_table)
        fields: list[Any] = [model._meta.get_field(name) for name in columns]
        self.columns = [qn(f.column) for f in fields]
        self.adapters = [(i, fn) for i, f in enumerate(fields) if (fn := _adapter(f)) is not None]
        placeholders = ", ".join(["%s"] * len(fields))
        self.insert_sql = f"INSERT INTO {self.table} ({', '.join(self.columns)}) VALUES ({placeholders})"
        self.update_sql = (
            f"UPDATE {self.table} SET {', '.join(f'{c} = %s' for c in self.columns)} WHERE {qn(key)} = %s"
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
        count = 0
        with connection.cursor() as cursor:
            for batch in batched(rows):
                cursor.executemany(self.insert_sql, [self._adapt(r) for r in batch])
                count += len(batch)
        return count

    def update(self, rows: Iterable[Sequence[Any]]) -> int:
        """Update by key (id unless told): each row is the column values followed by the key."""
        count = 0
        with connection.cursor() as cursor:
            for batch in batched(rows):
                cursor.executemany(self.update_sql, [(*self._adapt(r[:-1]), r[-1]) for r in batch])
                count += len(batch)
        return count


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
