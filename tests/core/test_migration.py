"""Migration core.0002 (hash chain + triggers) is reversible, links the entries written before it, and the
triggers come back after any `migrate` that lost them (a table rebuilt on SQLite drops its triggers)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from jingzhun.core import appendonly, audit
from jingzhun.core.verify import verify_database

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target: str) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("core", target)])


def _columns() -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, "core_auditentry")}


def test_backwards_drops_triggers_and_columns_and_forwards_links_what_was_there():
    with transaction.atomic():
        for n in range(3):
            audit.record(actor=None, action="test.migrate", object_type="t", object_id=n, after={"n": n / 2})
    try:
        _migrate("0001_initial")
        assert not appendonly.installed()
        assert not {"prev_hash", "row_hash"} & _columns()
        with connection.cursor() as cursor:  # without the triggers the table takes changes again
            cursor.execute("UPDATE core_auditentry SET note = 'before the chain'")
    finally:
        _migrate("0002_audit_chain")
    assert appendonly.installed()
    verdict = verify_database()
    assert verdict.ok and verdict.count == 3  # the entries written before the chain were linked


def test_migrate_reinstalls_triggers_a_table_rebuild_lost():
    appendonly.remove()
    assert not appendonly.installed()
    call_command("migrate", verbosity=0, interactive=False)
    assert appendonly.installed()
