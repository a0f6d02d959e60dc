"""Columns of the ledger import sheets (spec/ledger.md §Import) and reading them: an .xlsx with sheets
单位 / 问题 / 信访, a folder or .zip of CSVs, or one `问题.csv` / `信访.csv` file. Rows are parsed into
plain values; every problem is an Issue with the row number Excel shows and a Chinese message."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jingzhun.registry.fields import FieldError, parse_date, parse_phone, text
from jingzhun.workbook.columns import normalize_header
from jingzhun.workbook.file_reader import SheetRows, Workbook, WorkbookError, detect_encoding
from jingzhun.workbook.issues import ImportResult

UNIT_SHEET, PROBLEM_SHEET, PETITION_SHEET = "单位", "问题", "信访"
SHEETS = (UNIT_SHEET, PROBLEM_SHEET, PETITION_SHEET)


@dataclass(frozen=True)
class Column:
    header: str
    name: str
    required: bool = False
    parse: Callable[[Any], Any] = text


def _date(value: Any) -> date | None:
    return parse_date(value)


COLUMNS: dict[str, tuple[Column, ...]] = {
    UNIT_SHEET: (
        Column("单位名称", "name", True),
        Column("类别", "category"),
        Column("隶属", "affiliation"),
    ),
    PROBLEM_SHEET: (
        Column("问题编号", "code", True),
        Column("问题来源", "source", True),
        Column("交办日期", "assigned_on", True, _date),
        Column("问题描述", "description", True),
        Column("涉及地区代码", "region", True),
        Column("涉及户编号", "household"),
        Column("责任单位", "unit", True),
        Column("责任人", "responsible_name", True),
        Column("整改时限", "deadline", True, _date),
        Column("整改措施", "measures"),
        Column("状态", "status"),
        Column("销号日期", "closed_on", False, _date),
    ),
    PETITION_SHEET: (
        Column("信访编号", "code", True),
        Column("来源层级", "source", True),
        Column("登记日期", "assigned_on", True, _date),
        Column("信访人", "petitioner_name"),
        Column("联系电话", "petitioner_phone", False, parse_phone),
        Column("反映问题", "description", True),
        Column("涉及地区代码", "region", True),
        Column("办理单位", "unit", True),
        Column("办理时限", "deadline", False, _date),
        Column("状态", "status"),
        Column("办结日期", "closed_on", False, _date),
        Column("答复意见", "reply"),
    ),
}


def _csv_rows(path: Path) -> SheetRows:
    encoding = detect_encoding(lambda: path.open("rb"))
    handle = io.TextIOWrapper(path.open("rb"), encoding=encoding, newline="")
    reader = csv.reader(handle)
    header: list[Any] = []
    number = 0
    for cells in reader:
        number += 1
        if any(c.strip() for c in cells):
            header = cells
            break

    def data() -> Iterator[tuple[int, list[Any]]]:
        row = number
        try:
            for cells in reader:
                row += 1
                if any(c.strip() for c in cells):
                    yield row, cells
        finally:
            handle.close()

    return SheetRows(path.stem, header, data())


def open_sheets(path: str) -> dict[str, SheetRows]:
    """The ledger sheets present in the file, in reading order (单位 first); raises WorkbookError."""
    p = Path(path)
    if p.is_file() and p.suffix.lower() == ".csv":
        name = normalize_header(p.stem)
        if name not in SHEETS:
            raise WorkbookError(f"CSV 文件名应为 单位.csv、问题.csv 或 信访.csv，而不是 {p.name}")
        return {name: _csv_rows(p)}
    book = Workbook(path)
    found = {}
    for name in SHEETS:
        sheet = book.sheet(name)
        if sheet is not None:
            found[name] = sheet
    if not found:
        raise WorkbookError(f"{p.name} 中没有 单位、问题 或 信访 工作表")
    return found


def parse_sheet(sheet: SheetRows, name: str, result: ImportResult) -> list[tuple[int, dict[str, Any]]]:
    """Rows as (excel row, values); errors go to `result` (a row with errors is still returned, marked)."""
    columns = COLUMNS[name]
    index: dict[str, int] = {}
    known = {normalize_header(c.header) for c in columns}
    for i, cell in enumerate(sheet.header):
        header = normalize_header(cell)
        if header in known:
            index.setdefault(header, i)
        elif header:
            result.warn(name, 1, header, "", "未知的列，已忽略")
    missing = [c.header for c in columns if c.required and normalize_header(c.header) not in index]
    for header in missing:
        result.error(name, 1, header, "", f"缺少必填列“{header}”")
    if missing:
        return []
    rows = []
    for number, cells in sheet.rows:
        values: dict[str, Any] = {"_ok": True}
        for column in columns:
            pos = index.get(normalize_header(column.header))
            raw = cells[pos] if pos is not None and pos < len(cells) else None
            try:
                value = column.parse(raw)
            except FieldError as exc:
                result.error(name, number, column.header, raw, str(exc))
                values["_ok"] = False
                continue
            if column.required and value in (None, ""):
                result.error(name, number, column.header, raw, f"{column.header}必填")
                values["_ok"] = False
            values[column.name] = value
        rows.append((number, values))
    return rows
