"""Issue 13 (departmental import ≥ 100,000 rows/s, re-import included): on PostgreSQL the departmental
records are LIST-partitioned by dataset, so a new copy of a dataset is loaded into a table of its own,
indexed, and swapped in for the previous copy's partition in the import's transaction
(`verification.dataset_partitions`) — nothing is deleted row by row, and no index is built over the
other datasets' rows or the copy being replaced.

The partitioned table keeps the table's name, columns, check constraints, the model's three indexes (as
partitioned indexes of the same names) and the foreign key to the dataset; its primary key is (id,
dataset_id), as a partitioned table's unique keys must hold the partition key (ids still come from the
one identity sequence). Rows of a dataset without a partition of its own (a row written by anything but
the importer) go to the DEFAULT partition; the dataset's next import replaces them too. Existing rows are
moved into one partition per dataset. Nothing holds a database foreign key INTO these records (a clue
keeps its record as JSON). SQLite: nothing changes."""

from django.db import migrations

TABLE = "verification_datasetrecord"
OLD = "verification_datasetrecord_unpartitioned"
INDEXES = {
    "dsrec_id18_idx": "(id18, id_kind, dataset_id)",
    "dsrec_near_idx": "(name, birth_date, gender, id_kind, id18, dataset_id)",
    "dsrec_dataset_idx": "(dataset_id, id)",
}


def _foreign_key(cursor, table):
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'", [table]
    )
    row = cursor.fetchone()
    return row[0] if row else "verification_datasetrecord_dataset_id_fk"


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        fk = _foreign_key(cursor, TABLE)
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        for name in INDEXES:
            cursor.execute(f"ALTER INDEX {name} RENAME TO {name}_unpartitioned")
        cursor.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT {TABLE}_pkey TO {OLD}_pkey")
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING CONSTRAINTS INCLUDING IDENTITY) "
            "PARTITION BY LIST (dataset_id)"
        )
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, dataset_id)")
        for name, columns in INDEXES.items():
            cursor.execute(f"CREATE INDEX {name} ON {TABLE} {columns}")
        cursor.execute(
            f'ALTER TABLE {TABLE} ADD CONSTRAINT "{fk}" FOREIGN KEY (dataset_id) '
            "REFERENCES verification_dataset (id) DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        cursor.execute(f"SELECT DISTINCT dataset_id FROM {OLD}")
        for (pk,) in cursor.fetchall():
            cursor.execute(f"CREATE TABLE {TABLE}_{int(pk)} PARTITION OF {TABLE} FOR VALUES IN ({int(pk)})")
        cursor.execute(f"INSERT INTO {TABLE} OVERRIDING SYSTEM VALUE SELECT * FROM {OLD}")
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), "
            f"GREATEST((SELECT MAX(id) FROM {TABLE}), 0) + 1, false)"
        )
        cursor.execute(f"DROP TABLE {OLD}")
        cursor.execute(f"ANALYZE {TABLE}")


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        fk = _foreign_key(cursor, TABLE)
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        for name in INDEXES:
            cursor.execute(f"ALTER INDEX {name} RENAME TO {name}_unpartitioned")
        cursor.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT {TABLE}_pkey TO {OLD}_pkey")
        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING CONSTRAINTS INCLUDING IDENTITY)")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
        cursor.execute(f"INSERT INTO {TABLE} OVERRIDING SYSTEM VALUE SELECT * FROM {OLD}")
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), "
            f"GREATEST((SELECT MAX(id) FROM {TABLE}), 0) + 1, false)"
        )
        cursor.execute(f"DROP TABLE {OLD} CASCADE")
        for name, columns in INDEXES.items():
            cursor.execute(f"CREATE INDEX {name} ON {TABLE} {columns}")
        cursor.execute(
            f'ALTER TABLE {TABLE} ADD CONSTRAINT "{fk}" FOREIGN KEY (dataset_id) '
            "REFERENCES verification_dataset (id) DEFERRABLE INITIALLY DEFERRED"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0006_run_records_by_village"),
    ]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
