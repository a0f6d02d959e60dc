"""Error report (错误报告) of an import: every error (up to the cap) with sheet, the row number Excel shows,
column, value and a Chinese message; the total is stated even when the list is capped."""

from __future__ import annotations

import csv
from pathlib import Path

import xlsxwriter

from jingzhun.lib.spreadsheet import safe_row
from jingzhun.workbook.issues import ERROR_CAP, ImportResult, Issue

HEADERS = ["类别", "工作表", "行号", "列", "值", "说明"]


def _rows(result: ImportResult) -> list[tuple[str, Issue]]:
    return [("错误", e) for e in result.errors] + [("警告", w) for w in result.warnings]


def _summary(result: ImportResult) -> str:
    text = f"共 {result.total_errors} 个错误、{result.total_warnings} 个警告"
    if result.total_errors > len(result.errors) or result.total_warnings > len(result.warnings):
        text += f"（仅列出前 {ERROR_CAP} 条）"
    if result.total_errors:
        text += "；有错误时不写入任何数据，请改正后重新导入"
    return text


def write_report(result: ImportResult, out: str) -> str:
    """Write the report as .csv (UTF-8 with BOM, opens in Excel/WPS) or .xlsx, chosen by `out`'s suffix."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([_summary(result)])
            writer.writerow(HEADERS)
            for kind, issue in _rows(result):  # values come from the uploaded file: never a formula
                writer.writerow(
                    safe_row([kind, issue.sheet, issue.row or "", issue.column, issue.value, issue.message])
                )
        return str(path)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("错误报告")
    bold = book.add_format({"bold": True})
    text = book.add_format({"num_format": "@"})
    sheet.write_string(0, 0, _summary(result), bold)
    for col, (title, width) in enumerate(zip(HEADERS, (6, 8, 6, 16, 24, 70), strict=True)):
        sheet.set_column(col, col, width, text if col == 4 else None)
        sheet.write_string(1, col, title, bold)
    for r, (kind, issue) in enumerate(_rows(result), start=2):
        sheet.write_string(r, 0, kind)
        sheet.write_string(r, 1, issue.sheet)
        if issue.row:
            sheet.write_number(r, 2, issue.row)
        sheet.write_string(r, 3, issue.column)
        sheet.write_string(r, 4, issue.value)
        sheet.write_string(r, 5, issue.message)
    book.close()
    return str(path)
