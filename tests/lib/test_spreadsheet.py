"""CSV cells are never formulas (issue 15 #10)."""

from __future__ import annotations

import csv

import pytest

from jingzhun.lib.spreadsheet import neutralise
from jingzhun.workbook.issues import ImportResult
from jingzhun.workbook.report import write_report

ATTACKS = ['=HYPERLINK("http://x","点我")', "+1+1", "-1+cmd|' /C calc'!A0", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", ATTACKS)
def test_it_neutralises_a_cell_a_spreadsheet_would_run(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["张三", "430821196804121316", "-500.00", "+12", "3.5", 7, None, ""])
def test_it_leaves_text_and_numbers_alone(value):
    assert neutralise(value) == value


def test_the_import_error_report_csv_writes_no_formula(tmp_path):
    result = ImportResult(source="x.zip")
    for i, value in enumerate(ATTACKS):
        result.error("成员", i + 2, "姓名", value, "必填")
    result.warn("户", 1, "", "=1+2", "无法识别的列，已忽略")
    out = write_report(result, str(tmp_path / "report.csv"))
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    cells = [cell for row in rows[2:] for cell in row]
    assert [row[4] for row in rows[2:]] == ["'" + v for v in ATTACKS] + ["'=1+2"]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
