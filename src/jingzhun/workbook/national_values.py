"""Values of the national person lists (docs/national-list.md): the parsers of their household columns
(致贫原因1 with or without 致贫, 脱贫属性, dates whose year counts), the member columns they fill, the import year,
and the cell helpers the parser uses on a million rows. Pure Python, no database access."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from jingzhun.lib import idcard
from jingzhun.registry import enums
from jingzhun.registry.fields import (
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    FieldError,
    parse_bool,
    parse_date,
    parse_int,
    parse_money,
    parse_phone,
    parse_text,
    text,
)
from jingzhun.workbook import national_layout as L

_HH_SPECS = {s.name: s for s in HOUSEHOLD_FIELDS}
_MB_SPECS = {s.name: s for s in MEMBER_FIELDS}


def _cause(value: Any) -> str:
    raw = text(value)
    if raw.endswith("致贫") and len(raw) > 2:  # 因病致贫 = 因病
        raw = raw[:-2]
    return _HH_SPECS["main_cause"].parse(raw)


# 脱贫属性 → (脱贫状态, 不再享受政策, 预脱贫); brackets are normalised first
_EXIT_WORDS = {
    "未脱贫": (enums.ExitStatus.NOT_EXITED.value, False, False),
    "0": (enums.ExitStatus.NOT_EXITED.value, False, False),
    "已脱贫": (enums.ExitStatus.EXITED.value, False, False),
    "1": (enums.ExitStatus.EXITED.value, False, False),
    "已脱贫(享受政策)": (enums.ExitStatus.EXITED.value, False, False),
    "返贫": (enums.ExitStatus.RETURNED.value, False, False),
    "3": (enums.ExitStatus.RETURNED.value, False, False),
    "已脱贫(不享受政策)": (enums.ExitStatus.EXITED.value, True, False),
    "已脱贫(不再享受政策)": (enums.ExitStatus.EXITED.value, True, False),
    "4": (enums.ExitStatus.EXITED.value, True, False),
    "预脱贫": (enums.ExitStatus.NOT_EXITED.value, False, True),
}


def _exit(value: Any) -> tuple[str, bool, bool] | None:
    raw = text(value).replace("（", "(").replace("）", ")").replace(" ", "")
    if raw == "":
        return None
    hit = _EXIT_WORDS.get(raw)
    if hit is None:
        raise FieldError(
            f"“{text(value)}”不是有效的脱贫属性，可选：未脱贫、已脱贫、返贫、已脱贫(享受政策)、已脱贫(不享受政策)、预脱贫"
        )
    return hit


_YEAR_START = re.compile(r"^(\d{4})(?:$|[-/.年]|\d{2})")


def year_of(value: Any) -> int | None:
    """The year of a date column (首次识别时间, 数据日期): an Excel date cell, `2014-05-06`, `20140506`,
    `2014年5月` or `2014`."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.year
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 3000:
        parsed = parse_date(value)  # an Excel serial date
        return parsed.year if parsed else None
    match = _YEAR_START.match(text(value))
    if not match:
        raise FieldError(f"“{text(value)}”不是有效的日期，应为 YYYY-MM-DD 或 YYYY")
    year = int(match.group(1))
    if not 1980 <= year <= 2100:
        raise FieldError(f"年份 {year} 超出合理范围（1980–2100）")
    return year


def parse_size(value: Any) -> int | None:
    return parse_int(value, low=1, high=99)


# Household columns: (layout key, model field, parser). Parsed once per household (its first row).
HOUSEHOLD_PARSERS: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    (L.ATTRIBUTE, _HH_SPECS["attribute"].parse),
    (L.CAUSE, _cause),
    (L.EXIT, _exit),
    (L.PHONE, parse_phone),
    (L.HOUSING, parse_bool),
    (L.WATER, parse_bool),
    (L.INCOME, parse_money),
    (L.TYPE, parse_text(20)),
    (L.IDENTIFIED, year_of),
    (L.SIZE, parse_size),
)
MEMBER_KEYS = {
    L.NAME: "name",
    L.ID: "id_number",
    L.RELATION: "relation",
    L.ETHNICITY: "ethnicity",
    L.EDUCATION: "education",
    L.SCHOOL: "school_status",
    L.HEALTH: "health",
    L.SKILL: "labour_skill",
    L.WORK: "work_months",
    L.ILLNESS: "serious_illness_insurance",
}
# the member specs a list can fill; 性别 and 出生日期 come from the ID (validation.member_errors)
MEMBER_SPECS = tuple(_MB_SPECS[name] for name in MEMBER_KEYS.values()) + (
    replace(_MB_SPECS["gender"], required=False),
)
LABEL = {key: L.LABELS[key] for key in L.KEYS}
EXITED_TYPE = "脱贫户"


def import_year(option: int | None, data_date: Any) -> tuple[int, str]:
    """--year Y, else 数据日期's year, else the current year (spec)."""
    if option:
        return option, "--year"
    try:
        year = year_of(data_date)
    except FieldError:
        year = None
    if year:
        return year, "数据日期"
    return date.today().year, "当前年份"


MEMBER_KEY_OF = {name: key for key, name in MEMBER_KEYS.items()}


def fast_text(cell: Any) -> str:
    """`text` for the common case of a str cell (every CSV cell): trimmed; `text` for anything else."""
    if cell.__class__ is str:
        if "\u3000" in cell:
            return cell.replace("\u3000", " ").strip()
        return cell.strip()
    return text(cell)


def trimmed(raw: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(fast_text(c) for c in raw)


def picker(positions: list[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """cells → the tuple of the cells at `positions` (itemgetter gives a bare value for one position)."""
    if not positions:
        return lambda cells: ()
    if len(positions) == 1:
        i = positions[0]
        return lambda cells: (cells[i],)
    return itemgetter(*positions)


def mangled(cell: Any) -> bool:
    if isinstance(cell, bool):
        return False
    if isinstance(cell, int | float):
        return True
    return isinstance(cell, str) and idcard.looks_mangled_by_excel(cell)
