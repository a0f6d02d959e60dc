"""The cross-check benchmark measures the records as an import leaves them: on PostgreSQL each
dataset's rows in a partition of their own (`verification.dataset_partitions`), none in the DEFAULT
partition; the record indexes in place over every partition."""

from __future__ import annotations

import random

import pytest
from django.db import connection

from jingzhun.rules.datasets import SPECS
from jingzhun.verification.models import Dataset, DatasetRecord

pytestmark = pytest.mark.django_db


def test_the_bench_set_up_gives_every_dataset_its_own_partition(regions, monkeypatch):
    from bench import crosscheck
    from bench.crosscheck import load_records, load_registry

    monkeypatch.setattr(
        crosscheck, "_fast_inserts", lambda: None
    )  # SQLite PRAGMAs: not in a test's transaction

    rng = random.Random(7)
    people = load_registry(60, rng)
    counts = load_records(len(SPECS) * 40, people, rng)
    assert sum(counts.values()) == DatasetRecord.objects.count() == len(SPECS) * 40
    assert {d.name for d in Dataset.objects.all()} == {s.name for s in SPECS}
    if connection.vendor != "postgresql":
        return  # SQLite: one table, nothing to route
    from jingzhun.verification.dataset_partitions import DEFAULT_SUFFIX, partition_of

    parent = DatasetRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {parent}{DEFAULT_SUFFIX}")
        assert cursor.fetchone()[0] == 0
        for dataset in Dataset.objects.all():
            table = partition_of(dataset.pk)
            assert table is not None, dataset.name
            cursor.execute(f"SELECT COUNT(*), MIN(dataset_id), MAX(dataset_id) FROM {table}")
            assert cursor.fetchone() == (counts[dataset.name], dataset.pk, dataset.pk)
            # the partitioned indexes were rebuilt over this partition too
            cursor.execute("SELECT COUNT(*) FROM pg_indexes WHERE tablename = %s", [table])
            assert cursor.fetchone()[0] == len(DatasetRecord._meta.indexes) + 1  # and the primary key
