"""PostgreSQL: each dataset's copy of the departmental records in a partition of its own (migration
0007), so an import replaces a copy by swapping tables instead of deleting rows.

For every dataset it writes, an import (`verification.importer`) creates a fresh standalone table shaped
like the partitions — the parent's columns and check constraints, ids from the parent's identity
sequence, and a CHECK that every row is of this dataset — and COPYs the new rows into it. When all the
rows are in and checked, `swap()` builds the table's indexes (the partitioned indexes' own definitions,
over the new rows only), then detaches and drops the previous copy's partition, deletes the dataset's
rows from the DEFAULT partition (rows written by anything but the importer), and attaches the new table
as the dataset's partition: the CHECK lets ATTACH skip scanning it, the partitioned indexes adopt its
indexes, and the foreign key to the dataset is validated by one join over its rows only.

All of it runs inside the import's transaction: until the commit every other connection reads the
previous copy (the swap's ACCESS EXCLUSIVE lock, taken only at the end, makes a reader of the records
wait for the commit, then read the new copy); a failed import rolls back the new tables and the
detach, so the previous copy stays as it was."""

from __future__ import annotations

import secrets

from django.db import connection

from jingzhun.verification.models import DatasetRecord

DEFAULT_SUFFIX = "_default"


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _parent() -> str:
    return DatasetRecord._meta.db_table


def partitioned() -> bool:
    """The records table is partitioned (PostgreSQL after migration 0007)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [_parent()])
        row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def partition_of(dataset_id: int) -> str | None:
    """The name of the partition holding the copy of `dataset_id`, if it has one of its own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass AND pg_get_expr(c.relpartbound, c.oid) = %s",
            [_parent(), f"FOR VALUES IN ('{int(dataset_id)}')"],
        )
        row = cursor.fetchone()
    return row[0] if row else None


class Partitions:
    """The new tables of one import: `table(dataset_id)` creates the one a dataset's rows are copied into;
    `swap()` puts them in place of the previous copies (at the end, when every row is in)."""

    def __init__(self) -> None:
        self.tables: dict[int, str] = {}  # dataset id → its new table
        self.token = ""
        self.sequence = ""

    def table(self, dataset_id: int) -> str:
        if dataset_id in self.tables:
            return self.tables[dataset_id]
        parent = _parent()
        with connection.cursor() as cursor:
            if not self.token:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [parent])
                self.sequence = cursor.fetchone()[0]
                self.token = secrets.token_hex(4)  # the new tables' names are the import's own
            name = f"{parent}_{int(dataset_id)}_{self.token}"
            cursor.execute(f"CREATE TABLE {_qn(name)} (LIKE {_qn(parent)} INCLUDING CONSTRAINTS)")
            cursor.execute(
                f"ALTER TABLE {_qn(name)} ALTER COLUMN id SET DEFAULT nextval(%s::regclass), "
                f"ADD CONSTRAINT {_qn(name + '_dataset')} CHECK (dataset_id = {int(dataset_id)})",
                [self.sequence],
            )
        self.tables[dataset_id] = name
        return name

    def swap(self) -> None:
        """Index the new tables, then replace each dataset's previous copy with its new table."""
        if not self.tables:
            return
        parent = _parent()
        with connection.cursor() as cursor:
            # the index builds sort in memory instead of in temporary files (this transaction only)
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(
                "SELECT c.relname, pg_get_indexdef(c.oid), x.indisprimary FROM pg_index x "
                "JOIN pg_class c ON c.oid = x.indexrelid WHERE x.indrelid = %s::regclass ORDER BY c.relname",
                [parent],
            )
            indexes = cursor.fetchall()
            for dataset_id, name in self.tables.items():
                for n, (_index, definition, primary) in enumerate(indexes):
                    if primary:
                        columns = definition[definition.index("(") :]
                        cursor.execute(
                            f"ALTER TABLE {_qn(name)} ADD CONSTRAINT {_qn(name + '_pkey')} PRIMARY KEY {columns}"
                        )
                        continue
                    # `CREATE INDEX name ON ONLY public.parent USING btree (…)` → the same on the new table
                    using = definition[definition.index(" USING ") :]
                    short = f"dsrec_{int(dataset_id)}_{self.token}_{n}"  # within PostgreSQL's 63 characters
                    cursor.execute(f"CREATE INDEX {_qn(short)} ON {_qn(name)}{using}")
            for dataset_id, name in self.tables.items():
                previous = partition_of(dataset_id)
                if previous is not None:
                    cursor.execute(f"ALTER TABLE {_qn(parent)} DETACH PARTITION {_qn(previous)}")
                    cursor.execute(f"DROP TABLE {_qn(previous)}")
                cursor.execute(
                    f"DELETE FROM {_qn(parent + DEFAULT_SUFFIX)} WHERE dataset_id = %s", [int(dataset_id)]
                )
                cursor.execute(
                    f"ALTER TABLE {_qn(parent)} ATTACH PARTITION {_qn(name)} FOR VALUES IN ({int(dataset_id)})"
                )
        self.tables = {}
