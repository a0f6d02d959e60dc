"""A national person list written while it is read (`importer._NationalStream`): the import lock is taken
before the first row; on PostgreSQL each new household goes to the write thread (household, members,
income, event) once it is complete, in one transaction that commits only when the whole list and the
registry checks passed.
These tests run on both databases: on SQLite the same imports take the one-transaction path after the
reading, and must give the same registry."""

from __future__ import annotations

import pytest
from django.db import connection

from jingzhun.regions.models import Region
from jingzhun.registry.models import Household, HouseholdEvent, IncomeRecord, Member
from jingzhun.workbook import db_write_thread, importer, national
from jingzhun.workbook.lock import locked
from jingzhun.workbook.models import ImportLock
from tests.workbook.conftest import messages
from tests.workbook.national_files import set_cell, table, write_csv

pytestmark = pytest.mark.django_db(transaction=True)

A, B = "4308211062100007", "4308211030010011"  # 象市镇 白马村 (3 people), 东岳观镇 东市社区 (1)


@pytest.fixture
def events(monkeypatch):
    """What happened, in order: ("row", n) as the parser reads row n, ("copy", 户编号) as a household is
    queued for the write thread. Households classified and written one by one (the files are small), so
    the write thread gets rows before the last row is read."""
    monkeypatch.setattr(db_write_thread, "BATCH", 2)
    monkeypatch.setattr(importer._NationalStream, "CLASSIFY_BATCH", 1)
    monkeypatch.setattr(importer._NationalStream, "FLUSH_BATCH", 1)
    seen: list[tuple[str, object]] = []
    member = national.NationalParser._member

    def recording_member(self, code, number, cells, state):
        seen.append(("row", number))
        return member(self, code, number, cells, state)

    write = importer._NationalStream._write

    def recording_write(self, code):
        if code not in self.written and self.result.ok:
            seen.append(("copy", code))
        return write(self, code)

    monkeypatch.setattr(national.NationalParser, "_member", recording_member)
    monkeypatch.setattr(importer._NationalStream, "_write", recording_write)
    return seen


def _interleaved(tmp_path, name="l.csv", edit=None) -> str:
    """The 2021 golden rows with household A's rows apart: A 户主, B 户主, A 配偶, A 之女 (the spec does not
    say a household's rows are next to each other)."""
    headers, rows = table("2021")
    rows = [rows[0], rows[3], rows[1], rows[2]]
    if edit is not None:
        edit(headers, rows)
    return write_csv(tmp_path / name, headers, rows)


def _counts() -> tuple[int, ...]:
    return (
        Household.objects.count(),
        Member.objects.count(),
        IncomeRecord.objects.count(),
        HouseholdEvent.objects.count(),
    )


def test_the_lock_covers_the_scope_before_the_first_row(tmp_path, system_actor, monkeypatch):
    held_at_first_row: list[set[str]] = []
    run = national.NationalParser.run

    def recording_run(self):
        held_at_first_row.append(set(ImportLock.objects.values_list("key", flat=True)))
        return run(self)

    monkeypatch.setattr(national.NationalParser, "run", recording_run)
    result = importer.import_path(_interleaved(tmp_path), actor=system_actor)
    assert result.written, result.errors
    scope = {
        code[:9]
        for code in Region.objects.filter(level="village", code__startswith="430821").values_list(
            "code", flat=True
        )
    }
    assert held_at_first_row == [scope] and len(scope) > 2  # more than the two townships the file names
    assert not ImportLock.objects.exists()


def test_another_import_in_the_scope_keeps_the_list_from_being_read(tmp_path, system_actor, events):
    """Its townships are known only after the last row: any township of the importer's scope held by another
    import stops it before its first row (even one the list does not name), and nothing is written."""
    other = next(
        code[:9]
        for code in Region.objects.filter(level="village", code__startswith="430821").values_list(
            "code", flat=True
        )
        if code[:9] not in (A[:9], B[:9])
    )
    with locked([other], holder="另一位管理员", source="乡镇登记簿.xlsx"):
        result = importer.import_path(_interleaved(tmp_path), actor=system_actor, lock_wait_seconds=0)
    assert not result.written
    assert "另一个导入正在进行：另一位管理员" in messages(result)[0], messages(result)
    assert events == [] and _counts() == (0, 0, 0, 0)


def test_members_of_new_households_reach_the_copy_while_the_list_is_read(tmp_path, system_actor, events):
    result = importer.import_path(_interleaved(tmp_path), actor=system_actor)
    assert result.written, result.errors
    rows = [i for i, (kind, _) in enumerate(events) if kind == "row"]
    copied = [i for i, (kind, _) in enumerate(events) if kind == "copy"]
    if connection.vendor == "postgresql":
        assert copied and copied[0] < rows[-1], events  # B, complete at its row: before the last row
        assert [events[i][1] for i in copied] == [B, A]  # each once, as each is complete
    else:
        assert copied == []  # SQLite: one writer at a time, the writes follow the reading
    assert _counts() == (2, 4, 2, 2)
    a, b = Household.objects.get(code=A), Household.objects.get(code=B)
    assert (a.member_count, a.head_name, b.member_count, b.head_name) == (3, "覃正华", 1, "彭德贵")
    assert sorted(a.members.values_list("name", flat=True)) == ["王春梅", "覃思雨", "覃正华"]
    assert list(b.members.values_list("name", flat=True)) == ["彭德贵"]


@pytest.mark.parametrize("batch", [1, 2, 2000])
def test_rows_apart_make_one_household_whatever_the_batches(
    tmp_path, system_actor, events, monkeypatch, batch
):
    monkeypatch.setattr(importer._NationalStream, "CLASSIFY_BATCH", batch)
    monkeypatch.setattr(importer._NationalStream, "FLUSH_BATCH", batch)
    result = importer.import_path(_interleaved(tmp_path), actor=system_actor)
    assert result.written, result.errors
    assert _counts() == (2, 4, 2, 2)
    assert Household.objects.get(code=A).members.count() == 3
    assert Member.objects.get(name="覃思雨").household.code == A


def test_an_error_in_the_last_row_after_rows_were_streamed_writes_nothing(tmp_path, system_actor, events):
    def last_row_disagrees(headers, rows):
        set_cell(headers, rows[3], "户联系电话", "13907446999")  # A's phone differs on its last row

    result = importer.import_path(_interleaved(tmp_path, edit=last_row_disagrees), actor=system_actor)
    assert not result.written and result.total_errors == 1, result.errors
    assert "各行不一致" in messages(result)[0]
    if connection.vendor == "postgresql":
        assert any(kind == "copy" for kind, _ in events)  # rows had gone to the COPY: rolled back
    assert _counts() == (0, 0, 0, 0)
    assert not ImportLock.objects.exists()


def test_an_error_found_once_every_row_is_read_writes_nothing(tmp_path, system_actor, events):
    def wrong_size(headers, rows):
        for row in (rows[0], rows[2], rows[3]):
            set_cell(headers, row, "人数", 4)  # A has 3 rows: known only at the end

    result = importer.import_path(_interleaved(tmp_path, edit=wrong_size), actor=system_actor)
    assert not result.written and "人数为 4" in messages(result)[0], messages(result)
    assert _counts() == (0, 0, 0, 0)
    assert not ImportLock.objects.exists()


def test_a_reimport_streams_only_the_new_households(tmp_path, system_actor, events):
    headers, rows = table("2021")
    assert importer.import_path(write_csv(tmp_path / "a.csv", headers, rows[:3]), actor=system_actor).written
    a = Household.objects.get(code=A)
    events.clear()

    def spouse_studied(headers, rows):
        set_cell(headers, rows[2], "文化程度", "高中(含中专)")  # A's 配偶

    result = importer.import_path(_interleaved(tmp_path, "b.csv", spouse_studied), actor=system_actor)
    assert result.written, result.errors
    assert (result.households_new, result.members_updated) == (1, 1)
    assert result.households_updated + result.households_unchanged == 1  # A, compared with the registry
    copied = [code for kind, code in events if kind == "copy"]
    assert copied == ([B] if connection.vendor == "postgresql" else [])  # A is compared, not streamed
    assert Member.objects.get(name="王春梅").education == "高中(含中专)"
    assert Member.objects.filter(household=a).count() == 3 and _counts() == (2, 4, 2, 2)


def test_a_dry_run_streams_nothing_and_writes_nothing(tmp_path, system_actor, events):
    result = importer.import_path(_interleaved(tmp_path), actor=system_actor, dry_run=True)
    assert result.ok and not result.written
    assert not any(kind == "copy" for kind, _ in events) and _counts() == (0, 0, 0, 0)


def test_a_household_without_a_size_is_written_after_the_last_row(tmp_path, system_actor, events):
    """Without 人数 a household is never known complete while the list is read: it is written at the end."""
    headers, rows = table("2021")
    rows = [rows[0], rows[3], rows[1], rows[2]]
    i = headers.index("人数")
    headers = headers[:i] + headers[i + 1 :]
    rows = [row[:i] + row[i + 1 :] for row in rows]
    result = importer.import_path(write_csv(tmp_path / "nosize.csv", headers, rows), actor=system_actor)
    assert result.written, result.errors
    assert _counts() == (2, 4, 2, 2)
    assert Household.objects.get(code=A).member_count == 3
    if connection.vendor == "postgresql":
        last_row = max(i for i, (kind, _) in enumerate(events) if kind == "row")
        assert [e for e in events[last_row + 1 :]] == [("copy", A), ("copy", B)]  # first-row order
