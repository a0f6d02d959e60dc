"""Every rule of the spec on the golden files, and all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook as OpenpyxlBook

from jingzhun.accounts.access import actor_for
from jingzhun.core.models import AuditEntry
from jingzhun.registry.models import Household, IncomeRecord, Member
from jingzhun.workbook.importer import import_path
from jingzhun.workbook.validate import MANGLED_ID
from tests.workbook.conftest import messages


def _only(result, sheet: str, column: str):
    found = [e for e in result.errors if e.sheet == sheet and e.column == column]
    assert found, result.errors
    return found[0]


@pytest.mark.django_db
def test_it_rejects_an_excel_mangled_id(golden, system_actor):
    result = import_path(golden("mangled_id"), actor=system_actor)
    error = _only(result, "成员", "证件号码")
    assert (error.row, error.value, error.message) == (3, "4.30821E+17", MANGLED_ID)
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_it_rejects_an_id_typed_as_a_number_cell(tmp_path, golden, system_actor):
    from python_calamine import CalamineWorkbook

    source = CalamineWorkbook.from_path(golden("libreoffice.xlsx"))
    book = OpenpyxlBook()
    book.remove(book.active)
    for name in source.sheet_names:
        sheet = book.create_sheet(name)
        for row in source.get_sheet_by_name(name).to_python():
            sheet.append(row)
    book["成员"]["C2"] = 430821196804121316.0  # what Excel keeps of an ID typed into a General cell
    path = tmp_path / "number.xlsx"
    book.save(path)
    result = import_path(str(path), actor=system_actor)
    assert _only(result, "成员", "证件号码").message == MANGLED_ID


@pytest.mark.django_db
def test_it_rejects_duplicate_ids_across_households(golden, system_actor):
    result = import_path(golden("duplicate_ids"), actor=system_actor)
    error = _only(result, "成员", "证件号码")
    assert error.row == 5
    assert "与成员表第3行重复" in error.message


@pytest.mark.django_db
def test_it_rejects_gender_contradicting_the_id(golden, system_actor):
    result = import_path(golden("gender_mismatch"), actor=system_actor)
    error = _only(result, "成员", "性别")
    assert (error.row, error.value) == (3, "男")
    assert "与证件号码不符" in error.message


@pytest.mark.django_db
def test_it_rejects_a_household_without_head(golden, system_actor):
    result = import_path(golden("no_head"), actor=system_actor)
    assert any(e.sheet == "户" and e.row == 3 and "没有户主" in e.message for e in result.errors)


@pytest.mark.django_db
def test_it_rejects_an_unknown_village(golden, system_actor):
    result = import_path(golden("unknown_village"), actor=system_actor)
    error = _only(result, "户", "行政区划代码")
    assert (error.row, error.value) == (3, "430821999299")
    assert "不是已登记的村级区划" in error.message


@pytest.mark.django_db
def test_it_rejects_rows_outside_the_importers_scope(golden, township_cadre):
    # The township cadre of 溪口镇 imports a file whose second household lives in 零阳街道.
    result = import_path(golden("valid_utf8"), actor=actor_for(township_cadre))
    assert [(e.sheet, e.row, e.column) for e in result.errors] == [
        ("户", 3, "行政区划代码"),
        ("村", 2, "行政区划代码"),
    ] or any("不在您的管辖范围内" in m for m in messages(result))
    assert all(e.row != 2 or e.sheet != "户" for e in result.errors)  # its own village's row is fine
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_it_rejects_a_head_name_that_differs_from_the_member_row(golden, system_actor):
    folder = Path(golden("valid_utf8"))
    path = folder / "户.csv"
    path.write_text(
        path.read_text(encoding="utf-8-sig").replace(
            "G0001,430821102204,3组,向国强", "G0001,430821102204,3组,向国"
        ),
        encoding="utf-8-sig",
    )
    result = import_path(str(folder), actor=system_actor)
    assert "户主姓名“向国”与户主成员的姓名“向国强”不一致" in messages(result)


@pytest.mark.django_db
def test_it_rejects_members_of_a_household_not_in_the_file(golden, system_actor):
    folder = Path(golden("valid_utf8"))
    path = folder / "成员.csv"
    path.write_text(
        path.read_text(encoding="utf-8-sig").replace("G0002,田桂英", "G0009,田桂英"), encoding="utf-8-sig"
    )
    result = import_path(str(folder), actor=system_actor)
    assert "户编号 G0009 在户表中不存在" in messages(result)


@pytest.mark.django_db(transaction=True)
def test_one_bad_row_writes_nothing(golden, system_actor, household):
    before = (
        Household.objects.count(),
        Member.objects.count(),
        IncomeRecord.objects.count(),
        AuditEntry.objects.count(),
    )
    result = import_path(golden("gender_mismatch"), actor=system_actor)
    assert result.total_errors == 1 and not result.written
    after = (
        Household.objects.count(),
        Member.objects.count(),
        IncomeRecord.objects.count(),
        AuditEntry.objects.count(),
    )
    assert after == before


@pytest.mark.django_db(transaction=True)
def test_a_failure_while_writing_rolls_everything_back(golden, system_actor, monkeypatch):
    from jingzhun.workbook import db_writer

    def explode(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(db_writer.Writer, "update_villages", explode)
    with pytest.raises(RuntimeError):
        import_path(golden("valid_utf8"), actor=system_actor)
    assert not Household.objects.exists() and not Member.objects.exists()
    from jingzhun.workbook.models import ImportLock

    assert not ImportLock.objects.exists()  # the lock is released too


@pytest.mark.django_db(transaction=True)
def test_a_conflict_raised_by_the_database_becomes_an_error(golden, system_actor, monkeypatch):
    from django.db import IntegrityError

    from jingzhun.workbook import db_writer

    def conflict(self):
        raise IntegrityError("UNIQUE constraint failed: member_one_active_household")

    monkeypatch.setattr(db_writer.Writer, "update_existing", conflict)
    result = import_path(golden("valid_utf8"), actor=system_actor)
    assert not result.written
    assert "未写入任何数据" in result.errors[0].message
    assert not Household.objects.exists()
