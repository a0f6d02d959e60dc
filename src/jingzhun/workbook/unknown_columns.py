"""Households from a national list in the registry workbook (docs/workbook.md "全国系统名单导入的户"): what the
list left unknown stays unknown through registry export → registry import, never a default.

The spec's sheet 户 requires columns a national list does not carry (识别年度, incomes, 不愁吃/穿, …). When
the exported households include any imported from a national list (`Household.national` set), sheet 户 gets
four more columns at its end — an extension the importer reads and an older one ignores with a warning:

- 数据来源: 全国系统名单 marks such a household; empty for every other.
- 户类型, 危房户: `household_type` and `dilapidated` (是/否/empty), which the spec's columns cannot say.
- 人均纯收入: the stated per-capita figure of a record whose components are unknown.

On a row marked 全国系统名单 the columns of `UNKNOWABLE` may be empty, and an empty cell there is stored as
unknown (None / ""), as the national import stores it; an empty 住房安全等级 is "grade unknown"
(`housing_grade_unknown`), and 已脱贫 needs no 脱贫年度. Its members' 参加基本医疗保险 may be empty (None). An
unmarked row is checked exactly as before: an empty required cell is an error. Pure Python.
"""

from __future__ import annotations

from dataclasses import replace

from jingzhun.core.fields import FieldSpec, parse_bool, parse_money, parse_text
from jingzhun.core.fields import spec as _spec

SOURCE_NATIONAL = "全国系统名单"

# the extension columns of sheet 户, in file order (names are not model fields except the last three)
EXTRA_HOUSEHOLD_SPECS: tuple[FieldSpec, ...] = (
    _spec("source", "数据来源", parse_text(20)),
    _spec("household_type", "户类型", parse_text(40)),
    _spec("dilapidated", "危房户", parse_bool),
    _spec("per_capita_net", "人均纯收入", parse_money),
)

# required columns of sheet 户 a national list may leave unknown (None, or "" for the text ones)
UNKNOWABLE = frozenset(
    {
        "attribute",
        "identified_year",
        "exit_status",
        "income_year",
        "wage",
        "business",
        "property_income",
        "transfer",
        "business_expense",
        "food_secure",
        "clothing_secure",
        "water_safe",
    }
)
UNKNOWABLE_TEXT = ("attribute", "exit_status")  # stored as "" when unknown
INCOME_COMPONENTS = ("wage", "business", "property_income", "transfer", "business_expense")
UNKNOWABLE_MEMBER = frozenset({"medical_insurance"})


def relaxed(specs: tuple[FieldSpec, ...], names: frozenset[str]) -> tuple[FieldSpec, ...]:
    """The same specs with `names` optional: an empty cell is then None, not an error."""
    return tuple(replace(s, required=False) if s.name in names else s for s in specs)


def is_national(cell: object) -> bool:
    return str(cell or "").strip() == SOURCE_NATIONAL
