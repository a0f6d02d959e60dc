"""The national person lists (全国系统人员名单): their two layouts, header aliases, detection, and the column
mapping an import uses (spec/registry-workbook.md "The national person list"; docs/national-list.md).

A national list is one sheet, one row per person: the 2016–2019 建档立卡 export of the 全国扶贫开发信息系统
and the 2021+ lists of the 防返贫监测系统 (已脱贫人口名单, 边缘易致贫人口名单). Columns are found by header,
after `columns.normalize_header`; a header the layouts do not know may be mapped by hand to one of theirs
(`HeaderMapping`, remembered per county). Pure Python, no database access.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jingzhun.workbook.columns import SHEETS, normalize_header

# Headers in file order, as the spec lists them (natout's export writes the same).
LAYOUT_2016 = (
    "县(市、区、旗)", "乡(镇)", "行政村", "自然村", "户编号", "人编号", "姓名", "身份证", "人数", "与户主关系",
    "民族", "文化程度", "在校生状况", "健康状况", "劳动技能", "务工时间（月）", "参加大病医疗", "脱贫属性",
    "贫困户属性", "致贫原因1",
)  # fmt: skip
LAYOUT_2021 = (
    "序号", "数据日期", "县(市、区、旗)", "乡(镇)", "行政村", "自然村", "户编号", "人编号", "姓名", "证件号码",
    "人数", "与户主关系", "民族", "文化程度", "在校生状况", "健康状况", "劳动技能", "务工时间（月）",
    "是否参加大病保险", "致贫原因1", "危房户", "是否解决安全饮用水", "人均纯收入", "户联系电话", "人联系电话",
    "首次识别时间", "人员识别时间", "户类型", "易返贫致贫户(监测对象)类型", "风险是否消除", "风险识别时间",
    "风险消除时间",
)  # fmt: skip
LAYOUTS = {"2016": LAYOUT_2016, "2021": LAYOUT_2021}
LAYOUT_NAMES = {
    "2016": "2016–2019 全国扶贫开发信息系统 建档立卡人员名单",
    "2021": "2021年起 防返贫监测系统 人员名单（已脱贫人口 / 边缘易致贫人口）",
}

# Canonical keys: the spec's header (normalised). Where the layouts spell a column differently the key is
# one spelling and the others are aliases (spec "Aliases").
COUNTY, TOWNSHIP, VILLAGE, GROUP = "县(市、区、旗)", "乡(镇)", "行政村", "自然村"
CODE, PERSON, NAME, ID, SIZE, RELATION = "户编号", "人编号", "姓名", "证件号码", "人数", "与户主关系"
ETHNICITY, EDUCATION, SCHOOL, HEALTH, SKILL, WORK = (
    "民族", "文化程度", "在校生状况", "健康状况", "劳动技能", "务工时间(月)",
)  # fmt: skip
ILLNESS = "参加大病保险"
EXIT, ATTRIBUTE, CAUSE = "脱贫属性", "贫困户属性", "致贫原因1"
HOUSING, WATER, INCOME, PHONE = "危房户", "是否解决安全饮用水", "人均纯收入", "户联系电话"
PERSON_PHONE, IDENTIFIED, PERSON_IDENTIFIED, TYPE = "人联系电话", "首次识别时间", "人员识别时间", "户类型"
MONITOR, RISK_GONE, RISK_FOUND, RISK_GONE_AT = (
    "易返贫致贫户(监测对象)类型", "风险是否消除", "风险识别时间", "风险消除时间",
)  # fmt: skip
SERIAL, DATA_DATE = "序号", "数据日期"

ALIASES = {
    "身份证": ID,
    "参加大病医疗": ILLNESS,
    "是否参加大病保险": ILLNESS,
    "主要致贫原因": CAUSE,
    "饮水安全": WATER,
    "联系电话": PHONE,
}

# Every column either layout has, in a stable order (the choices of the mapping step).
KEYS: tuple[str, ...] = tuple(
    dict.fromkeys(ALIASES.get(normalize_header(h), normalize_header(h)) for h in LAYOUT_2021 + LAYOUT_2016)
)
LABELS = {key: key for key in KEYS} | {ID: "证件号码（身份证）", ILLNESS: "参加大病保险（参加大病医疗）"}

# Household columns: must agree on every row of one 户编号 (spec), and the village columns with them.
HOUSEHOLD_KEYS = (ATTRIBUTE, CAUSE, EXIT, PHONE, HOUSING, WATER, INCOME, TYPE, IDENTIFIED, SIZE)
PLACE_KEYS = (COUNTY, TOWNSHIP, VILLAGE, GROUP)
# Member columns without a field of their own, kept as raw text in Member.national (docs/national-list.md)
MEMBER_RAW_KEYS = (PERSON_PHONE, PERSON_IDENTIFIED, MONITOR, RISK_GONE, RISK_FOUND, RISK_GONE_AT)
# Read for the whole file, or only as a row counter: recognised, not stored per row
FILE_KEYS = (SERIAL, DATA_DATE)
REQUIRED = (
    COUNTY,
    TOWNSHIP,
    VILLAGE,
    CODE,
    NAME,
    ID,
    RELATION,
    SCHOOL,
    HEALTH,
    SKILL,
    CAUSE,
)  # with SIGNATURE
# what makes a sheet a national list (spec "recognises such a sheet"); the ID column is then required
SIGNATURE = (CODE, RELATION, VILLAGE)
# A sheet that lacks one of the signature's headers (renamed: 户号, 关系, 所在村) is still recognised when most of
# its headers are the layouts' (`RECOGNISED_SHARE` of its non-empty headers, at least `RECOGNISED_MIN`), among
# them at least `OWN_MIN` that only the national lists have — so the registry workbook's 成员 sheet (户编号,
# 与户主关系, 姓名, …, no 县/乡/人数) is never taken for one; the mapping step then maps the missing ones by hand.
RECOGNISED_SHARE = 0.6
RECOGNISED_MIN = 8
OWN_MIN = 3

_UNIQUE = {
    layout: {ALIASES.get(normalize_header(h), normalize_header(h)) for h in headers}
    for layout, headers in LAYOUTS.items()
}
_ONLY_2016 = {normalize_header(h) for h in LAYOUT_2016} - {normalize_header(h) for h in LAYOUT_2021}
_ONLY_2021 = {normalize_header(h) for h in LAYOUT_2021} - {normalize_header(h) for h in LAYOUT_2016}


# headers only the national lists have (not a column of the registry workbook's sheets)
_NATIONAL_OWN = (_UNIQUE["2016"] | _UNIQUE["2021"] | set(ALIASES)) - {
    normalize_header(h) for sheet in SHEETS for h in sheet.headers
}

# Fields of the registry a layout does not carry: stored as unknown (spec "What the list does not carry")
UNKNOWN_FIELDS = {
    "2016": (
        "识别年度", "脱贫年度", "收入（各项）", "人均纯收入", "不愁吃", "不愁穿", "饮水安全", "住房安全等级",
        "参加基本医疗保险",
    ),
    "2021": (
        "贫困户属性", "脱贫年度", "收入（各项，人均纯收入已知）", "不愁吃", "不愁穿", "住房安全等级",
        "参加基本医疗保险",
    ),
}  # fmt: skip

HOW_BUILTIN, HOW_ALIAS, HOW_REMEMBERED, HOW_MANUAL = "内置", "别名", "已记住的映射", "手工映射"


@dataclass(frozen=True)
class MappedColumn:
    index: int  # 0-based position in the sheet
    header: str  # as the file writes it
    key: str | None  # canonical key, None = ignored
    how: str = ""  # HOW_*


@dataclass
class ColumnMap:
    """How one sheet's columns map to the national layout."""

    sheet: str
    columns: list[MappedColumn] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (header, key) mapped twice

    @property
    def index(self) -> dict[str, int]:
        return {c.key: c.index for c in self.columns if c.key is not None}

    @property
    def ignored(self) -> list[str]:
        return [c.header for c in self.columns if c.key is None]

    @property
    def layout(self) -> str:
        """2021 when the file has more of the 2021 layout's own columns than of the 2016 one's."""
        found = {normalize_header(c.header) for c in self.columns} | set(self.index)
        return "2021" if len(found & _ONLY_2021) > len(found & _ONLY_2016) else "2016"

    @property
    def missing_required(self) -> list[str]:
        have = self.index
        return [key for key in REQUIRED if key not in have]

    def is_national(self) -> bool:
        """The signature's headers are all there (spec), or the sheet is recognised by its share of the
        layouts' headers with one or more of the signature's renamed (then missing: mapped by hand)."""
        have = self.index
        if all(key in have for key in SIGNATURE):
            return True
        known = sum(1 for c in self.columns if c.key is not None)
        own = sum(
            1 for c in self.columns if c.key is not None and normalize_header(c.header) in _NATIONAL_OWN
        )
        return known >= RECOGNISED_MIN and known >= RECOGNISED_SHARE * len(self.columns) and own >= OWN_MIN

    def to_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "layout": self.layout,
            "layout_name": LAYOUT_NAMES[self.layout],
            "columns": [
                {"index": c.index, "header": c.header, "key": c.key or "", "how": c.how} for c in self.columns
            ],
            "ignored": self.ignored,
            "missing": self.missing_required,
            "unknown_fields": list(UNKNOWN_FIELDS[self.layout]),
        }


def map_columns(
    sheet: str,
    header: Iterable[Any],
    *,
    remembered: Mapping[str, str] | None = None,
    manual: Mapping[str, str] | None = None,
) -> ColumnMap:
    """Map each header cell: a hand mapping of this upload first (an empty target ignores the column), then
    the layouts' own headers and aliases, then the county's remembered mappings. Keys are normalised
    headers; targets are canonical keys (`KEYS`)."""
    remembered = remembered or {}
    manual = manual or {}
    result = ColumnMap(sheet=sheet)
    cells = [(index, normalize_header(cell), str(cell).strip()) for index, cell in enumerate(header)]
    cells = [c for c in cells if c[1]]
    chosen: dict[int, tuple[str | None, str]] = {}
    # the layouts' own headers first, then this upload's hand mappings, then the county's remembered ones
    # (a remembered mapping to a column the file has itself is simply not used)
    for index, norm, _ in cells:
        if norm in manual:
            chosen[index] = (manual[norm] or None, HOW_MANUAL)
        elif norm in _UNIQUE["2016"] | _UNIQUE["2021"]:
            chosen[index] = (norm, HOW_BUILTIN)
        elif norm in ALIASES:
            chosen[index] = (ALIASES[norm], HOW_ALIAS)
    taken: set[str] = set()
    for index, _norm, shown in cells:
        key, how = chosen.get(index, (None, ""))
        if key is None or key not in LABELS:
            continue
        if key in taken:
            result.duplicates.append((shown, key))
            chosen[index] = (None, "")
        else:
            taken.add(key)
    for index, norm, _ in cells:
        target = remembered.get(norm)
        if index not in chosen and target in LABELS and target not in taken:
            chosen[index] = (target, HOW_REMEMBERED)
            taken.add(target)
    for index, _, shown in cells:
        key, how = chosen.get(index, (None, ""))
        if key is not None and key not in LABELS:
            key, how = None, ""
        result.columns.append(MappedColumn(index, shown, key, how if key else ""))
    return result


def describe(mapping: Mapping[str, Any]) -> list[str]:
    """The mapping (`ColumnMap.to_dict()`, with "year" and "year_source" once read) in Chinese, one line
    each: what the dry run prints and the upload page shows."""
    lines = [f"识别为全国系统人员名单：{mapping['layout_name']}（工作表“{mapping['sheet']}”）", "列对应："]
    for column in mapping["columns"]:
        if not column["key"]:
            continue
        how = "" if column["how"] == HOW_BUILTIN else f"（{column['how']}）"
        lines.append(f"  第{column['index'] + 1}列 {column['header']} → {LABELS[column['key']]}{how}")
    ignored = mapping["ignored"]
    lines.append(f"忽略的列：{'、'.join(ignored) if ignored else '无'}")
    if mapping.get("missing"):
        lines.append(f"缺少的必填列：{'、'.join(mapping['missing'])}")
    lines.append(f"本格式不含、按“未知”导入的项：{'、'.join(mapping['unknown_fields'])}")
    if mapping.get("year"):
        lines.append(f"导入年度：{mapping['year']}（{mapping['year_source']}）")
    return lines
