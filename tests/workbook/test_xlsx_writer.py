"""The lean streaming xlsx writer (workbook/fastxlsx.py): escaping, illegal characters, numbers vs text,
styles, and files that openpyxl, python-calamine and LibreOffice all open with the same content."""

from __future__ import annotations

import csv
import shutil
import subprocess
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from jingzhun.workbook.columns import HOUSEHOLD_SHEET, SHEET_BY_NAME
from jingzhun.workbook.xlsx_writer import FastBook, column_letter, xml_text

HEADERS = ["编号", "名称", "金额", "日期"]
TEXT = [True, False, False, False]

# (written, as read back by openpyxl and calamine)
CASES: list[tuple[list[Any], list[Any]]] = [
    (
        ["430821199001011234", "普通文本", 12, "2018-01-02"],
        ["430821199001011234", "普通文本", 12, "2018-01-02"],
    ),
    (["a<b>&c", "say \"hi\" 'x'", 3.25, date(2018, 1, 2)], ["a<b>&c", "say \"hi\" 'x'", 3.25, "2018-01-02"]),
    (["x\x00y\x01\x1fz\ufffe", "\x0b", Decimal("12.50"), None], ["xyz", None, 12.5, None]),
    (["  前后空格 ", "行一\n行二", -0.5, ""], ["  前后空格 ", "行一\n行二", -0.5, None]),
    (["制表\t符", "回车\r\n换行", True, False], ["制表\t符", "回车\r\n换行", "是", "否"]),
    (["%s %d {0}", "{}", float("nan"), 10**15], ["%s %d {0}", "{}", "nan", 10**15]),
    ([None, None, None, None], [None, None, None, None]),
    (["\ud800孤立代理", "emoji 😀", 0, 0.0], ["孤立代理", "emoji 😀", 0, 0]),
    (["\r首尾回车\r", "尾回车\r", 1, "\r"], ["\r首尾回车\r", "尾回车\r", 1, "\r"]),
    # the shape of the first case (its template is cached by now), a NUL its only illegal character
    (
        ["430821199001011234", "空\x00字符", 12, "2018-01-02"],
        ["430821199001011234", "空字符", 12, "2018-01-02"],
    ),
]


def _write(path: Path, rows: list[list[Any]]) -> None:
    book = FastBook(str(path))
    first = book.add_sheet(name="数据", headers=HEADERS, text_columns=TEXT, widths=[22, 10, 10, 12])
    second = book.add_sheet(name="空表 & <二>", headers=["列"], text_columns=[False], widths=[8])
    assert second.width == 1
    for row in rows:
        first.row(row)
    book.close()


def _same(read: Any, expected: Any) -> bool:
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        return isinstance(read, int | float) and float(read) == float(expected)
    if expected is None:
        return read in (None, "")
    return read == expected


@pytest.fixture
def written(tmp_path: Path) -> Path:
    # each case twice: the second row of a shape goes through the cached template
    path = tmp_path / "cases.xlsx"
    _write(path, [row for row, _ in CASES for _ in range(2)])
    return path


def _expected_rows() -> list[list[Any]]:
    return [expected for _, expected in CASES for _ in range(2)]


def test_openpyxl_reads_every_value_back(written: Path) -> None:
    book = openpyxl.load_workbook(written)
    assert book.sheetnames == ["数据", "空表 & <二>"]
    sheet = book["数据"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    assert len(rows) == 1 + len(_expected_rows())
    for got, expected in zip(rows[1:], _expected_rows(), strict=True):
        assert all(_same(g, e) for g, e in zip(got, expected, strict=True)), (got, expected)
    assert [list(r) for r in book["空表 & <二>"].iter_rows(values_only=True)] == [["列"]]


def test_calamine_reads_every_value_back(written: Path) -> None:
    book = CalamineWorkbook.from_path(str(written))
    assert book.sheet_names == ["数据", "空表 & <二>"]
    rows = book.get_sheet_by_name("数据").to_python()
    assert rows[0] == HEADERS
    for got, expected in zip(rows[1:], _expected_rows(), strict=True):
        assert all(_same(g, e) for g, e in zip(got, expected, strict=True)), (got, expected)


def test_numbers_are_numbers_and_id_columns_are_text(written: Path) -> None:
    sheet = openpyxl.load_workbook(written)["数据"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].number_format == "@"
    assert sheet["C2"].data_type == "n" and sheet["C2"].value == 12
    assert sheet["C4"].value == 3.25
    assert sheet["B2"].number_format == "General"
    assert sheet.column_dimensions["A"].width == 22
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb == "FFF2DCDB"


def test_the_parts_are_well_formed_xml(written: Path) -> None:
    from xml.etree import ElementTree

    with zipfile.ZipFile(written) as archive:
        assert archive.testzip() is None
        for name in archive.namelist():
            ElementTree.fromstring(archive.read(name))  # raises on malformed XML
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert f'<dimension ref="A1:D{2 * len(CASES) + 1}"/>' in sheet
    assert 'xml:space="preserve"' in sheet and "&amp;" in sheet and "&lt;" in sheet


def test_xml_text_and_column_letters() -> None:
    assert xml_text("a&b<c>d") == "a&amp;b&lt;c&gt;d"
    assert xml_text("ok\tfine\n") == "ok\tfine\n"
    assert xml_text("\x00\x08\x0c\ud800\uffff") == ""
    assert xml_text("a\rb") == "a&#13;b"
    assert [column_letter(index=i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_the_registry_sheet_marks_its_id_columns_as_text(tmp_path: Path) -> None:
    path = tmp_path / "registry.xlsx"
    book = FastBook(str(path))
    sheet = book.sheet(SHEET_BY_NAME[HOUSEHOLD_SHEET])
    sheet.row(["4308211012250001", "430821101225", "9组", "朱建", "432428196011285556"])
    book.close()
    read = openpyxl.load_workbook(path)[HOUSEHOLD_SHEET]
    labels = [c.value for c in read[1]]
    assert labels == SHEET_BY_NAME[HOUSEHOLD_SHEET].headers
    assert [read.cell(2, col).number_format for col in (1, 2, 5)] == ["@", "@", "@"]
    assert read.cell(2, 3).number_format == "General"


def test_libreoffice_opens_it(written: Path, tmp_path: Path) -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    assert office, "LibreOffice is needed for this test (CI installs it)"
    out = tmp_path / "out"
    profile = tmp_path / "profile"
    subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(out),
            str(written),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    with (out / "cases.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == HEADERS
    assert len(rows) == 1 + len(_expected_rows())
    for got, expected in zip(rows[1:], _expected_rows(), strict=True):
        # LibreOffice, like Excel, keeps a line break inside a cell as \n
        shown = ["" if e is None else str(e).replace("\r\n", "\n") for e in expected]
        assert got[:2] == shown[:2], (got, shown)
        assert got[3] == shown[3]
        if isinstance(expected[2], int | float):
            assert float(got[2]) == float(expected[2])
        else:
            assert got[2] == shown[2]
