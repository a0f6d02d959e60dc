"""Cells of the CSV files we write, made safe to open in Excel/WPS (CSV / formula injection, CWE-1236).

A cell that starts with = + - @ (or a tab or carriage return, which some spreadsheets skip before
reading a formula) is run as a formula when the file is opened: an imported file's value could become
`=HYPERLINK(...)` in a cadre's error report. Such text is prefixed with an apostrophe, which Excel and
WPS show as plain text. The xlsx writers do not need this: they write text cells, never formulas."""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralise(value: Any) -> Any:
    """`value` as a CSV cell: text that a spreadsheet would read as a formula gets a leading apostrophe;
    numbers (also a signed number written as text, "-500.00": a spreadsheet reads it as that number and
    nothing else) and other values are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(row: Any) -> list[Any]:
    return [neutralise(v) for v in row]
