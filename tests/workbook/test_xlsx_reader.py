"""The streaming xlsx reader (workbook/xlsx_reader.py) reads what python-calamine reads.

Every file here — written by openpyxl, xlsxwriter, LibreOffice, our own fastxlsx, and by hand to reach the
exact (ElementTree) path — is read by both, sheet by sheet and row by row, with value *and* type compared,
and the Excel row numbers lined up. Each file is also read with the fast path switched off, so both paths
of the reader are held to the same values.

Where we differ from calamine on purpose, the test names the cell and both values:
- error cells: calamine gives "", we give the error text ("#N/A") — the module's documented convention;
- negative serials in date-formatted cells: calamine gives a time of day (-1 → 00:00, the value lost),
  we keep the number (Excel shows no date for them either);
- a <t> of only whitespace without xml:space="preserve": calamine drops it ("hello", " ", "world" →
  "helloworld"), we keep it, as Excel shows it;
- `<v> 42 </v>`: calamine gives the text " 42 ", we the number 42.
"""

from __future__ import annotations

import shutil
import subprocess
import tracemalloc
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from jingzhun.workbook import xlsx_reader
from jingzhun.workbook.xlsx_reader import XlsxBook, XlsxError
from jingzhun.workbook.xlsx_writer import FastBook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
GOLDEN = Path(__file__).resolve().parent.parent / "golden"

Rows = dict[int, list[Any]]  # Excel row number → cells from column A, trailing "" dropped


# --- reading with both ----------------------------------------------------------------------------------


def _trimmed(cells: Any) -> list[Any]:
    cells = list(cells)
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def calamine_rows(path: Path) -> dict[str, Rows]:
    book = CalamineWorkbook.from_path(str(path))
    sheets: dict[str, Rows] = {}
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        # iter_rows() yields the empty rows above the data too (its first row is row 1), but starts each
        # row at the sheet's first used column: put those columns back, so cells line up from A as ours do.
        # (test_calamine_iter_rows_starts_at_row_1_but_at_the_first_used_column pins this.)
        first_column = sheet.start[1] if sheet.start else 0
        rows: Rows = {}
        for index, cells in enumerate(sheet.iter_rows()):
            if trimmed := _trimmed([""] * first_column + list(cells)):
                rows[index + 1] = trimmed
        sheets[name] = rows
    return sheets


def our_rows(path: Path) -> dict[str, Rows]:
    book = XlsxBook(str(path))
    try:
        sheets: dict[str, Rows] = {}
        for name in book.sheets:
            rows: Rows = {}
            last = 0
            for number, cells in book.rows(name):
                assert number > last, f"{name}: row {number} after row {last}"
                last = number
                if trimmed := _trimmed(cells):
                    rows[number] = trimmed
            sheets[name] = rows
        return sheets
    finally:
        book.close()


def exact_rows(path: Path) -> dict[str, Rows]:
    """Ours, with every row through the exact (ElementTree) path."""

    def refuse(self: XlsxBook, inner: str) -> list[Any]:
        raise xlsx_reader._Fallback

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(XlsxBook, "_fast_row", refuse)
        return our_rows(path)


def exact_path_rows(path: Path) -> int:
    """How many rows of a plain reading went to the exact path."""
    seen = 0
    original = XlsxBook._exact_row

    def spy(self: XlsxBook, text: str, namespaces: str) -> list[Any]:
        nonlocal seen
        seen += 1
        return original(self, text, namespaces)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(XlsxBook, "_exact_row", spy)
        our_rows(path)
    return seen


def typed(value: Any) -> tuple[str, Any]:
    """A value with its type, since True == 1.0 == 1 in Python: a float read for a bool must not pass."""
    return type(value).__name__, value


def _typed_sheets(sheets: dict[str, Rows]) -> dict[str, dict[int, list[tuple[str, Any]]]]:
    return {
        name: {n: [typed(v) for v in cells] for n, cells in rows.items()} for name, rows in sheets.items()
    }


Known = dict[tuple[str, int, int], tuple[Any, Any]]  # (sheet, row, column index) → (calamine's, ours)


def assert_like_calamine(path: Path, known: Known | None = None) -> dict[str, Rows]:
    """Ours == calamine's, cell for cell, but for the `known` differences (each of which must show)."""
    theirs, ours = calamine_rows(path), our_rows(path)
    assert list(ours) == list(theirs)  # the same sheets, in the same order
    for (sheet, row, column), (their_value, our_value) in (known or {}).items():
        their_cells = theirs[sheet].get(row, [])
        got = their_cells[column] if column < len(their_cells) else ""
        assert typed(got) == typed(their_value), (sheet, row, column)
        assert typed(ours[sheet][row][column]) == typed(our_value), (sheet, row, column)
        their_cells = their_cells + [""] * (column + 1 - len(their_cells))
        their_cells[column] = our_value
        theirs[sheet][row] = their_cells
    assert _typed_sheets(ours) == _typed_sheets(theirs)
    assert _typed_sheets(exact_rows(path)) == _typed_sheets(ours), "the exact path reads differently"
    return ours


# --- files written by hand --------------------------------------------------------------------------------


def worksheet(rows: str, *, head: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}">'
        f"{head}<sheetData>{rows}</sheetData></worksheet>"
    )


def shared_strings(*items: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">' + "".join(items) + "</sst>"


def styles(number_formats: list[int], custom: dict[int, str] | None = None) -> str:
    """Cell style i has number format number_formats[i]; `custom` defines format codes by id."""
    codes = "".join(
        f"<numFmt numFmtId={quoteattr(str(i))} formatCode={quoteattr(c)}/>" for i, c in (custom or {}).items()
    )
    xfs = "".join(
        f'<xf numFmtId="{n}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        for n in number_formats
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
        f'<numFmts count="{len(custom or {})}">{codes}</numFmts>'
        '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(number_formats)}">{xfs}</cellXfs></styleSheet>'
    )


def handmade(
    path: Path,
    sheets: dict[str, str | bytes],
    *,
    shared: str | None = None,
    style_sheet: str | None = None,
    workbook_pr: str = "",
    workbook: str | None = None,
) -> Path:
    """An xlsx of the given parts: the package parts around them are written here."""
    content_types = [
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    ]
    rels = [
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    ]
    for n in range(1, len(sheets) + 1):
        content_types.append(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        )
        rels.append(f'<Relationship Id="rId{n}" Type="{REL}/worksheet" Target="worksheets/sheet{n}.xml"/>')
    if shared is not None:
        content_types.append(
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        rels.append(f'<Relationship Id="rIdShared" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
    if style_sheet is not None:
        content_types.append(
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        )
        rels.append(f'<Relationship Id="rIdStyles" Type="{REL}/styles" Target="styles.xml"/>')
    if workbook is None:
        entries = "".join(
            f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(sheets, start=1)
        )
        workbook = (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">{workbook_pr}'
            f"<sheets>{entries}</sheets></workbook>"
        )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "".join(content_types) + "</Types>")
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", "".join(rels) + "</Relationships>")
        for n, xml in enumerate(sheets.values(), start=1):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", xml)
        if shared is not None:
            archive.writestr("xl/sharedStrings.xml", shared)
        if style_sheet is not None:
            archive.writestr("xl/styles.xml", style_sheet)
    return path


def replace_part(source: Path, target: Path, part: str, data: bytes) -> Path:
    """A copy of `source` with one part's content replaced (the zip itself stays valid)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info, data if info.filename == part else old.read(info.filename))
    return target


# --- values every writer gets ---------------------------------------------------------------------------

TEXTS = [
    "a & b < c > d \" e ' f",
    "  leading spaces",
    "trailing spaces  ",
    "line 1\nline 2",
    "中文：向国强，湖南省张家界市慈利县",
    "emoji 😀👍🏽 and 𠀀 (outside the BMP)",
    "tab\there",
    "43082119680412131X",
]
NUMBERS = [1, 0.1, 1e-7, 4.30821196801011e17, -3, -2.5, 0, 1e308, 2.5e-300, 123456.789]
# each written once in every format of DATE_FORMATS, a row per format
DATE_VALUES: list[Any] = [
    date(2018, 1, 2),
    datetime(2018, 1, 2, 3, 4, 5),
    time(13, 30, 15),
    datetime(2018, 1, 2, 3, 4, 5, 678000),  # milliseconds are kept
    date(1900, 1, 1),  # serial 1: before Excel's 29 February 1900 that never was
    date(1900, 2, 28),  # serial 59
    date(1900, 3, 1),  # serial 61
    45000.25,  # a plain number in a date-formatted cell
]
DATE_FORMATS = [
    "yyyy-mm-dd",
    'yyyy"年"m"月"d"日"',
    "m/d/yy h:mm",
    "[h]:mm:ss",  # elapsed time: a timedelta for both
    "h:mm:ss",
    "mm:ss",
    '[$-804]yyyy"年"m"月"d"日" dddd',
    "0.00",  # not a date format: numbers stay numbers
]


@pytest.fixture(scope="module")
def openpyxl_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "数据"
    sheet.append(TEXTS)
    sheet.append(NUMBERS)
    sheet.append([True, False, None, "after a gap"])
    for code in DATE_FORMATS:
        row = sheet.max_row + 1
        for column, value in enumerate(DATE_VALUES, start=1):
            sheet.cell(row, column, value).number_format = code
    sheet.append(["=1+1", '="a"&"b"', "=A2*2"])  # openpyxl writes no cached values
    sheet["D17"] = "the row starts at D"
    sheet["A19"], sheet["E19"], sheet["AD19"] = "A", "E", "AD"
    sheet["A21"] = "after an empty row"
    spaced = book.create_sheet("Sheet with spaces")
    spaced["C5"] = "the sheet starts at C5"
    spaced["B7"] = 2
    spaced["E9"] = date(2020, 2, 29)
    book.create_sheet("空表")
    path = tmp_path_factory.mktemp("openpyxl") / "openpyxl.xlsx"
    book.save(path)
    return path


def _xlsxwriter_book(path: Path, options: dict[str, Any]) -> None:
    book = xlsxwriter.Workbook(str(path), options)
    sheet = book.add_worksheet("数据")
    bold = book.add_format({"bold": True})
    red = book.add_format({"font_color": "red"})
    sheet.write_row(0, 0, TEXTS)
    sheet.write_row(1, 0, NUMBERS)
    sheet.write_row(2, 0, [True, False])
    sheet.write_rich_string(3, 0, "plain ", bold, "bold", " and ", red, "red")
    # xlsxwriter escapes text that looks like an OOXML escape (_x000D_ → _x005F_x000D_) and writes \r,
    # \x01 as _x000D_, _x0001_; both readers decode them back
    sheet.write_row(4, 0, ["_x000D_ literal", "a_x0041_b", "cr\r\nlf", "x\x01y", "_xABCD_x"])
    sheet.write_formula(5, 0, "=1+1", None, 2)
    sheet.write_formula(5, 1, '="a"&"b"', None, "ab")
    sheet.write_formula(5, 2, "=1/0", None, "#DIV/0!")
    sheet.write_formula(5, 3, "=NA()", None, "#N/A")
    sheet.write_formula(5, 4, "=TRUE()", None, True)
    sheet.write_blank(6, 0, None, bold)  # a styled empty cell
    sheet.write(6, 3, "after a blank")
    for row, code in enumerate(DATE_FORMATS, start=7):
        style = book.add_format({"num_format": code})
        for column, value in enumerate(DATE_VALUES):
            if isinstance(value, float):
                sheet.write_number(row, column, value, style)
            else:
                sheet.write_datetime(row, column, value, style)
    # built-in formats by id, with the CJK ones Chinese Excel writes (31 yyyy"年"m"月"d"日", 57 yyyy"年"m"月",
    # 58 m"月"d"日", 32 h"时"mm"分"), 46 is [h]:mm:ss
    for row, number_format in enumerate([14, 22, 31, 57, 58, 32, 46, 49], start=20):
        style = book.add_format({"num_format": number_format})
        for column, serial in enumerate([43102, 43102.5, 0.25, 1, 60, 61]):
            sheet.write_number(row, column, serial, style)
    second = book.add_worksheet("第二 页")
    second.write(4, 3, "D5")
    second.write(9, 0, "A10")
    book.close()


@pytest.fixture(scope="module")
def xlsxwriter_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsxwriter") / "xlsxwriter.xlsx"
    _xlsxwriter_book(path, {})
    return path


XLSXWRITER_ERRORS: Known = {("数据", 6, 2): ("", "#DIV/0!"), ("数据", 6, 3): ("", "#N/A")}


# --- openpyxl ---------------------------------------------------------------------------------------------


def test_openpyxl_file_reads_as_calamine_reads_it(openpyxl_file: Path) -> None:
    rows = assert_like_calamine(openpyxl_file)
    data = rows["数据"]
    assert data[1] == TEXTS
    assert [typed(v) for v in data[2]] == [typed(float(n)) for n in NUMBERS]
    assert [typed(v) for v in data[3]] == [typed(True), typed(False), typed(""), typed("after a gap")]
    as_dates = [
        date(2018, 1, 2),
        datetime(2018, 1, 2, 3, 4, 5),
        time(13, 30, 15),
        datetime(2018, 1, 2, 3, 4, 5, 678000),
        date(1900, 1, 1),
        date(1900, 2, 28),
        date(1900, 3, 1),
        datetime(2023, 3, 15, 6, 0),
    ]
    assert [typed(v) for v in data[4]] == [typed(v) for v in as_dates]  # yyyy-mm-dd
    assert [typed(v) for v in data[5]] == [typed(v) for v in as_dates]  # yyyy"年"m"月"d"日"
    assert data[7][:3] == [
        timedelta(days=43102),
        timedelta(days=43102, seconds=11045),
        timedelta(seconds=48615),
    ]
    assert all(type(v) is float for v in data[11])  # "0.00": numbers
    assert [data[11][i] for i in (0, 4, 5, 6, 7)] == [43102.0, 1.0, 59.0, 61.0, 45000.25]
    assert 12 not in data  # formulas without a cached value are empty for both
    assert data[17] == ["", "", "", "the row starts at D"]
    assert data[19] == ["A", "", "", "", "E"] + [""] * 24 + ["AD"]
    assert 20 not in data and data[21] == ["after an empty row"]
    assert rows["Sheet with spaces"] == {
        5: ["", "", "the sheet starts at C5"],
        7: ["", 2.0],
        9: ["", "", "", "", date(2020, 2, 29)],
    }
    assert rows["空表"] == {}
    assert exact_path_rows(openpyxl_file) == 0  # the fast path reads everything openpyxl writes


# --- xlsxwriter ------------------------------------------------------------------------------------------


def test_xlsxwriter_file_reads_as_calamine_reads_it(xlsxwriter_file: Path) -> None:
    rows = assert_like_calamine(xlsxwriter_file, XLSXWRITER_ERRORS)
    data = rows["数据"]
    assert data[1] == TEXTS
    assert data[4] == ["plain bold and red"]
    assert data[5] == ["_x000D_ literal", "a_x0041_b", "cr\r\nlf", "x\x01y", "_xABCD_x"]
    assert data[6] == [2.0, "ab", "#DIV/0!", "#N/A", True]
    assert data[7] == ["", "", "", "after a blank"]
    assert data[21] == [
        date(2018, 1, 2),
        datetime(2018, 1, 2, 12),
        time(6),
        date(1900, 1, 1),
        date(1900, 2, 28),
        date(1900, 3, 1),
    ]
    assert data[23][:3] == [date(2018, 1, 2), datetime(2018, 1, 2, 12), time(6)]  # 31, a CJK built-in
    assert data[27][:3] == [timedelta(days=43102), timedelta(days=43102, hours=12), timedelta(hours=6)]  # 46
    assert data[28][:3] == [43102.0, 43102.5, 0.25]  # 49 is text (@), not a date
    assert rows["第二 页"] == {5: ["", "", "", "D5"], 10: ["A10"]}
    assert exact_path_rows(xlsxwriter_file) == 0  # (the rich string is in the shared-string table)


def test_xlsxwriter_inline_strings_read_as_calamine_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "constant_memory.xlsx"
    _xlsxwriter_book(path, {"constant_memory": True})  # rows streamed, strings inline (t="inlineStr")
    with zipfile.ZipFile(path) as archive:
        assert b't="inlineStr"' in archive.read("xl/worksheets/sheet1.xml")
    rows = assert_like_calamine(path, XLSXWRITER_ERRORS)
    assert rows["数据"][1] == TEXTS


def test_a_1904_workbook_reads_as_calamine_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "1904.xlsx"
    book = xlsxwriter.Workbook(str(path), {"date_1904": True})
    sheet = book.add_worksheet()
    style = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    values = [date(2018, 1, 2), datetime(2018, 1, 2, 3, 4, 5), time(13, 30, 15), date(1904, 1, 2)]
    for column, value in enumerate(values):
        sheet.write_datetime(0, column, value, style)
    sheet.write_number(0, 4, 1, style)
    book.close()
    rows = assert_like_calamine(path)
    assert rows["Sheet1"][1] == values + [date(1904, 1, 2)]


# --- LibreOffice -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def libreoffice_files(
    openpyxl_file: Path, xlsxwriter_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """The openpyxl and xlsxwriter files as LibreOffice saves them (one LibreOffice run for both)."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if not office:
        pytest.skip("LibreOffice is not installed")
    out = tmp_path_factory.mktemp("libreoffice")
    subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{out / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(openpyxl_file),
            str(xlsxwriter_file),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {"openpyxl": out / "openpyxl.xlsx", "xlsxwriter": out / "xlsxwriter.xlsx"}


def test_the_golden_libreoffice_file_reads_as_calamine_reads_it() -> None:
    rows = assert_like_calamine(GOLDEN / "libreoffice.xlsx")
    assert list(rows) == ["户", "成员", "村"]
    assert rows["户"][2][:4] == ["G0001", "430821102204", "3组", "向国强"]
    assert exact_path_rows(GOLDEN / "libreoffice.xlsx") == 0


def test_libreoffice_files_read_as_calamine_reads_them(libreoffice_files: dict[str, Path]) -> None:
    rows = assert_like_calamine(libreoffice_files["openpyxl"])
    assert_like_calamine(libreoffice_files["xlsxwriter"], XLSXWRITER_ERRORS)
    assert rows["数据"][1] == TEXTS
    assert rows["数据"][12] == [2.0, "ab", 2.0]  # LibreOffice computed the formulas openpyxl left empty
    assert rows["Sheet with spaces"][5] == ["", "", "the sheet starts at C5"]
    assert exact_path_rows(libreoffice_files["openpyxl"]) == 0


# --- our own writer --------------------------------------------------------------------------------------


def test_fastxlsx_file_reads_as_calamine_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "fast.xlsx"
    book = FastBook(str(path))
    sheet = book.add_sheet(
        name="成员",
        headers=["证件号码", "姓名", "金额", "日期", "是否"],
        text_columns=[True] + [False] * 4,
        widths=[20] * 5,
    )
    written = [
        ["430821196804121316", "向国强", 12, date(2018, 1, 2), True],
        ["43082119680412131X", "  前后空格 ", 3.25, None, False],
        ["a<b>&c \"q\" 'a'", "行一\n行二", Decimal("12.50"), "", None],
        ["", "emoji 😀", -0.5, "2018-01-02", 0],
        [None, None, None, None, None],
        ["x", "", 10**15, date(1999, 12, 31), 1e-7],
    ]
    for values in written:
        sheet.row(values)
    book.add_sheet(name="空表 & <二>", headers=["列"], text_columns=[False], widths=[8])
    book.close()
    rows = assert_like_calamine(path)
    assert rows["成员"] == {
        1: ["证件号码", "姓名", "金额", "日期", "是否"],
        2: ["430821196804121316", "向国强", 12.0, "2018-01-02", "是"],
        3: ["43082119680412131X", "  前后空格 ", 3.25, "", "否"],
        4: ["a<b>&c \"q\" 'a'", "行一\n行二", 12.5],
        5: ["", "emoji 😀", -0.5, "2018-01-02", 0.0],
        7: ["x", "", 1e15, "1999-12-31", 1e-7],
    }
    assert rows["空表 & <二>"] == {1: ["列"]}
    assert exact_path_rows(path) == 0
    reader = XlsxBook(str(path))
    assert reader.dimension_rows("成员") == 7
    reader.close()


# --- by hand: the exact path -----------------------------------------------------------------------------


def test_namespace_prefixed_parts_as_the_open_xml_sdk_writes_them(tmp_path: Path) -> None:
    x = f'xmlns:x="{MAIN}"'
    sheet = (
        f'<?xml version="1.0" encoding="utf-8"?><x:worksheet {x} xmlns:r="{REL}">'
        '<x:sheetViews><x:sheetView workbookViewId="0"/></x:sheetViews><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>'
        '<x:c r="C1" t="inlineStr"><x:is><x:t>内联</x:t></x:is></x:c></x:row>'
        '<x:row r="2"><x:c r="A2"><x:v>1.5</x:v></x:c><x:c r="B2" s="1"><x:v>43102</x:v></x:c>'
        '<x:c r="C2" t="b"><x:v>1</x:v></x:c><x:c r="D2" t="str"><x:f>A2</x:f><x:v>&#x4E2D;</x:v></x:c></x:row>'
        '<x:row r="4" spans="1:2"><x:c r="B4" t="e"><x:v>#REF!</x:v></x:c></x:row>'
        '<x:row r="5"/>'
        "<x:row><x:c><x:v>6</x:v></x:c></x:row>"
        "</x:sheetData></x:worksheet>"
    )
    shared = (
        f'<?xml version="1.0" encoding="utf-8"?><x:sst {x}><x:si><x:t>共享</x:t></x:si>'
        '<x:si><x:r><x:t>富</x:t></x:r><x:r><x:t xml:space="preserve"> 文本</x:t></x:r>'
        '<x:rPh sb="0" eb="1"><x:t>フ</x:t></x:rPh></x:si></x:sst>'
    )
    style_sheet = (
        f'<?xml version="1.0" encoding="utf-8"?><x:styleSheet {x}><x:cellXfs count="2">'
        '<x:xf numFmtId="0"/><x:xf numFmtId="14" applyNumberFormat="1"/></x:cellXfs></x:styleSheet>'
    )
    workbook = (
        f'<?xml version="1.0" encoding="utf-8"?><x:workbook {x} xmlns:r="{REL}">'
        '<x:sheets><x:sheet name="SDK 表" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>'
    )
    path = handmade(
        tmp_path / "sdk.xlsx", {"SDK 表": sheet}, shared=shared, style_sheet=style_sheet, workbook=workbook
    )
    rows = assert_like_calamine(path, {("SDK 表", 4, 1): ("", "#REF!")})
    assert rows["SDK 表"] == {
        1: ["共享", "富 文本", "内联"],
        2: [1.5, date(2018, 1, 2), True, "中"],
        4: ["", "#REF!"],
        6: [6.0],
    }
    assert exact_path_rows(path) == 4  # every row with cells


ODD_ROWS = [
    # single-quoted attributes; attributes the fast path does not know (cm, vm)
    "<row r='1'><c r='A1' t='s'><v>0</v></c><c r='B1'><v>2.5</v></c></row>",
    '<row r="2"><c r="A2" t="s" cm="1"><v>0</v></c><c r="B2" vm="1"><v>7</v></c></row>',
    # cells without r (placed one after the other), a row without r (the one after the previous)
    '<row r="3"><c t="s"><v>0</v></c><c><v>3</v></c><c t="inlineStr"><is><t>inline</t></is></c></row>',
    '<row><c r="A4"><v>4</v></c></row>',
    '<row r="5"/>',
    '<row r="6" spans="1:3"/>',
    "<row/>",
    '<row><c r="B8"><v>8</v></c></row>',
    # pretty-printed
    '<row r="9">\n    <c r="A9" t="inlineStr">\n      <is>\n        <t>pretty</t>\n      </is>\n    </c>\n'
    '    <c r="C9">\n      <v>9</v>\n    </c>\n  </row>',
    # character and entity references
    '<row r="10"><c r="A10" t="inlineStr"><is><t>&#x4E2D;&#25991; &amp; &quot;q&quot; &apos;a&apos; &gt;</t></is></c>'
    '<c r="B10" t="str"><f>X</f><v>&#x4E2D;&lt;</v></c></row>',
    # rich inline text with a phonetic run (not part of the value)
    '<row r="11"><c r="A11" t="inlineStr"><is><r><t>in</t></r><r><rPr><i/></rPr><t xml:space="preserve">line rich</t></r>'
    '<rPh sb="0" eb="1"><t>ルビ</t></rPh></is></c></row>',
    # ISO 8601 date cells (t="d")
    '<row r="12"><c r="A12" t="d"><v>2018-01-02T03:04:05</v></c><c r="B12" t="d"><v>2018-01-02</v></c>'
    '<c r="C12" t="d"><v>1899-12-31T13:30:15</v></c><c r="D12" t="d"><v>13:30:15</v></c>'
    '<c r="E12" t="d"><v>2018-01-02T03:04:05.123</v></c><c r="F12" t="d"><v>2018-01-02T03:04:05Z</v></c></row>',
    # booleans, an explicit number type, a formula string with an OOXML escape, an error
    '<row r="13"><c r="A13" t="b"><v>1</v></c><c r="B13" t="b"><v>0</v></c><c r="C13" t="n"><v>4</v></c>'
    '<c r="D13" t="str"><v>s_x000D_t</v></c><c r="E13" t="e"><v>#N/A</v></c></row>',
    # lower-case references; cells out of order
    '<row r="14"><c r="a14"><v>1</v></c><c r="c14" t="s"><v>1</v></c></row>',
    '<row r="15"><c r="C15"><v>3</v></c><c r="A15"><v>1</v></c></row>',
    # an <is> without t="inlineStr" (calamine reads it); t="inlineStr" with a <v> (no text)
    '<row r="16"><c r="A16"><is><t>inline without t</t></is></c><c r="B16" t="inlineStr"><v>x</v></c></row>',
    # a comment, CDATA
    '<row r="17"><!-- a comment --><c r="A17" t="inlineStr"><is><t><![CDATA[a<b&c]]></t></is></c></row>',
    # a shared formula, empty values in both spellings, an empty shared-string cell
    '<row r="18"><c r="A18"><f t="shared" ref="A18:A19" si="0">1+1</f><v>2</v></c><c r="B18"><v></v></c>'
    '<c r="C18"><v/></c><c r="D18" t="s"/></row>',
    # the last column Excel has
    '<row r="19"><c r="XFD19"><v>1</v></c></row>',
    # number spellings; a number with spaces around it (calamine: the text " 42 ")
    '<row r="20"><c r="A20"><v>1E+3</v></c><c r="B20"><v>-0</v></c><c r="C20"><v>.5</v></c>'
    '<c r="D20"><v>1.7976931348623157E+308</v></c><c r="E20"><v> 42 </v></c></row>',
    # both orders of s and t
    '<row r="21"><c r="A21" s="0" t="s"><v>1</v></c><c r="B21" t="s" s="0"><v>0</v></c></row>',
]
ODD_SHARED = shared_strings(
    "<si><t>plain</t></si>", '<si><r><t>rich</t></r><r><t xml:space="preserve"> run</t></r></si>'
)
ODD_KNOWN: Known = {("odd", 13, 4): ("", "#N/A"), ("odd", 20, 4): (" 42 ", 42.0)}


def _odd_file(path: Path) -> Path:
    sheet = worksheet("".join(ODD_ROWS), head='<dimension ref="A1:XFD21"/>')
    return handmade(path, {"odd": sheet}, shared=ODD_SHARED, style_sheet=styles([0]))


def test_odd_but_valid_cell_shapes_read_as_calamine_reads_them(tmp_path: Path) -> None:
    rows = assert_like_calamine(_odd_file(tmp_path / "odd.xlsx"), ODD_KNOWN)["odd"]
    assert rows[1] == ["plain", 2.5]
    assert rows[2] == ["plain", 7.0]
    assert rows[3] == ["plain", 3.0, "inline"]
    assert rows[4] == [4.0]
    assert rows[8] == ["", 8.0]  # after the empty <row/>, which was row 7
    assert rows[9] == ["pretty", "", 9.0]
    assert rows[10] == ["中文 & \"q\" 'a' >", "中<"]
    assert rows[11] == ["inline rich"]
    assert rows[12] == [
        datetime(2018, 1, 2, 3, 4, 5),
        date(2018, 1, 2),
        datetime(1899, 12, 31, 13, 30, 15),
        time(13, 30, 15),
        datetime(2018, 1, 2, 3, 4, 5, 123000),
        "2018-01-02T03:04:05Z",  # with a time zone: kept as text, as calamine does
    ]
    assert rows[13] == [True, False, 4.0, "s\rt", "#N/A"]
    assert rows[14] == [1.0, "", "rich run"]
    assert rows[15] == [1.0, "", 3.0]
    assert rows[16] == ["inline without t"]
    assert rows[17] == ["a<b&c"]
    assert rows[18] == [2.0]
    assert len(rows[19]) == 16384 and rows[19][-1] == 1.0
    assert [typed(v) for v in rows[20]] == [
        typed(v) for v in [1000.0, -0.0, 0.5, 1.7976931348623157e308, 42.0]
    ]
    assert rows[21] == ["rich run", "plain"]
    assert set(rows) == set(range(1, 22)) - {5, 6, 7}


def test_a_cell_with_an_unknown_child_is_read_by_the_exact_path(tmp_path: Path) -> None:
    # calamine refuses the whole sheet ("Expecting 'v, f, or is' node"); the value is there to read
    row = '<row r="1"><c r="A1"><v>1</v><extLst><ext uri="x"/></extLst></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>'
    path = handmade(tmp_path / "ext.xlsx", {"s": worksheet(row)})
    assert our_rows(path) == {"s": {1: [1.0, "b"]}}
    assert exact_path_rows(path) == 1


def test_shared_and_inline_strings_read_as_calamine_reads_them(tmp_path: Path) -> None:
    items = [
        "<t>plain</t>",
        '<r><rPr><b/></rPr><t xml:space="preserve">rich </t></r><r><t>run</t></r>',
        # phonetic runs (<rPh>, Japanese furigana) are not part of the text, for calamine and for us
        '<t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh><phoneticPr fontId="1"/>',
        '<r><t>富</t></r><r><t>士</t></r><rPh sb="0" eb="1"><t>ふ</t></rPh>',
        "<t/>",
        "<t>&#x4E2D;&#25991;&amp;&lt;x&gt;_x000D__x005F_x0041_</t>",
        # without xml:space="preserve", Excel and calamine drop leading and trailing whitespace — after
        # character references are read, before _xHHHH_ escapes are
        "<t> a </t>",
        '<t xml:space="preserve"> b </t>',
        "<t>\n\tc\n</t>",
        "<t>&#32;d&#13;&#10;</t>",
        '<t xml:space="default"> e </t>',
        "<t> f_x0020_</t>",
        '<r><t>g </t></r><r><t xml:space="preserve"> h</t></r>',
        "<t>\u3000全角空格不算\u3000</t>",  # only XML whitespace is dropped
        # a <t> of only whitespace is kept (Excel shows "hello world"; calamine drops it: "helloworld")
        "<r><t>hello</t></r><r><t> </t></r><r><t>world</t></r>",
        "<t>  </t>",
    ]
    count = len(items)
    letters = [chr(65 + i) for i in range(count)]
    shared_row = "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate(letters))
    inline_row = "".join(
        f'<c r="{c}2" t="inlineStr"><is>{item}</is></c>' for c, item in zip(letters, items, strict=True)
    )
    path = handmade(
        tmp_path / "strings.xlsx",
        {"s": worksheet(f'<row r="1">{shared_row}</row><row r="2">{inline_row}</row>')},
        shared=shared_strings(*(f"<si>{item}</si>" for item in items)),
    )
    expected = [
        "plain",
        "rich run",
        "漢字",
        "富士",
        "",
        "中文&<x>\r_x0041_",
        "a",
        " b ",
        "c",
        "d",
        "e",
        "f ",
        "g h",
        "\u3000全角空格不算\u3000",
        "hello world",
        "  ",
    ]
    known: Known = {}
    for row in (1, 2):
        known[("s", row, count - 2)] = ("helloworld", "hello world")
        known[("s", row, count - 1)] = ("", "  ")
    rows = assert_like_calamine(path, known)
    assert rows["s"] == {1: expected, 2: expected}


# --- dates and number formats ----------------------------------------------------------------------------

BUILTIN_FORMATS = [0, 1, 2, 9, 10, 11, 12, *range(14, 23), *range(27, 37), *range(45, 50), *range(50, 59)]
CUSTOM_FORMATS = [
    "yyyy-mm-dd",
    'yyyy"年"m"月"d"日"',
    '[$-804]yyyy"年"m"月"d"日" dddd',
    '[DBNum1][$-804]yyyy"年"m"月"d"日"',
    "yyyy/m/d;@",
    'e"年"m"月"',
    "m/d/yy h:mm",
    "h:mm AM/PM",
    'h"时"mm"分"',
    "mm:ss.0",
    "[$-F800]dddd, mmmm dd, yyyy",
    "[h]:mm:ss",
    "[mm]:ss",
    "[ss].00",
    "[h]",
    "[Red][h]:mm",
    "h:mm [ss]",
    "[hm]",
    "0.00",
    "#,##0.00_);[Red](#,##0.00)",
    '"¥"#,##0.00',
    "0.00%",
    "0.00E+00",
    "@",
    "General",
    "G/通用格式",
    '#,##0"元"',
    "[>=100]0;0.0",
    "General;yyyy",  # only the first section counts
    '[<0]"neg";d',
    "#,##0*y",  # * repeats the next character: not a date
    "\\Y000000",
    '0.0 "ms"',
    "0.0_m",
]
SERIALS = [
    "0",
    "0.5",
    "1",
    "1.5",
    "59",
    "59.99",
    "60",
    "60.5",
    "61",
    "25569",
    "43102",
    "43102.12345678",
    "43102.999999",
    "0.00000578",
    "2958465.9999",
    "2958466",
    "-1",
    "-0.5",
]


def _formats_file(path: Path, workbook_pr: str = "") -> Path:
    custom = {164 + i: code for i, code in enumerate(CUSTOM_FORMATS)}
    number_formats = BUILTIN_FORMATS + list(custom)
    rows = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{chr(65 + i)}{r}" s="{r - 1}"><v>{serial}</v></c>' for i, serial in enumerate(SERIALS)
        )
        + "</row>"
        for r in range(1, len(number_formats) + 1)
    )
    return handmade(
        path,
        {"formats": worksheet(rows)},
        style_sheet=styles(number_formats, custom),
        workbook_pr=workbook_pr,
    )


@pytest.mark.parametrize("workbook_pr", ["", '<workbookPr date1904="1"/>'], ids=["1900", "1904"])
def test_dates_and_number_formats_read_as_calamine_reads_them(tmp_path: Path, workbook_pr: str) -> None:
    path = _formats_file(tmp_path / "formats.xlsx", workbook_pr)
    styles_count = len(BUILTIN_FORMATS) + len(CUSTOM_FORMATS)
    negative = SERIALS.index("-1")
    theirs = calamine_rows(path)["formats"]
    known: Known = {}
    for row in range(1, styles_count + 1):
        if isinstance(theirs[row][negative], time):  # a date format (not a duration): see the module doc
            known[("formats", row, negative)] = (time(0, 0), -1.0)
            known[("formats", row, negative + 1)] = (time(12, 0), -0.5)
    assert len(known) > 2 * 30
    rows = assert_like_calamine(path, known)["formats"]

    def row_of(code: str | int) -> list[Any]:
        index = (
            BUILTIN_FORMATS.index(code)
            if isinstance(code, int)
            else len(BUILTIN_FORMATS) + CUSTOM_FORMATS.index(code)
        )
        return rows[index + 1]

    def at(code: str | int, serial: str) -> Any:
        return row_of(code)[SERIALS.index(serial)]

    if workbook_pr:
        assert (
            at(14, "0") == time(0) and at(14, "1") == date(1904, 1, 2) and at(14, "43102") == date(2022, 1, 3)
        )
        assert at(14, "2958465.9999") == 2958465.9999  # past 9999-12-31 in the 1904 system: a number
        return
    assert at(14, "0.5") == time(12)
    assert at(14, "1") == date(1900, 1, 1)
    assert at(14, "59") == date(1900, 2, 28)
    assert at(14, "60") == date(1900, 2, 28)  # Excel's 29 February 1900
    assert at(14, "61") == date(1900, 3, 1)
    assert at(14, "25569") == date(1970, 1, 1)
    assert typed(at(22, "43102.12345678")) == typed(datetime(2018, 1, 2, 2, 57, 46, 666000))
    assert at(22, "0.00000578") == time(0, 0, 0, 499000)
    assert at(22, "2958465.9999") == datetime(9999, 12, 31, 23, 59, 51, 360000)
    assert at(22, "2958466") == 2958466.0  # past 9999-12-31: a number
    assert at(14, "-1") == -1.0
    for cjk in (
        27,
        31,
        36,
        50,
        57,
        58,
        'yyyy"年"m"月"d"日"',
        '[DBNum1][$-804]yyyy"年"m"月"d"日"',
        'e"年"m"月"',
    ):
        assert at(cjk, "43102") == date(2018, 1, 2), cjk
    for elapsed in (46, "[h]:mm:ss", "[mm]:ss", "[ss].00", "[h]", "[Red][h]:mm"):
        assert at(elapsed, "1.5") == timedelta(days=1, hours=12), elapsed
        assert at(elapsed, "-1") == timedelta(days=-1), elapsed
    for plain in (0, 1, 2, 49, "0.00", "@", "G/通用格式", "General;yyyy", '[<0]"neg";d', "#,##0*y", "[hm]"):
        assert row_of(plain) == [float(s) for s in SERIALS], plain


def test_a_serial_no_date_can_hold_stays_a_number(tmp_path: Path) -> None:
    # calamine raises OverflowError on the elapsed-time one (the whole sheet unreadable); here it is a number
    row = (
        '<row r="1"><c r="A1" s="1"><v>1E+10</v></c><c r="B1" s="2"><v>1E+10</v></c>'
        '<c r="C1" s="2"><v>-1E+10</v></c><c r="D1" s="1"><v>-5</v></c><c r="E1" s="1"><v>1E+300</v></c></row>'
    )
    path = handmade(tmp_path / "huge.xlsx", {"s": worksheet(row)}, style_sheet=styles([0, 14, 46]))
    assert our_rows(path) == {"s": {1: [1e10, 1e10, -1e10, -5.0, 1e300]}}
    assert exact_rows(path) == our_rows(path)


# --- how the sheet XML is cut into chunks -----------------------------------------------------------------


def _mixed_rows(count: int) -> str:
    """Rows for the fast path and, every 7th, for the exact path; multi-byte text throughout."""
    rows = []
    for r in range(1, count + 1):
        odd = ' cm="1"' if r % 7 == 0 else ""
        rows.append(
            f'<row r="{r}" spans="1:5"><c r="A{r}" t="s"{odd}><v>{r % 3}</v></c>'
            f'<c r="B{r}" t="inlineStr"><is><t xml:space="preserve">行{r} 中文 😀 {"é" * (r % 5)}</t></is></c>'
            f'<c r="C{r}"><v>{r}.5</v></c><c r="D{r}" s="1"><v>{43000 + r % 1000}</v></c>'
            f'<c r="E{r}" t="b"><v>{r % 2}</v></c></row>'
        )
    return "".join(rows)


def _mixed_file(path: Path, count: int) -> Path:
    shared = shared_strings(
        "<si><t>甲</t></si>", "<si><t>乙 😀</t></si>", "<si><r><t>丙</t></r><r><t>丁</t></r></si>"
    )
    return handmade(path, {"大表": worksheet(_mixed_rows(count))}, shared=shared, style_sheet=styles([0, 14]))


def test_a_sheet_larger_than_a_chunk_reads_as_calamine_reads_it(tmp_path: Path) -> None:
    path = _mixed_file(tmp_path / "big.xlsx", 14_000)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 3 * xlsx_reader.CHUNK
    rows = assert_like_calamine(path)["大表"]
    assert exact_path_rows(path) == 14_000 // 7
    assert len(rows) == 14_000
    assert rows[12_346] == [
        "乙 😀",
        "行12346 中文 😀 é",
        12346.5,
        date(1899, 12, 30) + timedelta(days=43346),
        False,
    ]
    for size in (4093, 1 << 16):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(xlsx_reader, "CHUNK", size)
            assert our_rows(path)["大表"] == rows, size


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 64])
def test_tiny_chunks_split_tags_and_characters_without_changing_a_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    # chunks of a few bytes split every tag, </row>, </sheetData>, <sheetData> and every multi-byte
    # character somewhere; the rows are the same as read in one piece
    odd = _odd_file(tmp_path / "odd.xlsx")
    mixed = _mixed_file(tmp_path / "mixed.xlsx", 60)
    sdk = handmade(
        tmp_path / "sdk.xlsx",
        {
            "s": f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t>中😀</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>'
        },
    )
    whole = [our_rows(path) for path in (odd, mixed, sdk)]
    assert whole[2] == {"s": {2: ["", "中😀"]}}
    monkeypatch.setattr(xlsx_reader, "CHUNK", size)
    assert [our_rows(path) for path in (odd, mixed, sdk)] == whole


# --- damaged files ---------------------------------------------------------------------------------------


def test_a_sheet_cut_anywhere_before_its_end_is_an_error(tmp_path: Path) -> None:
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>行{r}😀</t></is></c><c r="B{r}"><v>{r}</v></c></row>'
        for r in range(1, 5)
    )
    data = worksheet(rows).encode()
    end = data.index(b"</sheetData>")
    whole = handmade(tmp_path / "whole.xlsx", {"s": data})
    assert our_rows(whole) == {"s": {r: [f"行{r}😀", float(r)] for r in range(1, 5)}}
    for cut in range(end + len(b"</sheetData>")):  # in the head, inside tags, rows, characters, the end tag
        path = handmade(tmp_path / "cut.xlsx", {"s": data[:cut]})
        book = XlsxBook(str(path))
        read: list[int] = []
        with pytest.raises(XlsxError, match="工作表“s”") as raised:
            for number, _ in book.rows("s"):
                read.append(number)
        book.close()
        assert "损坏" in str(raised.value), cut
        assert read == list(range(1, len(read) + 1)), cut  # the rows before the damage, whole
        complete = data[:cut].count(b"</row>")
        assert len(read) <= complete, cut
    # once </sheetData> is there, what follows does not matter to the rows
    path = handmade(tmp_path / "tail.xlsx", {"s": data[: end + len(b"</sheetData>")]})
    assert our_rows(path) == our_rows(whole)


def test_an_unclosed_row_before_the_end_is_an_error(tmp_path: Path) -> None:
    for rows in ('<row r="1"><c r="A1"><v>1</v></c>', "<row><c><v>1</v></c>"):
        path = handmade(tmp_path / "unclosed.xlsx", {"s": worksheet(rows)})
        with pytest.raises(XlsxError, match="不完整"):
            our_rows(path)


def test_sheets_without_rows(tmp_path: Path) -> None:
    chart_like = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="A1"/></worksheet>'
    )
    empty = f'<worksheet xmlns="{MAIN}"><sheetData/><pageMargins left="0.7"/></worksheet>'
    path = handmade(tmp_path / "empty.xlsx", {"无数据": chart_like, "空": empty, "空白": worksheet("")})
    assert our_rows(path) == {"无数据": {}, "空": {}, "空白": {}}


def _corrupt(source: Path, target: Path, part: str) -> Path:
    """`source` with bytes in the middle of `part`'s compressed data overwritten."""
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo(part)
    header = info.header_offset
    start = (
        header
        + 30
        + int.from_bytes(data[header + 26 : header + 28], "little")
        + int.from_bytes(data[header + 28 : header + 30], "little")
    )
    size = info.compress_size
    for i in range(start + size // 3, start + min(size, size // 3 + 64)):
        data[i] ^= 0x5A
    target.write_bytes(bytes(data))
    return target


def test_a_corrupt_part_is_an_error(tmp_path: Path) -> None:
    path = _mixed_file(tmp_path / "ok.xlsx", 3000)
    sheet = _corrupt(path, tmp_path / "sheet.xlsx", "xl/worksheets/sheet1.xml")
    book = XlsxBook(str(sheet))  # the workbook parts are fine
    with pytest.raises(XlsxError, match="工作表“大表”无法读取（文件可能已损坏）"):
        list(book.rows("大表"))
    book.close()
    for part in ("xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
        with pytest.raises(XlsxError, match="无法读取 Excel 文件"):
            XlsxBook(str(_corrupt(path, tmp_path / "part.xlsx", part)))
    (tmp_path / "text.xlsx").write_text("not a zip")
    with pytest.raises(XlsxError, match="文件已损坏"):
        XlsxBook(str(tmp_path / "text.xlsx"))


@pytest.mark.django_db
def test_the_importer_reports_a_cut_sheet_and_writes_nothing(tmp_path: Path, system_actor: Any) -> None:
    from jingzhun.registry.models import Household, Member
    from jingzhun.workbook.importer import import_path

    source = GOLDEN / "libreoffice.xlsx"
    book = XlsxBook(str(source))
    part = book.sheets["成员"]
    book.close()
    with zipfile.ZipFile(source) as archive:
        data = archive.read(part)
    cut = data.rindex(b"<row")
    cut = data.index(b"</c>", cut) + 2  # in the middle of the last member's row
    path = replace_part(source, tmp_path / "cut.xlsx", part, data[:cut])
    result = import_path(str(path), actor=system_actor)
    assert not result.ok and not result.written
    assert [e.message for e in result.errors] == [
        "无法读取 Excel 文件 cut.xlsx：工作表“成员”的内容不完整（文件可能已损坏）"
    ]
    assert not Household.objects.exists() and not Member.objects.exists()


# --- memory ----------------------------------------------------------------------------------------------


def test_memory_stays_flat_however_long_the_sheet(tmp_path: Path) -> None:
    # Streaming as a functional property (never a timing): the peak while reading 100,000 rows stays
    # under a bound that the sheet's XML alone exceeds. Inline strings and numbers only, so no
    # shared-string table is held (that one is kept whole, as Excel does).
    path = tmp_path / "long.xlsx"
    book = FastBook(str(path))
    sheet = book.add_sheet(
        name="成员",
        headers=["证件号码", "姓名", "住址", "人数"],
        text_columns=[True, True, True, False],
        widths=[10] * 4,
    )
    address = "湖南省张家界市慈利县溪口镇杜坪村委会第三村民小组一百零八号"
    for n in range(100_000):
        sheet.row([f"43082119{n:010d}", f"姓名{n}", address, n % 7])
    book.close()
    bound = 20 << 20  # the peak is ~10 MiB, most of it the 1 MiB chunk being split into rows
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > bound
    reader = XlsxBook(str(path))
    tracemalloc.start()
    try:
        count = 0
        for number, cells in reader.rows("成员"):
            count += 1
            if number == 50_001:
                assert cells == ["430821190000049999", "姓名49999", address, 5.0]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        reader.close()
    assert count == 100_001
    assert peak < bound, f"peak {peak / (1 << 20):.1f} MiB while streaming"


# --- calamine itself -------------------------------------------------------------------------------------


def test_calamine_iter_rows_starts_at_row_1_but_at_the_first_used_column(openpyxl_file: Path) -> None:
    # what calamine_rows() relies on: the sheet's cells are C5, B7 and E9; iter_rows() gives four empty
    # rows first, then rows that begin at column B
    sheet = CalamineWorkbook.from_path(str(openpyxl_file)).get_sheet_by_name("Sheet with spaces")
    assert sheet.start == (4, 1)  # B: there is a cell in B7
    rows = list(sheet.iter_rows())
    assert rows[:4] == [["", "", "", ""]] * 4
    assert rows[4] == ["", "the sheet starts at C5", "", ""]
    assert sheet.to_python(skip_empty_area=False)[4] == ["", "", "the sheet starts at C5", "", ""]
