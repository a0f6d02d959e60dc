"""Builds the golden files of the workbook tests (run from the project root, needs LibreOffice for the
xlsx written by a different writer than openpyxl/xlsxwriter):

    .venv/bin/python tests/golden/build_golden.py

Every variant is the same two-household base set with one defect, so each file tests one rule.
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
from jingzhun.regions.fields import VILLAGE_FIELDS  # noqa: E402
from jingzhun.registry.fields import HOUSEHOLD_FIELDS, MEMBER_FIELDS  # noqa: E402

VILLAGE = "430821102204"  # 杜坪村委会, 溪口镇
OTHER_VILLAGE = "430821001200"  # 琵琶村委会, 零阳街道
HEAD_A = make("432428", date(1968, 4, 12), 131)
WIFE_A = make("432428", date(1970, 9, 3), 142)
SON_A = make("430821", date(2007, 1, 20), 151)
HEAD_B = make("432428", date(1955, 11, 30), 212)


def base() -> tuple[list[dict[str, str]], list[dict[str, str]], list[dict[str, str]]]:
    households = [
        {
            "户编号": "G0001",
            "行政区划代码": VILLAGE,
            "村民小组": "3组",
            "户主姓名": "向国强",
            "户主证件号码": HEAD_A,
            "联系电话": "13907440001",
            "识别标准": "国家标准",
            "贫困户属性": "一般贫困户",
            "主要致贫原因": "因病",
            "其他致贫原因": "缺技术",
            "识别年度": "2014",
            "脱贫状态": "未脱贫",
            "脱贫年度": "",
            "计划脱贫年度": "2018",
            "收入年度": "2018",
            "工资性收入": "12,000.50",
            "生产经营性收入": "3000",
            "财产性收入": "0",
            "转移性收入": "1800",
            "生产经营性支出": "800",
            "不愁吃": "是",
            "不愁穿": "是",
            "饮水安全": "是",
            "住房安全等级": "B",
            "易地扶贫搬迁": "否",
        },
        {
            "户编号": "G0002",
            "行政区划代码": OTHER_VILLAGE,
            "村民小组": "",
            "户主姓名": "田桂英",
            "户主证件号码": HEAD_B,
            "联系电话": "",
            "识别标准": "",
            "贫困户属性": "五保贫困户",
            "主要致贫原因": "缺劳力",
            "其他致贫原因": "",
            "识别年度": "2015",
            "脱贫状态": "已脱贫",
            "脱贫年度": "2017",
            "计划脱贫年度": "2017",
            "收入年度": "2018",
            "工资性收入": "0",
            "生产经营性收入": "500",
            "财产性收入": "0",
            "转移性收入": "4200",
            "生产经营性支出": "0",
            "不愁吃": "1",
            "不愁穿": "Y",
            "饮水安全": "√",
            "住房安全等级": "",
            "易地扶贫搬迁": "",
        },
    ]
    common = {
        "民族": "土家族",
        "出生日期": "",
        "文化程度": "初中",
        "在校生状况": "非在校生",
        "未上学原因": "",
        "健康状况": "健康",
        "劳动技能": "普通劳动力",
        "务工时间（月）": "6",
        "参加基本医疗保险": "是",
        "参加大病保险": "是",
        "参加基本养老保险": "是",
        "低保": "否",
        "特困供养": "否",
    }
    members = [
        {
            **common,
            "户编号": "G0001",
            "姓名": "向国强",
            "证件号码": HEAD_A,
            "与户主关系": "户主",
            "性别": "男",
            "健康状况": "长期慢性病",
            "出生日期": "1968/04/12",
        },
        {
            **common,
            "户编号": "G0001",
            "姓名": "李秀兰",
            "证件号码": WIFE_A,
            "与户主关系": "配偶",
            "性别": "女",
            "民族": "汉族",
        },
        {
            **common,
            "户编号": "G0001",
            "姓名": "向小明",
            "证件号码": SON_A,
            "与户主关系": "之子",
            "性别": "男",
            "文化程度": "小学",
            "在校生状况": "初中",
            "劳动技能": "无劳动力",
            "务工时间（月）": "",
            "参加基本养老保险": "",
        },
        {
            **common,
            "户编号": "G0002",
            "姓名": "田桂英",
            "证件号码": HEAD_B,
            "与户主关系": "户主",
            "性别": "女",
            "文化程度": "文盲或半文盲",
            "劳动技能": "丧失劳动力",
            "务工时间（月）": "",
            "特困供养": "是",
        },
    ]
    villages = [
        {
            "行政区划代码": VILLAGE,
            "是否贫困村": "是",
            "出列状态": "未出列",
            "出列年度": "",
            "计划出列年度": "2018",
            "户籍人口": "2310",
            "户籍户数": "702",
            "村集体经济收入（万元）": "3.5",
            "通硬化路": "是",
            "通客运班车": "否",
            "未实现饮水安全户数": "0",
            "通生产生活用电": "是",
            "标准化卫生室": "是",
            "执业（助理）医师人数": "1",
            "通宽带": "是",
            "综合服务平台": "是",
        },
    ]
    return households, members, villages


def write_set(
    folder: Path,
    households,
    members,
    villages,
    *,
    encoding: str = "utf-8-sig",
    headers: dict[str, list[str]] | None = None,
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    headers = headers or {}
    for name, specs, rows in (
        ("户", HOUSEHOLD_FIELDS, households),
        ("成员", MEMBER_FIELDS, members),
        ("村", VILLAGE_FIELDS, villages),
    ):
        labels = [s.label for s in specs]
        with (folder / f"{name}.csv").open("w", encoding=encoding, newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(headers.get(name, labels))
            for row in rows:
                writer.writerow([row.get(label, "") for label in labels])


def build_libreoffice(target: Path) -> None:
    """Write the base set with openpyxl, then let LibreOffice re-save it: the golden file is LibreOffice's."""
    from openpyxl import Workbook

    households, members, villages = base()
    book = Workbook()
    book.remove(book.active)
    for name, specs, rows in (
        ("户", HOUSEHOLD_FIELDS, households),
        ("成员", MEMBER_FIELDS, members),
        ("村", VILLAGE_FIELDS, villages),
    ):
        sheet = book.create_sheet(name)
        labels = [s.label for s in specs]
        sheet.append(labels)
        for row in rows:
            # Money and years as numbers, as a user would type them; IDs stay text.
            sheet.append([_typed(label, row.get(label, "")) for label in labels])
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "libreoffice.xlsx"
        book.save(source)
        outdir = Path(tmp) / "out"
        subprocess.run(
            ["libreoffice", "--headless", "--convert-to", "xlsx", "--outdir", str(outdir), str(source)],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.copy(outdir / "libreoffice.xlsx", target)


def _typed(label: str, value: str):
    if label in ("识别年度", "收入年度", "计划脱贫年度", "脱贫年度", "户籍人口") and value:
        return int(value)
    if label in ("生产经营性收入", "转移性收入") and value:
        return float(value)
    return value


def main() -> None:
    households, members, villages = base()
    write_set(HERE / "valid_utf8", households, members, villages)
    write_set(HERE / "valid_gb18030", households, members, villages, encoding="gb18030")
    fullwidth = {
        "成员": [
            s.label.replace("（", "(").replace("）", ")") + (" " if i % 2 else "")
            for i, s in enumerate(MEMBER_FIELDS)
        ],
        "村": [" " + s.label.replace("（", "(").replace("）", ")") for s in VILLAGE_FIELDS],
    }
    fullwidth["户"] = [s.label for s in HOUSEHOLD_FIELDS] + ["备注"]
    write_set(HERE / "fullwidth_header", households, members, villages, headers=fullwidth)

    mangled = [dict(m) for m in members]
    mangled[1]["证件号码"] = "4.30821E+17"
    write_set(HERE / "mangled_id", households, mangled, villages)

    duplicate = [dict(m) for m in members]
    duplicate[3]["证件号码"] = WIFE_A  # 田桂英's row carries 李秀兰's ID: one person in two households
    duplicate[3]["性别"] = "女"
    write_set(HERE / "duplicate_ids", households, duplicate, villages)

    gender = [dict(m) for m in members]
    gender[1]["性别"] = "男"
    write_set(HERE / "gender_mismatch", households, gender, villages)

    no_head = [dict(m) for m in members]
    no_head[3]["与户主关系"] = "之母"
    write_set(HERE / "no_head", households, no_head, villages)

    unknown = [dict(h) for h in households]
    unknown[1]["行政区划代码"] = "430821999299"
    write_set(HERE / "unknown_village", unknown, members, villages)

    if shutil.which("libreoffice"):
        build_libreoffice(HERE / "libreoffice.xlsx")
    else:
        print("libreoffice not found: libreoffice.xlsx kept as it is", file=sys.stderr)


if __name__ == "__main__":
    main()
