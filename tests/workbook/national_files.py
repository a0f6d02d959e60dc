"""Helpers of the national person list tests: the golden rows (tests/golden/build_national.py) as editable
lists, written to CSV or xlsx with any headers."""

from __future__ import annotations

import copy
import csv
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from tests.golden.build_national import HEADERS_2016, HEADERS_2021, ROWS_2016, ROWS_2021

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def golden_list(name: str) -> str:
    """A golden file, read in place (an import never writes to its input)."""
    return str(GOLDEN / name)


def table(layout: str) -> tuple[list[str], list[list[Any]]]:
    """(headers, rows) of the golden list of `layout` ("2016" or "2021"), deep copies to edit."""
    if layout == "2016":
        return list(HEADERS_2016), copy.deepcopy(ROWS_2016)
    return list(HEADERS_2021), copy.deepcopy(ROWS_2021)


def set_cell(headers: list[str], row: list[Any], header: str, value: Any) -> None:
    row[headers.index(header)] = value


def write_csv(path: Path, headers: list[str], rows: list[list[Any]], encoding: str = "utf-8") -> str:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)
    return str(path)


def write_xlsx(path: Path, headers: list[str], rows: list[list[Any]], sheet: str = "人员名单") -> str:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(headers)
    for row in rows:
        ws.append(row)
    book.save(path)
    return str(path)
