"""The tamper-evident audit trail (痕迹防篡改): the database refuses UPDATE and DELETE on it, and every
entry carries the hash of the one before, so `audit verify` names the first entry changed behind its back."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from jingzhun.core import appendonly, audit, chain
from jingzhun.core.models import AuditEntry
from jingzhun.core.verify import verify_database


def _record(n: int, **extra) -> AuditEntry:
    return audit.record(
        actor=None,
        action="test.chain",
        object_type="thing",
        object_id=n,
        object_label=f"第{n}项",
        before={"n": n - 1, "amount": 1.0, "说明": "旧"} if n else None,
        after={"n": n, "amount": 1e20, "list": [1, 2.5], "keys": {1: "a", 10: "b", 2: "c"}},
        **extra,
    )


def _refused(sql_or_fn) -> None:
    with pytest.raises(IntegrityError, match="只能追加"), transaction.atomic():
        if callable(sql_or_fn):
            sql_or_fn()
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql_or_fn)


@pytest.fixture
def entries(db) -> list[AuditEntry]:
    with transaction.atomic():
        return [_record(n) for n in range(5)]


@pytest.fixture
def tamper():
    """Lift the triggers for one forged change (as the table's owner could), inside the test's transaction."""

    def run(sql: str, params=()) -> None:
        with appendonly.suspended(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


def test_it_links_each_entry_to_the_one_before(entries):
    stored = list(AuditEntry.objects.order_by("id"))
    assert stored[0].prev_hash == chain.GENESIS
    for before, after in zip(stored, stored[1:], strict=False):
        assert after.prev_hash == before.row_hash
    for item in stored:  # the hash is over the values as the database gives them back
        assert item.row_hash == chain.link(item.prev_hash, audit.hashed_values(item))
    verdict = verify_database()
    assert verdict.ok and verdict.count == 5 and verdict.last_id == stored[-1].pk
    assert "共 5 条记录" in verdict.message


def test_the_database_refuses_update_and_delete_whatever_the_path(entries):
    first = entries[0]
    _refused(lambda: AuditEntry._base_manager.filter(pk=first.pk).update(note="篡改"))
    _refused(lambda: AuditEntry._base_manager.filter(pk=first.pk).delete())
    _refused(f"UPDATE core_auditentry SET note = 'x' WHERE id = {first.pk}")
    _refused("DELETE FROM core_auditentry")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the foreign-key checks of the inserts above, due at commit,
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # would stop TRUNCATE before the trigger does
        _refused("TRUNCATE core_auditentry")
    assert AuditEntry.objects.count() == 5
    assert AuditEntry.objects.get(pk=first.pk).note == ""
    assert appendonly.installed()
    assert verify_database().ok


def test_verify_names_an_entry_changed_behind_the_triggers(entries, tamper):
    tamper("UPDATE core_auditentry SET object_label = %s WHERE id = %s", ["改过的", entries[2].pk])
    verdict = verify_database()
    assert not verdict.ok
    assert verdict.broken_id == entries[2].pk and verdict.count == 2
    assert "内容与哈希不符" in verdict.message


def test_verify_names_the_entry_after_one_deleted(entries, tamper):
    tamper("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    verdict = verify_database()
    assert not verdict.ok and verdict.broken_id == entries[2].pk
    assert "前一条哈希不符" in verdict.reason


def test_verify_refuses_an_entry_written_around_the_chain(entries):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditentry (at, actor_name, action, object_type, object_id, object_label,"
            " note, prev_hash, row_hash) VALUES (%s, '系统', 'forged', 'x', '1', '', '', '', '')",
            [entries[0].at],
        )
    verdict = verify_database()
    assert not verdict.ok and "没有哈希" in verdict.reason and verdict.count == 5


def test_verify_catches_a_recomputed_chain_by_an_earlier_anchor(entries, tamper):
    """Someone who rewrites an entry and recomputes every hash after it is caught by the head an earlier
    verification recorded (the nightly job passes it on)."""
    anchor = {entries[3].pk: entries[3].row_hash}
    tamper("UPDATE core_auditentry SET note = 'x' WHERE id = %s", [entries[1].pk])
    with appendonly.suspended():
        prev = chain.GENESIS
        for item in AuditEntry.objects.order_by("id"):
            digest = chain.link(prev, audit.hashed_values(item))
            AuditEntry._base_manager.filter(pk=item.pk).update(prev_hash=prev, row_hash=digest)
            prev = digest
    assert verify_database().ok  # the chain alone cannot tell
    verdict = verify_database(anchors=anchor)
    assert not verdict.ok and verdict.broken_id == entries[3].pk and "整体重算" in verdict.reason


def test_verify_catches_entries_cut_off_the_end_by_an_anchor(entries, tamper):
    anchor = {entries[4].pk: entries[4].row_hash}
    tamper("DELETE FROM core_auditentry WHERE id = %s", [entries[4].pk])
    verdict = verify_database(anchors=anchor)
    assert not verdict.ok and verdict.broken_id == entries[4].pk and "已不存在" in verdict.reason


@pytest.mark.django_db
def test_record_many_chains_in_order_after_the_tail():
    with transaction.atomic():
        _record(0)
        audit.record_many(
            [audit.entry(actor=None, action="bulk", object_type="t", object_id=n) for n in range(3)]
        )
        _record(1)
    assert verify_database().ok and verify_database().count == 5


@pytest.mark.django_db(transaction=True)
def test_record_many_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the write's transaction"):
        audit.record_many([audit.entry(actor=None, action="bulk", object_type="t", object_id=1)])
    assert not AuditEntry.objects.exists()


WRITER = """
import sys, time
from pathlib import Path
import django
django.setup()
from django.db import transaction
from jingzhun.core import audit

k, go = sys.argv[1], Path(sys.argv[2])
while not go.exists():
    time.sleep(0.01)
for n in range(15):
    with transaction.atomic():
        audit.record(actor=None, action="test.concurrent", object_type="t", object_id=f"{k}-{n}-a")
        time.sleep(0.02)  # the other writer tries to append meanwhile
        audit.record(actor=None, action="test.concurrent", object_type="t", object_id=f"{k}-{n}-b")
"""


def test_two_writers_at_once_do_not_fork_the_chain(scratch, tmp_path):
    """Two processes append at the same moments: each transaction reads the tail, waits, appends again.
    Without the chain lock both would link to the same entry (PostgreSQL: READ COMMITTED)."""
    import subprocess
    import sys

    base = scratch.query("SELECT count(*) FROM core_auditentry")[0][0]
    script, go = tmp_path / "writer.py", tmp_path / "go"
    script.write_text(WRITER)
    procs = [
        subprocess.Popen([sys.executable, str(script), k, str(go)], env=scratch.env, stderr=subprocess.PIPE)
        for k in ("甲", "乙")
    ]
    go.touch()
    for proc in procs:
        assert proc.wait(120) == 0, proc.stderr.read() if proc.stderr else ""
    done = scratch.run("audit", "verify", check=False)
    assert done.returncode == 0, done.stderr
    assert f"共 {base + 60} 条记录" in done.stdout
    by_writer = scratch.query(
        "SELECT object_id FROM core_auditentry WHERE action = 'test.concurrent' ORDER BY id"
    )
    firsts = [oid for (oid,) in by_writer]
    assert any(a[0] != b[0] for a, b in zip(firsts, firsts[1:], strict=False))  # they did interleave


@pytest.mark.django_db
def test_entries_added_through_the_orm_directly_are_chained_too():
    with transaction.atomic():
        _record(0)
        AuditEntry.objects.create(action="direct", object_type="t", object_id="1")
        AuditEntry.objects.bulk_create(
            [AuditEntry(action="direct", object_type="t", object_id=str(n)) for n in (2, 3)]
        )
    verdict = verify_database()
    assert verdict.ok and verdict.count == 4
