"""Issue 13 benchmark (cross-check ≤ 60 s on PostgreSQL at ten million records): the near-match index
also carries the record's id (`INCLUDE (id)`), so the near half of the match table is an index-only scan
of dsrec_near_idx instead of a scan of the records themselves (their JSON cells make the rows four times
wider than the index). PostgreSQL only: the records table is partitioned there (0007), and the
partitioned index is rebuilt on every partition; an import's new partitions copy its definition
(`dataset_partitions.Partitions.swap`). SQLite's indexes carry the rowid (= id) already: nothing changes
there."""

from django.db import migrations

TABLE = "verification_datasetrecord"
NAME = "dsrec_near_idx"
COLUMNS = "(name, birth_date, gender, id_kind, id18, dataset_id)"


def _rebuild(schema_editor, include):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(f"DROP INDEX IF EXISTS {NAME}")
        cursor.execute(f"CREATE INDEX {NAME} ON {TABLE} {COLUMNS}{' INCLUDE (id)' if include else ''}")


def forward(apps, schema_editor):
    _rebuild(schema_editor, include=True)


def backward(apps, schema_editor):
    _rebuild(schema_editor, include=False)


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0007_partition_records_by_dataset"),
    ]

    # The model's Index keeps no `include`: Django would warn on SQLite (models.W040) for a column SQLite
    # ignores; the index's definition on PostgreSQL is this migration's (the partitions copy it).
    operations = [migrations.RunPython(forward, backward, elidable=False)]
