"""PostgreSQL: the planner settings the near-match statement runs with (no merge or nested-loop joins,
a bigger work_mem) are that statement's only — the rule queries after it, and the caller's transaction,
keep the session's own."""

from __future__ import annotations

import pytest
from django.db import connection

from jingzhun.engines.sql.crosscheck import MATCHES, MEMBERS, build_tables

pytestmark = pytest.mark.django_db

SETTINGS = ("enable_mergejoin", "enable_nestloop", "work_mem")


def _settings(cursor):
    cursor.execute("SELECT " + ", ".join(f"current_setting('{s}')" for s in SETTINGS))
    return cursor.fetchone()


def test_the_near_match_settings_do_not_outlive_their_statement(regions):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET work_mem = '8MB'")  # the session's own, as PGOPTIONS would give it
        before = _settings(cursor) if connection.vendor == "postgresql" else None
        build_tables(cursor, "430821", None, [])
        cursor.execute(f"SELECT COUNT(*) FROM {MATCHES}")
        assert cursor.fetchone()[0] == 0
        if before is not None:
            assert _settings(cursor) == before == ("on", "on", "8MB")
        for table in (MATCHES, MEMBERS):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _death(number, name):
    return {"证件号码": number, "姓名": name, "死亡日期": "2024-01-01"}


def test_the_engine_puts_the_sessions_settings_back(admin_actor, tmp_path):
    """PostgreSQL: no JIT and a bigger work_mem (SESSION_SETTINGS) while the hits are computed and read,
    the session's own values again afterwards — also when the caller stops reading early."""
    from jingzhun.engines.sql.crosscheck import SESSION_SETTINGS
    from jingzhun.verification.crosscheck import iter_crosscheck, run_crosscheck
    from tests.factories import register
    from tests.verification.helpers import load

    hh = register(admin_actor)
    head = hh.members.get(relation="户主")
    load(tmp_path, {"死亡人口": [_death(head.id_number, head.name)]})
    names = sorted(SESSION_SETTINGS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET jit = on")
            cursor.execute("SET work_mem = '8MB'")

        def current():
            if connection.vendor != "postgresql":
                return None
            cursor.execute("SELECT " + ", ".join(f"current_setting('{n}')" for n in names))
            return cursor.fetchone()

        before = current()
        assert [h.rule for h in run_crosscheck(2024)] == ["X-DEATH"]
        assert current() == before
        stream = iter_crosscheck(2024)
        next(stream)
        if connection.vendor == "postgresql":  # while the hits are read: the engine's own
            assert current() == tuple(SESSION_SETTINGS[n] for n in names)
        stream.close()
        assert current() == before
        if before is not None:
            assert before == ("on", "8MB")


def test_an_imports_partition_keeps_the_id_in_the_near_index(admin_actor, tmp_path):
    """PostgreSQL (migration 0008): dsrec_near_idx carries the record's id, and the partition an import
    swaps in gets the same index (its definition copied from the partitioned index)."""
    from tests.factories import register
    from tests.verification.helpers import load

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    hh = register(admin_actor)
    head = hh.members.get(relation="户主")
    for _ in range(2):  # the first copy, then its replacement
        load(tmp_path, {"死亡人口": [_death(head.id_number, head.name)]})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_inherits h ON h.inhrelid = c.oid "
            "WHERE h.inhparent = 'verification_datasetrecord'::regclass "
            "AND pg_get_indexdef(i.indexrelid) LIKE '%%(name, birth_date, gender, id_kind, id18, dataset_id)%%'"
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT pg_get_indexdef('dsrec_near_idx'::regclass)")
        parent = cursor.fetchone()[0]
    assert parent.endswith("INCLUDE (id)")
    assert len(rows) >= 2  # the DEFAULT partition and the dataset's own
    assert all(definition.endswith("INCLUDE (id)") for _, definition in rows)
