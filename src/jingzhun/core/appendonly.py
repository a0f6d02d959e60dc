"""The database itself refuses UPDATE, DELETE (and TRUNCATE) on the audit table (痕迹不可改).

The model and its queryset refuse too, but `_base_manager`, raw SQL or a database shell would not ask
them. The triggers are installed by migration core.0002 and re-installed after every `migrate` (a later
migration that rebuilds the table on SQLite would drop them silently, see `ensure`).

Only the owner of the table can remove them (DROP TRIGGER) — as it could drop the table; what such a
person changes is caught by the hash chain (`jingzhun audit verify`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection

TABLE = "core_auditentry"
MESSAGE = "审计记录只能追加，不能修改或删除（audit entries are append-only）"
MIGRATION = ("core", "0002_audit_chain")

_SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
_SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"]

# restrict_violation (23001): Django raises IntegrityError, as for SQLite's RAISE(ABORT).
_PG_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION USING ERRCODE = 'restrict_violation', MESSAGE = '{MESSAGE}: ' || TG_OP;
        END $$""",
    f"""CREATE OR REPLACE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()""",
    f"""CREATE OR REPLACE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()""",
]
_PG_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
]


def _statements(vendor: str, *, install: bool) -> list[str]:
    if vendor == "postgresql":
        return _PG_INSTALL if install else _PG_REMOVE
    if vendor == "sqlite":
        return _SQLITE_INSTALL if install else _SQLITE_REMOVE
    raise NotImplementedError(f"append-only audit table not implemented for {vendor}")


def install(connection: Any = None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, install=True):
            cursor.execute(sql)


def remove(connection: Any = None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, install=False):
            cursor.execute(sql)


def installed(connection: Any = None) -> bool:
    """Both row triggers are in place."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
                "AND tgname IN (%s, %s) AND tgenabled <> 'D'",
                [TABLE, f"{TABLE}_append_only", f"{TABLE}_no_truncate"],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s AND name IN (%s, %s)",
                [TABLE, f"{TABLE}_no_update", f"{TABLE}_no_delete"],
            )
        return cursor.fetchone()[0] == 2


@contextmanager
def suspended(connection: Any = None) -> Iterator[None]:
    """Without the triggers for the enclosing transaction's duration — for the test suite's flush between
    tests only (a table owner could do the same with DROP TRIGGER; the chain would show it)."""
    connection = connection or default_connection
    remove(connection)
    try:
        yield
    finally:
        install(connection)


def ensure(using: str = "default", **kwargs: Any) -> None:
    """post_migrate: (re)install the triggers once migration core.0002 is applied."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if MIGRATION in MigrationRecorder(connection).applied_migrations() and not installed(connection):
        install(connection)
