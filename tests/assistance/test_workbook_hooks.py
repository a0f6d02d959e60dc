"""The registry workbook carries the sheets 帮扶责任人 and 帮扶措施: export writes them, import reads them
in the same all-or-nothing run."""

from __future__ import annotations

from datetime import date

import openpyxl
from python_calamine import CalamineWorkbook

from jingzhun.assistance import models as m
from jingzhun.assistance import sheets
from jingzhun.assistance.services import helper_assign, measure_add
from jingzhun.workbook.exporter import export_registry
from jingzhun.workbook.importer import import_path


def _export(tmp_path, actor):
    out = tmp_path / "book.xlsx"
    export_registry(str(out), actor_or_none=actor)
    return out


def test_export_writes_both_sheets_and_reimport_changes_nothing(
    tmp_path, admin_actor, household, helper_user
):
    helper_assign(actor=admin_actor, household=household, helper=helper_user, started_on=date(2018, 1, 1))
    measure_add(
        actor=admin_actor,
        household=household,
        data={"category": "产业", "content": "养牛", "funds": "3000", "started_on": "2018-03-01"},
    )
    out = _export(tmp_path, admin_actor)
    book = CalamineWorkbook.from_path(str(out))
    assert {sheets.PAIRING_SHEET, sheets.MEASURE_SHEET} <= set(book.sheet_names)
    pairing_rows = book.get_sheet_by_name(sheets.PAIRING_SHEET).to_python()
    assert pairing_rows[1][:3] == [household.code, "helper", "helper"]

    result = import_path(str(out), actor=admin_actor)
    assert result.ok, result.errors[:3]
    assert m.HelperPairing.objects.filter(household=household).count() == 1
    assert m.HelpMeasure.objects.filter(household=household).count() == 1


def _with_empty_sheets(out):
    """A registry without help data exports 户 · 成员 · 村 only; add the two sheets with their headers."""
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["户", "成员", "村"]
    for name, columns in (
        (sheets.PAIRING_SHEET, sheets.PAIRING_COLUMNS),
        (sheets.MEASURE_SHEET, sheets.MEASURE_COLUMNS),
    ):
        wb.create_sheet(name).append([c[1] for c in columns])
    return wb


def test_import_adds_rows_and_refuses_the_whole_file_on_one_bad_row(tmp_path, admin_actor, household):
    out = _export(tmp_path, admin_actor)
    wb = _with_empty_sheets(out)
    wb[sheets.MEASURE_SHEET].append([household.code, "教育", "雨露计划", "3000", "2018-09-01", "", "", ""])
    wb[sheets.PAIRING_SHEET].append(
        [household.code, "向前进", "xqj", "", "慈利县教育局", "县直", "2018-01-01", ""]
    )
    wb.save(out)
    result = import_path(str(out), actor=admin_actor)
    assert result.ok, result.errors[:3]
    assert m.HelpMeasure.objects.get(household=household).content == "雨露计划"
    assert m.HelperPairing.objects.get(household=household).helper.username == "xqj"

    wb = openpyxl.load_workbook(out)
    wb[sheets.MEASURE_SHEET].append([household.code, "炒股", "x", "", "2018-09-01", "", "", ""])
    wb[sheets.MEASURE_SHEET].append([household.code, "光伏", "光伏收益", "", "2018-09-01", "", "", ""])
    wb.save(out)
    result = import_path(str(out), actor=admin_actor)
    assert not result.ok
    assert [(e.sheet, e.column) for e in result.errors] == [(sheets.MEASURE_SHEET, "措施类别")]
    assert m.HelpMeasure.objects.filter(household=household).count() == 1  # nothing written


def test_import_refuses_pairings_for_households_outside_the_file_and_registry(
    tmp_path, admin_actor, household
):
    out = _export(tmp_path, admin_actor)
    wb = _with_empty_sheets(out)
    wb[sheets.PAIRING_SHEET].append(["NOPE-1", "张三", "zs", "", "", "", "2018-01-01", ""])
    wb.save(out)
    result = import_path(str(out), actor=admin_actor)
    assert [(e.sheet, e.row, e.column) for e in result.errors] == [(sheets.PAIRING_SHEET, 2, "户编号")]
    assert not m.HelperPairing.objects.exists()
