"""Audit archive (审计归档): the trail before a date as a file that verifies on its own; nothing deleted."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import pytest
from django.db import transaction

from jingzhun import cli
from jingzhun.core import appendonly, audit
from jingzhun.core.archive import ArchiveError, export, verify_archive
from jingzhun.core.models import AuditEntry

pytestmark = pytest.mark.django_db
CUT = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def trail() -> list[AuditEntry]:
    """Eight entries in January to August 2026, the first five before CUT."""
    items = []
    for month in range(1, 9):
        item = audit.entry(
            actor=None,
            action="test.archive",
            object_type="t",
            object_id=month,
            object_label=f"{month}月",
            after={"月": month, "金额": 2.0 * month, "说明": "含\n换行"},
        )
        item.at = datetime(2026, month, 15, 8, 30, tzinfo=UTC)
        items.append(item)
    with transaction.atomic():
        audit.record_many(items)
    return items


def _lines(path) -> list[bytes]:
    with gzip.open(path, "rb") as handle:
        return handle.readlines()


def _write(path, lines: list[bytes]) -> None:
    with gzip.open(path, "wb") as handle:
        handle.writelines(lines)


def test_it_archives_the_chain_before_the_date_and_the_archive_verifies(trail, tmp_path):
    out = tmp_path / "audit.jsonl.gz"
    written = export(out, before=CUT)
    assert written.ok and written.count == 5
    verdict = verify_archive(out)
    assert verdict.ok and verdict.count == 5 and verdict.last_id == trail[4].pk
    assert verdict.last_hash == AuditEntry.objects.get(pk=trail[4].pk).row_hash  # the live chain's link
    assert AuditEntry.objects.count() == 8  # nothing deleted


def test_an_edited_line_is_named(trail, tmp_path):
    out = tmp_path / "a.gz"
    export(out, before=CUT)
    lines = _lines(out)
    entry = json.loads(lines[3])
    entry[7] = "改过的"  # object_label of the third entry
    lines[3] = json.dumps(entry, ensure_ascii=False).encode() + b"\n"
    _write(out, lines)
    verdict = verify_archive(out)
    assert not verdict.ok and verdict.broken_id == trail[2].pk and "内容与哈希不符" in verdict.reason


def test_a_removed_line_or_a_cut_off_end_is_caught(trail, tmp_path):
    out = tmp_path / "a.gz"
    export(out, before=CUT)
    lines = _lines(out)
    _write(out, [*lines[:2], *lines[3:]])  # the second entry removed
    assert verify_archive(out).broken_id == trail[2].pk
    _write(out, lines[:-1])  # no trailer
    assert "缺少归档结尾" in verify_archive(out).reason
    _write(out, [*lines[:-2], lines[-1]])  # the last entry removed, trailer kept
    assert "末尾的记录被删除" in verify_archive(out).reason


def test_a_file_that_is_not_an_archive_is_refused(tmp_path):
    other = tmp_path / "x.gz"
    _write(other, [b'{"kind": "something-else"}\n'])
    with pytest.raises(ArchiveError, match="不是审计归档文件"):
        verify_archive(other)
    broken = tmp_path / "y.gz"
    broken.write_bytes(b"not gzip at all")
    assert not verify_archive(broken).ok


def test_the_commands_exit_0_and_1(trail, tmp_path, capsys):
    out = tmp_path / "a.gz"
    assert cli.main(["audit", "archive", str(out), "--before", "2026-06-01"]) == 0
    assert "已归档 5 条审计记录" in capsys.readouterr().out
    assert cli.main(["audit", "verify", "--archive", str(out)]) == 0
    assert "审计链完整：共 5 条记录" in capsys.readouterr().out
    assert cli.main(["audit", "verify"]) == 0
    assert "共 8 条记录" in capsys.readouterr().out
    assert cli.main(["audit", "archive", str(out), "--before", "2026-06-01"]) == 1  # never overwritten
    assert cli.main(["audit", "archive", str(tmp_path / "b.gz"), "--before", "6/1"]) == 1
    with appendonly.suspended():
        AuditEntry._base_manager.filter(pk=trail[1].pk).update(note="改")
    capsys.readouterr()
    assert cli.main(["audit", "verify"]) == 1
    assert f"第 #{trail[1].pk} 条记录" in capsys.readouterr().err
    refused = tmp_path / "c.gz"
    assert (
        cli.main(["audit", "archive", str(refused), "--before", "2026-06-01"]) == 1
    )  # not from a broken chain
    assert not refused.exists() and not (tmp_path / "c.gz.part").exists()
