"""The tamper-evident audit trail (痕迹防篡改): the database refuses UPDATE and DELETE on it, and every
entry carries the hash of the one before, so `audit verify` names the first entry changed behind its back."""

from __future__ import annotations

import enum

import pytest
from django.db import IntegrityError, connection, transaction

from jingzhun.core import appendonly, audit, chain
from jingzhun.core.models import AuditEntry
from jingzhun.core.verify import verify_database
from jingzhun.workbook.json_text import PreEncoded


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


# --- bulk writers that encode their JSON once (chain_rows with `encoded`, the registry import) ----------
_BULK_COLUMNS = (
    "at",
    "actor",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "household_id",
    "before",
    "after",
    "job_id",
    "note",
    "prev_hash",
    "row_hash",
)
_AWKWARD = '引"号\\反斜\t制表\n换行 é 𠀀'


def _bulk_rows() -> list[tuple]:
    from django.utils import timezone

    now = timezone.now()
    plain_after = {
        "code": "G0001",
        "member_count": 3,
        "poor": True,
        "exit_year": None,
        "说明": _AWKWARD,
        "income": {"year": 2018, "wage": "15000.00", "nested": [1, "二", None, False, {"键": "值"}]},
    }
    return [
        (
            now,
            None,
            "系统",
            "import.create",
            "household",
            "1",
            "张三户",
            None,
            None,
            plain_after,
            None,
            "导入",
        ),
        (now, None, "系统", "import.update", "member", "2", _AWKWARD, None, {"a": []}, {"a": (1, 2)}, 7, ""),
        # not plain: floats (whole ones come back from the database as ints), int keys, an enum member
        (
            now,
            None,
            "系统",
            "import.update",
            "region",
            "3",
            "村",
            None,
            {"x": 1.0},
            {1: 1e20, "y": 2.5},
            None,
            "",
        ),
        (
            now,
            None,
            "系统",
            "import.update",
            "region",
            "4",
            "村",
            None,
            {},
            {"s": audit_enum()},
            None,
            "导入",
        ),
    ]


class _Status(enum.StrEnum):  # a str subclass, as Django's TextChoices members are
    ACTIVE = "active"


def audit_enum():
    return _Status.ACTIVE


def _bulk_write(rows: list[tuple]) -> list[tuple]:
    from jingzhun.workbook.db_bulk import Table

    chained = list(chain.chain_rows(rows, range(len(chain.FIELDS)), encoded=PreEncoded))
    Table(AuditEntry, _BULK_COLUMNS).insert(chained)
    return chained


@pytest.mark.django_db
def test_a_bulk_chain_with_json_encoded_once_verifies_and_hashes_as_the_slow_path():
    """The canonical text built from the once-encoded JSON is the one `link` computes, on the values given
    and on the values the database gives back; the stored values read back as given."""
    rows = _bulk_rows()
    with transaction.atomic():
        _record(0)
        chained = _bulk_write(rows)
        _record(1)
    prev = chained[0][-2]
    for row in chained:  # the same hashes as the generic (slow) path over the original values
        assert row[-2] == prev and row[-1] == chain.link(prev, row[: len(chain.FIELDS)])
        prev = row[-1]
    slow_hashes, prev = [], chained[0][-2]
    for row in rows:
        slow_hashes.append(prev := chain.link(prev, row))
    assert [r[-1] for r in chained] == slow_hashes
    assert all(type(r[9]) is PreEncoded for r in chained[:2])  # plain: stored as the canonical text
    assert chained[2][9] is rows[2][9]  # not plain: stored as given
    verdict = verify_database()
    assert verdict.ok and verdict.count == 2 + len(rows)
    stored = {e.object_id: e for e in AuditEntry.objects.filter(action__startswith="import.")}
    assert stored["1"].after == rows[0][9] and stored["1"].before is None
    if connection.vendor == "sqlite":  # the text keeps the writer's key order (the history page's order)
        assert list(stored["1"].after) == list(rows[0][9])
    assert stored["2"].after == {"a": [1, 2]} and stored["2"].before == {"a": []}
    assert stored["3"].after == {"1": 1e20, "y": 2.5} and stored["3"].before == {"x": 1.0}
    assert stored["4"].after == {"s": "active"}
    for item in stored.values():
        assert item.row_hash == chain.link(item.prev_hash, audit.hashed_values(item))


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["after", "before", "object_label"])
def test_a_tampered_bulk_row_is_detected(column, tamper):
    with transaction.atomic():
        _record(0)
        _bulk_write(_bulk_rows())
        _record(1)
    target = AuditEntry.objects.get(action="import.create", object_id="1")
    if column == "after":
        value = '{"code": "G0001", "member_count": 4}'
        cast = "::jsonb" if connection.vendor == "postgresql" else ""
        tamper(f"UPDATE core_auditentry SET after = %s{cast} WHERE id = %s", [value, target.pk])
    elif column == "before":
        target = AuditEntry.objects.get(action="import.update", object_id="2")
        cast = "::jsonb" if connection.vendor == "postgresql" else ""
        tamper(f"UPDATE core_auditentry SET before = %s{cast} WHERE id = %s", ['{"a": [0]}', target.pk])
    else:
        tamper("UPDATE core_auditentry SET object_label = %s WHERE id = %s", ["改过的", target.pk])
    verdict = verify_database()
    assert not verdict.ok and verdict.broken_id == target.pk
    assert "内容与哈希不符" in verdict.reason
