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


def _pragmas(cursor):
    out = []
    for name in ("cache_size", "threads"):
        cursor.execute(f"PRAGMA {name}")
        out.append(int(cursor.fetchone()[0]))
    return tuple(out)


@pytest.mark.sqlite_only
def test_the_runs_sqlite_page_cache_and_sorter_threads_end_when_the_hits_are_computed(
    family, tmp_path, monkeypatch
):
    """SQLite: the bigger page cache and the sorter threads (SQLITE_SETTINGS) hold while the hits are
    computed; the connection's own values are back before the first batch is handed over (the clue
    store writes between batches with them) and after a failure."""
    from jingzhun.engines.sql import crosscheck as sql_engine
    from jingzhun.verification.crosscheck import county_datasets
    from jingzhun.verification.params import current_params
    from tests.verification.helpers import load

    assert connection.vendor == "sqlite"  # SQLite's connection settings (deselected on PostgreSQL)
    load(
        tmp_path,
        {"财政供养": [{"证件号码": m.id_number, "姓名": m.name, "工作单位": "县一中"} for m in family[1:]]},
    )
    county = county_datasets()
    seen = []
    collect = sql_engine._collect_hits

    def spy(cursor, *args):
        seen.append(_pragmas(cursor))
        return collect(cursor, *args)

    monkeypatch.setattr(sql_engine, "_collect_hits", spy)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size = -2000")
        cursor.execute("PRAGMA threads = 0")
        own = _pragmas(cursor)
        stream = sql_engine.raw_hits(county.code, None, county.datasets, 2024, current_params(), batch=1)
        assert len(next(stream)) == 1
        run = (sql_engine.SQLITE_SETTINGS["cache_size"], sql_engine.SQLITE_SETTINGS["threads"])
        assert seen == [run] and run != own
        assert _pragmas(cursor) == own
        assert sum(len(b) for b in stream) == 2
        assert _pragmas(cursor) == own

        def fail(*args):
            raise RuntimeError("a rule query failed")

        monkeypatch.setattr(sql_engine, "_collect_hits", fail)
        with pytest.raises(RuntimeError):
            next(sql_engine.raw_hits(county.code, None, county.datasets, 2024, current_params()))
        assert _pragmas(cursor) == own
