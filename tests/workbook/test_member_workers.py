"""The 成员 sheet cleaned in worker processes (`workbook.member_workers`) gives the in-process import's
result exactly: the same parsed rows, the same errors in the same order, the same progress, the same
rows written; a worker that dies fails the import with nothing written and no process left behind."""

from __future__ import annotations

import csv
import multiprocessing
import os
from pathlib import Path

import pytest

from jingzhun.demo.generate import generate_to_path
from jingzhun.registry.models import Household, Member
from jingzhun.workbook import member_workers, validate
from jingzhun.workbook.file_reader import Workbook
from jingzhun.workbook.importer import import_path
from jingzhun.workbook.issues import ImportResult
from jingzhun.workbook.upload_reader import parse_workbook
from tests.workbook.national_files import table, write_csv

pytestmark = pytest.mark.django_db(transaction=True)


def _in_process(monkeypatch) -> None:
    monkeypatch.setattr(member_workers, "MIN_ROWS", 10**9)


def _workers(monkeypatch, count: int = 2, chunk: int = 7) -> None:
    """Worker processes from the first row, in chunks of `chunk` rows (so a small file spans many)."""
    monkeypatch.setattr(member_workers, "MIN_ROWS", 0)
    monkeypatch.setattr(member_workers, "CHUNK", chunk)
    monkeypatch.setattr(member_workers, "VENDORS", ("postgresql", "sqlite"))
    monkeypatch.setenv("JINGZHUN_IMPORT_WORKERS", str(count))


def _county(tmp_path: Path, households: int = 40) -> Path:
    folder = tmp_path / "county"
    generate_to_path(str(folder), households=households, seed=3, year=2018)
    return folder


def _edit_members(folder: Path, edit) -> None:
    path = folder / "成员.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    edit(rows[0], rows[1:])
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)


def _parse(path: Path, actor, progress=None) -> tuple[validate.Parsed, ImportResult]:
    result = ImportResult()
    with Workbook(str(path)) as book:
        parsed = parse_workbook(book, actor=actor, result=result, progress=progress)
    return parsed, result


def _issues(result: ImportResult) -> list[tuple]:
    return [(e.sheet, e.row, e.column, e.value, e.message) for e in result.errors]


def _both(path: Path, actor, monkeypatch, **workers) -> tuple:
    """(parsed, result, progress calls) in-process, then with worker processes."""
    runs = []
    for mode in ("in-process", "workers"):
        if mode == "workers":
            _workers(monkeypatch, **workers)
        else:
            _in_process(monkeypatch)
        calls: list[tuple] = []
        parsed, result = _parse(path, actor, progress=lambda *a, calls=calls: calls.append(a))
        runs.append((parsed, result, calls))
    return runs[0], runs[1]


def _no_children() -> None:
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("count", [1, 2, 3])
def test_workers_parse_a_valid_file_as_in_process(tmp_path, system_actor, monkeypatch, count):
    folder = _county(tmp_path)
    (a, ra, pa), (b, rb, pb) = _both(folder, system_actor, monkeypatch, count=count)
    assert ra.ok and rb.ok, (_issues(ra), _issues(rb))
    assert a.member_rows == b.member_rows > 100
    assert a.members == b.members
    assert list(a.members) == list(b.members)
    assert a.households == b.households
    assert pa == pb
    _no_children()


def test_the_progress_of_a_big_sheet_is_the_same(tmp_path, system_actor, monkeypatch):
    folder = _county(tmp_path, households=1800)  # more than 5,000 members: progress is reported
    (a, ra, pa), (b, rb, pb) = _both(folder, system_actor, monkeypatch, chunk=500)
    assert ra.ok and rb.ok
    assert any(call[2] == "检查成员表" for call in pa)
    assert pa == pb
    assert a.members == b.members


def test_errors_are_the_same_and_in_the_same_order(tmp_path, system_actor, monkeypatch):
    folder = _county(tmp_path)

    def break_rows(header, rows):
        id_at, code_at, gender_at = header.index("证件号码"), header.index("户编号"), header.index("性别")
        rows[9][id_at] = rows[1][id_at]  # a duplicate ID: row 3 is in chunk 0, row 11 in chunk 1 (worker 1)
        rows[16][code_at] = "4308219999999999"  # a member of a household not in the 户 sheet
        rows[20][code_at] = " " + rows[20][code_at] + " "  # trimmed: no error, its cells differ from values
        rows[25][id_at] = "4.30821E+17"  # Excel-mangled
        rows[-1][gender_at] = "女" if rows[-1][gender_at] == "男" else "男"  # the last chunk: gender vs ID
        # a duplicate found late, first seen in another worker's chunk; its cell is shown as written
        rows[-2][id_at] = " " + rows[30][id_at]

    _edit_members(folder, break_rows)
    (a, ra, _), (b, rb, _) = _both(folder, system_actor, monkeypatch)
    assert _issues(ra) == _issues(rb)
    assert ra.total_errors == rb.total_errors
    messages = [issue[4] for issue in _issues(rb)]
    assert "证件号码与成员表第3行重复（一人只能属于一户）" in messages
    assert "户编号 4308219999999999 在户表中不存在" in messages
    assert validate.MANGLED_ID in messages
    last = a.member_rows + 1  # the row number of the last member (the header is row 1)
    assert any(issue[1] == last and issue[2] == "性别" for issue in _issues(rb))
    assert any(
        issue[1] == last - 1 and issue[3].startswith(" ") and "重复" in issue[4] for issue in _issues(rb)
    )
    assert a.members == b.members
    _no_children()


def test_a_workers_import_writes_what_an_in_process_import_writes(tmp_path, system_actor, monkeypatch):
    folder = _county(tmp_path)
    _in_process(monkeypatch)
    parsed, _ = _parse(folder, system_actor)
    _workers(monkeypatch)
    result = import_path(str(folder), actor=system_actor)
    assert result.ok, _issues(result)
    assert result.members_new == parsed.member_rows == Member.objects.count()
    stored = {
        (m.household.code, m.id_number, m.name, m.birth_date)
        for m in Member.objects.select_related("household")
    }
    expected = {
        (code, m[validate.MB["id_number"]], m[validate.MB["name"]], m[validate.MB["birth_date"]])
        for code, members in parsed.members.items()
        for _, m in members
    }
    assert stored == expected
    _no_children()


def test_an_error_found_by_a_worker_writes_nothing(tmp_path, system_actor, monkeypatch):
    folder = _county(tmp_path)

    def late_error(header, rows):
        rows[-1][header.index("性别")] = "未知"

    _edit_members(folder, late_error)
    _workers(monkeypatch)
    result = import_path(str(folder), actor=system_actor)
    assert not result.ok
    assert not Household.objects.exists() and not Member.objects.exists()
    _no_children()


def test_a_worker_that_dies_fails_the_import_and_writes_nothing(tmp_path, system_actor, monkeypatch):
    folder = _county(tmp_path)
    row = validate.MemberRowCleaner.row
    parent = os.getpid()

    def dying(self, cells):
        if os.getpid() != parent and cells[1] == victim:
            os._exit(3)
        return row(self, cells)

    with (folder / "成员.csv").open(encoding="utf-8-sig", newline="") as fh:
        victim = list(csv.reader(fh))[60][1]  # a member's name in a late chunk
    monkeypatch.setattr(validate.MemberRowCleaner, "row", dying)
    _workers(monkeypatch)
    result = import_path(str(folder), actor=system_actor)
    assert [e.message for e in result.errors] == [member_workers.DIED]
    assert not Household.objects.exists() and not Member.objects.exists()
    _no_children()


def test_a_worker_exception_is_raised_with_its_traceback(tmp_path, system_actor, monkeypatch):
    folder = _county(tmp_path)
    parent = os.getpid()
    row = validate.MemberRowCleaner.row

    def failing(self, cells):
        if os.getpid() != parent:
            raise ValueError("broken cleaner")
        return row(self, cells)

    monkeypatch.setattr(validate.MemberRowCleaner, "row", failing)
    _workers(monkeypatch)
    with pytest.raises(RuntimeError, match="broken cleaner"):
        import_path(str(folder), actor=system_actor)
    assert not Household.objects.exists()
    _no_children()


def _data_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in fh) - 1


def test_the_row_limit_stops_both_modes_alike(tmp_path, system_actor, monkeypatch, settings):
    folder = _county(tmp_path)
    before = _data_rows(folder / "户.csv") + _data_rows(folder / "村.csv")
    members = _data_rows(folder / "成员.csv")
    settings.JINGZHUN_UPLOAD_MAX_ROWS = before + members // 2 + 3  # reached inside the 成员 sheet, mid-chunk
    results = []
    for mode in (_in_process, _workers):
        mode(monkeypatch)
        results.append(import_path(str(folder), actor=system_actor))
    assert _issues(results[0]) == _issues(results[1])
    assert results[1].errors[-1].message.startswith("文件的数据行超过上限")
    assert not Household.objects.exists()
    _no_children()


def test_an_exception_in_the_importer_while_workers_run_ends_them(tmp_path, system_actor, monkeypatch):
    """A failure on the importer's side (here its progress callback) mid-sheet: raised as it is, nothing
    written, every worker ended."""
    folder = _county(tmp_path, households=1800)

    def progress(done, total, message):
        if message == "检查成员表":
            raise KeyboardInterrupt

    _workers(monkeypatch, chunk=500)
    with pytest.raises(KeyboardInterrupt):
        import_path(str(folder), actor=system_actor, progress=progress)
    assert not Household.objects.exists() and not Member.objects.exists()
    _no_children()


# -- the national person list: its member rows cleaned by the workers, its households read here --------


def _national(path: Path, actor, mode, monkeypatch) -> tuple[validate.Parsed, ImportResult]:
    mode(monkeypatch)
    return _parse(path, actor)


@pytest.mark.parametrize("layout", ["2016", "2021"])
@pytest.mark.parametrize("broken", [False, True])
def test_a_national_list_parses_the_same_with_workers(tmp_path, system_actor, monkeypatch, layout, broken):
    headers, rows = table(layout)
    id_header = "证件号码" if "证件号码" in headers else "身份证"
    if broken:
        rows.append(list(rows[1]))  # the same person again, in another worker's chunk: duplicate + 人数
        rows[-1][headers.index(id_header)] = " " + str(rows[1][headers.index(id_header)])
        rows[2][headers.index(id_header)] = "4.30821E+17"  # Excel-mangled
        rows.insert(1, list(rows[0]))
        rows[1][headers.index("户编号")] = ""  # a row without 户编号
    path = Path(write_csv(tmp_path / "list.csv", headers, rows))
    a, ra = _national(path, system_actor, lambda m: _in_process(m), monkeypatch)
    b, rb = _national(path, system_actor, lambda m: _workers(m, chunk=1), monkeypatch)
    assert _issues(ra) == _issues(rb)
    assert ra.ok is (not broken)
    assert a.members == b.members and a.households == b.households and a.member_rows == b.member_rows
    _no_children()


def test_a_national_list_imports_the_same_with_workers(tmp_path, system_actor, monkeypatch):
    headers, rows = table("2021")
    path = write_csv(tmp_path / "list.csv", headers, rows)
    _workers(monkeypatch, chunk=1)
    result = import_path(path, actor=system_actor)
    assert result.ok, _issues(result)
    assert Member.objects.count() == len(rows) and Household.objects.count() == 2
    _no_children()
