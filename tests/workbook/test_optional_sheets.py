"""Issue 15 #2: a workbook or CSV folder without an optional sheet (村, 帮扶责任人, 帮扶措施) imports its
households; before, a file without 村 imported nothing and reported success ("户：新增 0")."""

from __future__ import annotations

import csv
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from jingzhun.assistance import models as m
from jingzhun.assistance import sheets
from jingzhun.registry.models import Household, Member
from jingzhun.workbook.importer import import_path

OPTIONAL = ["村", sheets.PAIRING_SHEET, sheets.MEASURE_SHEET]


def _full_book(golden, tmp_path) -> Path:
    """The golden 户 · 成员 · 村 plus one 帮扶责任人 row and one 帮扶措施 row for G0001."""
    folder = Path(golden("valid_utf8"))
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in ("户", "成员", "村"):
        sheet = book.create_sheet(name)
        with (folder / f"{name}.csv").open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                sheet.append(row)
    pairing = book.create_sheet(sheets.PAIRING_SHEET)
    pairing.append([c[1] for c in sheets.PAIRING_COLUMNS])
    pairing.append(["G0001", "帮扶人", "helper", "", "", "", "2018-01-01", ""])
    measure = book.create_sheet(sheets.MEASURE_SHEET)
    measure.append([c[1] for c in sheets.MEASURE_COLUMNS])
    measure.append(["G0001", "教育", "雨露计划", "3000", "2018-09-01", "", "", ""])
    path = tmp_path / "full.xlsx"
    book.save(path)
    return path


def _assert_imported(result) -> None:
    assert result.ok, result.errors[:3]
    assert result.households_new == 2
    assert Household.objects.count() == 2 and Member.objects.count() > 2


@pytest.mark.django_db
def test_the_full_book_imports_every_sheet(golden, tmp_path, system_actor, helper_user):
    _assert_imported(import_path(str(_full_book(golden, tmp_path)), actor=system_actor))
    assert m.HelperPairing.objects.count() == 1 and m.HelpMeasure.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("absent", OPTIONAL)
def test_an_xlsx_without_an_optional_sheet_imports_the_rest(
    golden, tmp_path, system_actor, helper_user, absent
):
    book = openpyxl.load_workbook(_full_book(golden, tmp_path))
    del book[absent]
    path = tmp_path / f"without-{absent}.xlsx"
    book.save(path)
    _assert_imported(import_path(str(path), actor=system_actor))
    assert m.HelperPairing.objects.count() == (0 if absent == sheets.PAIRING_SHEET else 1)
    assert m.HelpMeasure.objects.count() == (0 if absent == sheets.MEASURE_SHEET else 1)


@pytest.mark.django_db
def test_a_csv_folder_without_the_village_sheet_imports_its_households(golden, tmp_path, system_actor):
    folder = Path(golden("valid_utf8"))
    (folder / "村.csv").unlink()
    _assert_imported(import_path(str(folder), actor=system_actor))


@pytest.mark.django_db
def test_a_zip_without_the_village_sheet_imports_its_households(golden, tmp_path, system_actor):
    folder = Path(golden("valid_utf8"))
    path = tmp_path / "no-village.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name in ("户.csv", "成员.csv"):
            zf.write(folder / name, name)
    _assert_imported(import_path(str(path), actor=system_actor))


@pytest.mark.django_db
def test_a_dry_run_without_the_village_sheet_counts_what_it_would_import(golden, tmp_path, system_actor):
    folder = tmp_path / "dry"
    shutil.copytree(golden("valid_utf8"), folder)
    (folder / "村.csv").unlink()
    result = import_path(str(folder), actor=system_actor, dry_run=True)
    assert result.ok and result.households_new == 2
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_a_missing_required_sheet_is_an_error_not_a_silent_zero(golden, system_actor):
    folder = Path(golden("valid_utf8"))
    (folder / "成员.csv").unlink()
    result = import_path(str(folder), actor=system_actor)
    assert not result.ok and any("缺少工作表“成员”" in e.message for e in result.errors)
