"""Backup and restore (备份与恢复) through the command line, on the database the suite runs on: a restored
database has the digest the original had when it was backed up."""

from __future__ import annotations

from tests.core.scratch import POSTGRES


def _change(db) -> None:
    """A write through a service (so the audit chain grows too): a new user with a role."""
    db.run("user", "create", "later", "--role", "village_cadre", "--region", "430821102204")


def test_backup_change_restore_gives_back_the_digest_of_the_backup(scratch, tmp_path):
    before = scratch.digest()
    out = tmp_path / ("backup.dump" if POSTGRES else "backup.sqlite3")
    done = scratch.run("backup", str(out))
    assert "已备份" in done.stdout and out.stat().st_size > 0
    _change(scratch)
    assert scratch.digest() != before  # the change shows in the digest
    refused = scratch.run("restore", str(out), check=False)
    assert refused.returncode == 1 and "--force" in refused.stderr  # not over a non-empty database
    assert scratch.digest() != before
    scratch.run("restore", str(out), "--force")
    assert scratch.digest() == before
    assert scratch.run("audit", "verify").returncode == 0  # the chain came back whole


def test_restore_into_an_empty_database_needs_no_force(scratch, scratch_template, tmp_path):
    out = tmp_path / "b.bak"
    scratch.run("backup", str(out))
    fresh = scratch_template.empty(tmp_path / "fresh")
    try:
        fresh.run("restore", str(out))
        assert fresh.digest() == scratch.digest()
        assert "审计链完整" in fresh.run("audit", "verify").stdout
    finally:
        fresh.close()


def test_the_restored_audit_table_still_refuses_changes(scratch, tmp_path):
    out = tmp_path / "b.bak"
    scratch.run("backup", str(out))
    scratch.run("restore", str(out), "--force")
    changed = scratch.python(
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute(\"UPDATE core_auditentry SET note = 'x'\")\n",
        check=False,
    )
    assert changed.returncode != 0 and "只能追加" in changed.stderr


def test_backup_never_overwrites_and_restore_refuses_a_foreign_file(scratch, tmp_path):
    out = tmp_path / "b.bak"
    out.write_text("旧备份")
    done = scratch.run("backup", str(out), check=False)
    assert done.returncode == 1 and "已存在" in done.stderr
    assert out.read_text() == "旧备份"
    done = scratch.run("restore", str(out), "--force", check=False)
    assert done.returncode == 1 and "不是" in done.stderr
    missing = scratch.run("restore", str(tmp_path / "none.bak"), check=False)
    assert missing.returncode == 1 and "找不到" in missing.stderr


def test_digest_names_every_table_with_its_rows(scratch):
    digest = scratch.digest()
    regions = scratch.query("SELECT count(*) FROM regions_region")[0][0]
    assert digest["regions_region"].startswith(f"{regions} ")
    assert "core_auditentry" in digest and "digest" in digest


def test_a_restore_that_fails_half_way_changes_nothing(scratch, tmp_path):
    """A backup cut off in the middle: the restore fails with a message and the database keeps its content
    (PostgreSQL: the schema is emptied and refilled in one transaction, committed only after the whole
    backup was read; SQLite: the file is checked before it is copied)."""
    out = tmp_path / ("b.dump" if POSTGRES else "b.sqlite3")
    scratch.run("backup", str(out))
    data = out.read_bytes()
    cut = tmp_path / ("cut.dump" if POSTGRES else "cut.sqlite3")
    cut.write_bytes(data[: len(data) * 2 // 3])
    _change(scratch)
    before = scratch.digest()
    failed = scratch.run("restore", str(cut), "--force", check=False)
    assert failed.returncode == 1 and "错误" in failed.stderr
    assert scratch.digest() == before
    assert scratch.run("audit", "verify").returncode == 0
