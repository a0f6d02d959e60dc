"""Field vocabulary shared by every context: parsers of cell and form values, and FieldSpec.

One definition of each column's label, type and rules: forms, the API and file importers all clean
values through specs, so a value accepted on a page is accepted in a file, with the same Chinese
message. Pure Python, no database access.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

TRUE_WORDS = {"是", "1", "Y", "YES", "TRUE", "√", "✓", "有"}
FALSE_WORDS = {"否", "0", "N", "NO", "FALSE", "×", "无"}
_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
_YEAR = re.compile(r"^\d{4}$")


class FieldError(ValueError):
    """A value that cannot be accepted; the message is Chinese and shown at the field."""


def text(value: Any) -> str:
    if value.__class__ is str:  # every CSV cell: the same result as the general path below, cheaper
        if "\u3000" in value:
            return value.replace("\u3000", " ").strip()
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().replace("\u3000", " ").strip()


def parse_bool(value: Any) -> bool | None:
    """是/否 columns also accept 1/0, Y/N, √/空 (empty = not given)."""
    if isinstance(value, bool):
        return value
    raw = text(value).upper()
    if raw == "":
        return None
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise FieldError(f"“{text(value)}”不是有效的是/否值，请填写 是 或 否")


def parse_money(value: Any) -> Decimal | None:
    """Yuan, up to 2 decimals; `12,345.60`, numbers and text all work; never negative."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise FieldError("金额应为数字")
    raw = text(value).replace(",", "").replace("，", "").replace("元", "").replace("¥", "").strip()
    try:
        amount = Decimal(str(value)) if isinstance(value, int | float) else Decimal(raw)
    except InvalidOperation as exc:
        raise FieldError(f"“{text(value)}”不是有效的金额") from exc
    if not amount.is_finite():
        raise FieldError(f"“{text(value)}”不是有效的金额")
    if amount < 0:
        raise FieldError("金额不能为负数")
    if amount >= Decimal("10000000000"):  # before quantize, which fails on huge exponents like 1e400
        raise FieldError("金额过大")
    quantized = amount.quantize(Decimal("0.01"))
    if isinstance(value, str) and quantized != amount:
        raise FieldError("金额最多保留两位小数")
    if quantized >= Decimal("10000000000"):
        raise FieldError("金额过大")
    return quantized


def parse_year(value: Any) -> int | None:
    raw = text(value)
    if raw == "":
        return None
    if raw.endswith("年"):
        raw = raw[:-1]
    if not _YEAR.match(raw):
        raise FieldError(f"“{text(value)}”不是有效的年份，应为4位数字，如 2018")
    year = int(raw)
    if not 1980 <= year <= 2100:
        raise FieldError(f"年份 {year} 超出合理范围（1980–2100）")
    return year


def parse_int(value: Any, *, low: int = 0, high: int = 10**9) -> int | None:
    raw = text(value)
    if raw == "":
        return None
    try:
        number = Decimal(raw.replace(",", ""))
    except InvalidOperation as exc:
        raise FieldError(f"“{raw}”不是有效的整数") from exc
    if not number.is_finite():  # Infinity / NaN
        raise FieldError(f"“{raw}”不是有效的整数")
    if number != number.to_integral_value():
        raise FieldError(f"“{raw}”不是整数")
    result = int(number)
    if not low <= result <= high:
        raise FieldError(f"应在 {low} 到 {high} 之间，实际为 {result}")
    return result


def parse_date(value: Any) -> date | None:
    """`YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD` or an Excel date cell (a date, or a serial number)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # an Excel serial date
            return date(1899, 12, 30) + timedelta(days=int(value))
    raw = text(value)
    if raw == "":
        return None
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(raw.split(" ")[0], pattern).date()
        except ValueError:
            continue
    raise FieldError(f"“{raw}”不是有效的日期，应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD")


def parse_phone(value: Any) -> str:
    raw = text(value).replace(" ", "")
    if raw == "":
        return ""
    if not _PHONE.match(raw):
        raise FieldError("联系电话应为11位手机号，或带区号的固定电话（如 0744-3221234）")
    return raw


def choice_parser(choices: list[str], aliases: Mapping[str, str] | None = None) -> Callable[[Any], str]:
    allowed = set(choices)
    alias = dict(aliases or {})

    def parse(value: Any) -> str:
        raw = text(value).replace("（", "(").replace("）", ")")
        if raw == "":
            return ""
        raw = alias.get(raw, alias.get(text(value), raw))
        if raw not in allowed:
            raise FieldError(f"“{text(value)}”不是有效的值，可选：{'、'.join(choices)}")
        return raw

    return parse


def parse_text(max_length: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        raw = text(value)
        if len(raw) > max_length:
            raise FieldError(f"不能超过{max_length}个字")
        return raw

    return parse


@dataclass(frozen=True)
class FieldSpec:
    name: str  # model field name
    label: str  # the column header / form label
    parse: Callable[[Any], Any]
    required: bool = False
    choices: tuple[str, ...] = field(default=())
    help: str = ""
    # The kind of value, which chooses the form widget: text, bool (是/否), date, money, choice, list
    # (free text with suggestions). Derived from the parser by `spec()` unless given.
    widget: str = "text"


_WIDGET_OF_PARSER: dict[Callable[[Any], Any], str] = {}


def spec(
    name: str,
    label: str,
    kind: Callable[[Any], Any] | tuple[Callable[[Any], Any], tuple[str, ...]],
    required: bool = False,
    help: str = "",
    *,
    widget: str = "",
) -> FieldSpec:
    """A FieldSpec from a parser, or a (parser, choices) pair; the widget follows the parser."""
    parse, choices = kind if isinstance(kind, tuple) else (kind, ())
    chosen = widget or _WIDGET_OF_PARSER.get(parse) or ("choice" if choices else "text")
    return FieldSpec(name, label, parse, required, choices, help, chosen)


_WIDGET_OF_PARSER.update({parse_bool: "bool", parse_date: "date", parse_money: "money"})


def choice(
    enum: Any, aliases: Mapping[str, str] | None = None
) -> tuple[Callable[[Any], str], tuple[str, ...]]:
    """(parser, choices) of a Django-free enum-like with `.values`."""
    return choice_parser(list(enum.values), aliases), tuple(enum.values)


def clean_row(
    specs: tuple[FieldSpec, ...], raw: Mapping[str, Any], *, partial: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse a row keyed by field name. Returns (values, errors by field name). With `partial`,
    fields absent from `raw` are skipped (updates)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in specs:
        if partial and spec.name not in raw:
            continue
        try:
            value = spec.parse(raw.get(spec.name))
        except FieldError as exc:
            errors[spec.name] = str(exc)
            continue
        if spec.required and (value is None or value == ""):
            errors[spec.name] = f"{spec.label}不能为空"
            continue
        values[spec.name] = value
    return values, errors


def labels(specs: tuple[FieldSpec, ...]) -> dict[str, str]:
    return {s.name: s.label for s in specs}
