"""Builds the ledger import golden files (run from the project root; needs LibreOffice):

    .venv/bin/python tests/ledger/golden/build_ledger_golden.py

`ledger_libreoffice.xlsx` is written with openpyxl (dates as Excel date cells, as a user types them) and
then re-saved by LibreOffice, so the golden file is LibreOffice's; `问题.csv` is the same problems in
GB18030 (what Chinese Excel and WPS save), `信访.csv` the petitions in UTF-8 with BOM.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent

UNITS = [["单位名称", "类别", "隶属"], ["县信访局", "其他", "县直"], ["县水利局", "行业部门", "县直"]]
PROBLEMS = [
    [
        "问题编号",
        "问题来源",
        "交办日期",
        "问题描述",
        "涉及地区代码",
        "涉及户编号",
        "责任单位",
        "责任人",
        "整改时限",
        "整改措施",
        "状态",
        "销号日期",
    ],
    [
        "WT-2018-001",
        "中央巡视",
        date(2018, 3, 1),
        "安全饮水工程未完工",
        "430821102204",
        "",
        "县水利局",
        "李局长",
        date(2018, 5, 31),
        "加快施工进度",
        "已销号",
        date(2018, 6, 10),
    ],
    [
        "WT-2018-002",
        "审计",
        date(2018, 4, 1),
        "扶贫资金拨付滞后",
        "430821102000",
        "",
        "县水利局",
        "王科长",
        date(2018, 6, 15),
        "",
        "整改中",
        "",
    ],
    [
        "WT-2018-003",
        "数据比对",
        date(2018, 5, 10),
        "户籍信息与公安不一致",
        "430821001200",
        "",
        "县信访局",
        "周主任",
        date(2018, 7, 31),
        "",
        "",
        "",
    ],
    [
        "WT-2018-004",
        "中央巡视",
        date(2018, 6, 1),
        "危房改造验收不实",
        "430821102204",
        "",
        "县水利局",
        "李局长",
        date(2018, 6, 20),
        "",
        "已销号",
        date(2018, 7, 5),
    ],
]
PETITIONS = [
    [
        "信访编号",
        "来源层级",
        "登记日期",
        "信访人",
        "联系电话",
        "反映问题",
        "涉及地区代码",
        "办理单位",
        "办理时限",
        "状态",
        "办结日期",
        "答复意见",
    ],
    [
        "XF-2018-001",
        "中央交办",
        date(2018, 1, 5),
        "张某某",
        "13907441234",
        "低保评定不公",
        "430821102204",
        "县信访局",
        "",
        "已办结",
        date(2018, 3, 1),
        "经核实已纳入低保",
    ],
    [
        "XF-2018-002",
        "县本级",
        date(2018, 5, 20),
        "李某",
        "",
        "通组道路损坏",
        "430821001200",
        "县水利局",
        date(2018, 6, 10),
        "办理中",
        "",
        "",
    ],
    [
        "XF-2018-003",
        "省交办",
        date(2018, 2, 1),
        "",
        "",
        "重复信访",
        "430821102000",
        "县信访局",
        "",
        "不予受理",
        date(2018, 2, 10),
        "",
    ],
    [
        "XF-2018-004",
        "中央交办",
        date(2018, 7, 1),
        "王某",
        "0744-3221234",
        "易地搬迁安置房漏水",
        "430821102204",
        "县信访局",
        "",
        "",
        "",
        "",
    ],
]


def _text(row: list) -> list[str]:
    return [v.isoformat() if isinstance(v, date) else v for v in row]


def main() -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in (("单位", UNITS), ("问题", PROBLEMS), ("信访", PETITIONS)):
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "ledger_libreoffice.xlsx"
        book.save(source)
        out = Path(tmp) / "out"
        subprocess.run(
            ["libreoffice", "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.copy(out / "ledger_libreoffice.xlsx", HERE / "ledger_libreoffice.xlsx")
    with (HERE / "问题.csv").open("w", encoding="gb18030", newline="") as fh:
        csv.writer(fh).writerows(_text(r) for r in PROBLEMS)
    with (HERE / "信访.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(_text(r) for r in PETITIONS)


if __name__ == "__main__":
    main()
