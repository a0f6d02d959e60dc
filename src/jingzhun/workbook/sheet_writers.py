"""Streaming sheet writers shared by the exporter, the template and the generator.

xlsx: xlsxwriter in constant_memory mode (each row is flushed to disk as it is written, so memory stays
flat however large the registry). Identifier columns carry the text format `@`, so Excel and WPS keep
ID numbers as typed instead of turning them into `4.30821E+17`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

import xlsxwriter

from jingzhun.workbook.columns import TEXT_COLUMNS, Sheet


class SheetWriter(Protocol):
    def row(self, values: list[Any]) -> None: ...


class CsvSheetWriter:
    def __init__(self, writer: Any, sheet: Sheet):
        self.writer = writer
        writer.writerow(sheet.headers)

    def row(self, values: list[Any]) -> None:
        self.writer.writerow(["" if v is None else v for v in values])


class XlsxSheetWriter:
    def __init__(self, book: XlsxBook, worksheet: Any, sheet: Sheet):
        self.worksheet = worksheet
        self.text_format = book.text_format
        self.next_row = 1
        for col, spec in enumerate(sheet.specs):
            width = 22 if spec.name in TEXT_COLUMNS else max(8, len(spec.label) * 2 + 2)
            fmt = book.text_format if spec.name in TEXT_COLUMNS else None
            worksheet.set_column(col, col, width, fmt)
            worksheet.write_string(0, col, spec.label, book.header_format)
        worksheet.freeze_panes(1, 0)

    def row(self, values: list[Any]) -> None:
        r = self.next_row
        ws = self.worksheet
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                ws.write_string(r, col, value)
            elif isinstance(value, bool):
                ws.write_string(r, col, "是" if value else "否")
            elif isinstance(value, int | float | Decimal):
                ws.write_number(r, col, float(value))
            else:
                ws.write_string(r, col, str(value))
        self.next_row += 1


class XlsxBook:
    def __init__(self, path: str, *, constant_memory: bool = True):
        self.workbook = xlsxwriter.Workbook(
            path, {"constant_memory": constant_memory, "strings_to_numbers": False}
        )
        self.text_format = self.workbook.add_format({"num_format": "@"})
        self.header_format = self.workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})

    def sheet(self, sheet: Sheet) -> XlsxSheetWriter:
        return XlsxSheetWriter(self, self.workbook.add_worksheet(sheet.name), sheet)

    def close(self) -> None:
        self.workbook.close()
