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
