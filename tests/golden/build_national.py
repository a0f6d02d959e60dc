"""Builds the golden national person lists (docs/national-list.md), run from the project root:

    .venv/bin/python tests/golden/build_national.py

`national/2016.xlsx` and `national/2021.xlsx` are written with openpyxl (IDs as text cells, 人数 and money as
numbers, as a county's file has them) and then re-saved by LibreOffice, so the golden files are LibreOffice's;
`national/2016-utf8.csv` and `national/2021-gb18030.csv` hold the same rows as CSV (the encodings Chinese
Excel and WPS write). Each list has one extra column (备注) that the import ignores with a warning.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "src"))

from jingzhun.lib.idcard import make  # noqa: E402
from jingzhun.workbook.national_layout import LAYOUT_2016, LAYOUT_2021  # noqa: E402

OUT = HERE / "national"

# 2016–2019: 杜坪村 = 杜坪村委会 (430821102204, 溪口镇); 南街社区 = 南街居委会 (430821001001, 零阳街道)
P1 = make("432428", date(1968, 4, 12), 131)
P2 = make("432428", date(1970, 9, 3), 142)
P3 = make("430821", date(2009, 1, 20), 151)
P4 = make("432428", date(1950, 11, 30), 212)
ROWS_2016 = [
    # 县, 乡, 村, 自然村, 户编号, 人编号, 姓名, 身份证, 人数, 与户主关系, 民族, 文化程度, 在校生状况, 健康状况,
    # 劳动技能, 务工时间（月）, 参加大病医疗, 脱贫属性, 贫困户属性, 致贫原因1, 备注
    ["慈利县", "溪口镇", "杜坪村", "3组", "4308211022040001", "430821102204000101", "向国强", P1, 3, "户主",
     "土家族", "初中", "非在校生", "健康", "普通劳动力", 8, "是", "已脱贫(不享受政策)", "一般贫困户", "因病致贫", ""],
    ["慈利县", "溪口镇", "杜坪村", "3组", "4308211022040001", "430821102204000102", "李秀兰", P2, 3, "配偶",
     "汉族", "小学", "非在校生", "长期慢性病", "弱劳动力或半劳动力", 0, "否", "已脱贫(不享受政策)", "一般贫困户",
     "因病致贫", "新婚"],
    ["慈利县", "溪口镇", "杜坪村", "3组", "4308211022040001", "430821102204000103", "向小军", P3, 3, "之子",
     "土家族", "小学", "小学", "健康", "无劳动力", "", "是", "已脱贫(不享受政策)", "一般贫困户", "因病致贫", ""],
    ["慈利县", "零阳街道", "南街社区", "", "4308210010010002", "430821001001000201", "田桂英", P4, 1, "户主",
     "土家族", "文盲或半文盲", "非在校生", "残疾", "丧失劳动力", "", "", "预脱贫", "五保贫困户", "缺劳力", ""],
]  # fmt: skip

# 2021+: 白马村 = 白马村委会 (430821106210, 象市镇); 东市社区 (430821103001, 东岳观镇) exactly
Q1 = make("430821", date(1975, 2, 8), 313)
Q2 = make("430821", date(1978, 6, 1), 324)
Q3 = make("430821", date(2012, 3, 15), 332)
Q4 = make("432428", date(1960, 12, 24), 415)
ROWS_2021 = [
    # 序号, 数据日期, 县, 乡, 村, 自然村, 户编号, 人编号, 姓名, 证件号码, 人数, 与户主关系, 民族, 文化程度,
    # 在校生状况, 健康状况, 劳动技能, 务工时间（月）, 是否参加大病保险, 致贫原因1, 危房户, 是否解决安全饮用水,
    # 人均纯收入, 户联系电话, 人联系电话, 首次识别时间, 人员识别时间, 户类型, 易返贫致贫户(监测对象)类型,
    # 风险是否消除, 风险识别时间, 风险消除时间, 备注
    [1, "2024-06-30", "慈利县", "象市镇", "白马村", "五组", "4308211062100007", "430821106210000701", "覃正华",
     Q1, 3, "户主", "土家族", "高中(含中专)", "非在校生", "健康", "技能劳动力", 10, "是", "因学", "是", "是",
     "6,523.40", "13907446001", "13907446001", "2014-05-06", "2014-05-06", "脱贫户", "脱贫不稳定户", "否",
     "2022-03-01", "", ""],
    [2, "2024-06-30", "慈利县", "象市镇", "白马村", "五组", "4308211062100007", "430821106210000702", "王春梅",
     Q2, 3, "配偶", "汉族", "初中", "非在校生", "健康", "普通劳动力", 6, "是", "因学", "是", "是", "6,523.40",
     "13907446001", "", "2014-05-06", "2016-01-10", "脱贫户", "脱贫不稳定户", "否", "2022-03-01", "", ""],
    [3, "2024-06-30", "慈利县", "象市镇", "白马村", "五组", "4308211062100007", "430821106210000703", "覃思雨",
     Q3, 3, "之女", "土家族", "小学", "小学", "健康", "无劳动力", "", "是", "因学", "是", "是", "6,523.40",
     "13907446001", "", "2014-05-06", "2014-05-06", "脱贫户", "脱贫不稳定户", "否", "2022-03-01", "", ""],
    [4, "2024-06-30", "慈利县", "东岳观镇", "东市社区", "", "4308211030010011", "430821103001001101", "彭德贵",
     Q4, 1, "户主", "汉族", "小学", "非在校生", "患有大病", "丧失劳动力", "", "否", "因病致贫", "否", "否",
     "5200", "", "", "2021-09-01", "2021-09-01", "一般农户", "边缘易致贫户", "是", "2021-09-01",
     "2023-12-01", "备注文字"],
]  # fmt: skip

HEADERS_2016 = [*LAYOUT_2016, "备注"]
HEADERS_2021 = [*LAYOUT_2021, "备注"]


def write_csv(path: Path, headers: list[str], rows: list[list[object]], encoding: str) -> None:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)


def write_libreoffice(target: Path, headers: list[str], rows: list[list[object]]) -> None:
    """openpyxl writes it (ID columns as text cells), LibreOffice re-saves it: the golden file is LibreOffice's."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "人员名单"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / target.name
        book.save(source)
        outdir = Path(tmp) / "out"
        subprocess.run(
            ["libreoffice", "--headless", "--convert-to", "xlsx", "--outdir", str(outdir), str(source)],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.copy(outdir / target.name, target)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    write_csv(OUT / "2016-utf8.csv", HEADERS_2016, ROWS_2016, "utf-8-sig")
    write_csv(OUT / "2021-gb18030.csv", HEADERS_2021, ROWS_2021, "gb18030")
    if shutil.which("libreoffice"):
        write_libreoffice(OUT / "2016.xlsx", HEADERS_2016, ROWS_2016)
        write_libreoffice(OUT / "2021.xlsx", HEADERS_2021, ROWS_2021)
    else:
        print("libreoffice not found: the xlsx golden files kept as they are", file=sys.stderr)


if __name__ == "__main__":
    main()
