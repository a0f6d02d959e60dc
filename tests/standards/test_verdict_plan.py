"""The verdict statement computes each rule's status once per household: the database reads the statuses
subquery as rows (SQLite's co-routine, PostgreSQL's subquery scan) instead of merging it into the outer
SELECT, where every one of the four references to a status would evaluate its CASE again."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from jingzhun.engines.sql import compiler


def _plan(sql: str, params: list) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [row[-1] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN " + sql, params)
        return [row[0].strip().lstrip("-> ") for row in cursor.fetchall()]


def _assert_fenced(sql: str, params: list) -> None:
    plan = _plan(sql, params)
    if connection.vendor == "sqlite":
        assert {"CO-ROUTINE v", "MATERIALIZE v"} & set(plan), plan
    else:
        assert any(line.startswith("Subquery Scan on v") for line in plan), plan


def test_the_statuses_subquery_is_not_merged_into_the_verdict_select(spec):
    compiled = compiler.Compiled(spec, 2018)
    assert len(compiled.status_sql) >= 2
    _assert_fenced(*compiled.verdict_select(compiler.Scope.id_range(1, 1000), assessed_at=timezone.now()))


def test_the_region_and_household_scopes_keep_the_fence(spec):
    compiled = compiler.Compiled(spec, 2018)
    for scope in (compiler.Scope.region("430821"), compiler.Scope.household(1), compiler.Scope.everything()):
        _assert_fenced(*compiled.verdict_select(scope, assessed_at=timezone.now()))
