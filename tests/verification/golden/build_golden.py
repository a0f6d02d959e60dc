"""Build departmental_libreoffice.xlsx: the datasets written with openpyxl (dates as real date cells,
capital and years as numbers, IDs as text), then re-saved by LibreOffice, so the file the test reads is
LibreOffice's own writing. Run: python tests/verification/golden/build_golden.py"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).parent
HEAD = "430821197005010011"  # the people of test_libreoffice.py
SPOUSE = "430821197203090024"
SON = "430821200609010033"

SHEETS = {
    "死亡人口": (["证件号码", "姓名", "死亡日期"], [[HEAD, "张三", date(2024, 3, 5)]]),
    "工商注册": (
        ["证件号码", "姓名", "企业名称", "身份", "注册资本（万元）", "经营状态"],
        [[SPOUSE, "李四", "慈利县茶叶有限公司", "法定代表人", 10, "存续"]],
    ),
    "医保参保": (["证件号码", "姓名", "参保年度", "参保状态"], [[SON, "张小明", 2023, "参保"]]),
}


def build(target: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, (header, rows) in SHEETS.items():
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        for cell in sheet["A"]:
            cell.number_format = "@"
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "departmental_libreoffice.xlsx"
        book.save(source)
        outdir = Path(tmp) / "out"
        subprocess.run(
            ["libreoffice", "--headless", "--convert-to", "xlsx", "--outdir", str(outdir), str(source)],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.copy(outdir / "departmental_libreoffice.xlsx", target)


if __name__ == "__main__":
    build(HERE / "departmental_libreoffice.xlsx")
