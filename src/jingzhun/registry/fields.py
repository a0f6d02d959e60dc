"""Field vocabulary of the registry: one definition of each column's label, type and rules.

Forms, the API and the workbook importer all clean values through these specs, so a value accepted
on a page is accepted in a file and the messages are the same. Pure Python, no database access.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from jingzhun.registry import enums

TRUE_WORDS = {"是", "1", "Y", "YES", "TRUE", "√", "✓", "有"}
FALSE_WORDS = {"否", "0", "N", "NO", "FALSE", "×", "无"}
_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
_YEAR = re.compile(r"^\d{4}$")


class FieldError(ValueError):
    """A value that cannot be accepted; the message is Chinese and shown at the field."""


def text(value: Any) -> str:
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


def parse_causes(value: Any) -> str:
    raw = text(value)
    if raw == "":
        return ""
    parts = [p.strip() for p in re.split(r"[、,;；，]", raw) if p.strip()]
    if len(parts) > 2:
        raise FieldError("其他致贫原因最多填写2项")
    check = choice_parser(enums.PovertyCause.values)
    return "、".join(check(p) for p in parts)


def parse_ethnicity(value: Any) -> str:
    raw = text(value)
    if raw == "":
        return ""
    if raw in enums.ETHNIC_GROUPS:
        return raw
    if raw + "族" in enums.ETHNIC_GROUPS:
        return raw + "族"
    raise FieldError(f"“{raw}”不是56个民族之一（如 汉族、土家族）")


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


def _choice(
    enum: Any, aliases: Mapping[str, str] | None = None
) -> tuple[Callable[[Any], str], tuple[str, ...]]:
    return choice_parser(list(enum.values), aliases), tuple(enum.values)


def _spec(name: str, label: str, kind: Any, required: bool = False, help: str = "") -> FieldSpec:
    if isinstance(kind, tuple):
        return FieldSpec(name, label, kind[0], required, kind[1], help)
    return FieldSpec(name, label, kind, required, (), help)


def _exit_status(value: Any) -> str:
    raw = text(value)
    if raw in enums.EXIT_STATUS_NO_LONGER_ENJOYING:
        return enums.ExitStatus.EXITED.value
    raw = enums.EXIT_STATUS_CODES.get(raw, raw)
    return choice_parser(enums.ExitStatus.values)(raw)


HOUSEHOLD_FIELDS: tuple[FieldSpec, ...] = (
    _spec("code", "户编号", parse_text(40), True),
    _spec("village_code", "行政区划代码", parse_text(12), True, "12位村级代码"),
    _spec("group_name", "村民小组", parse_text(60)),
    _spec("head_name", "户主姓名", parse_text(60), True),
    _spec("head_id_number", "户主证件号码", parse_text(22), True),
    _spec("phone", "联系电话", parse_phone),
    _spec("identification_standard", "识别标准", _choice(enums.IdentificationStandard)),
    _spec(
        "attribute", "贫困户属性", _choice(enums.HouseholdAttribute, enums.HOUSEHOLD_ATTRIBUTE_ALIASES), True
    ),
    _spec("main_cause", "主要致贫原因", _choice(enums.PovertyCause), True),
    _spec("other_causes", "其他致贫原因", parse_causes, help="最多2项，用、分隔"),
    _spec("identified_year", "识别年度", parse_year, True),
    _spec("exit_status", "脱贫状态", (_exit_status, tuple(enums.ExitStatus.values)), True),
    _spec("exit_year", "脱贫年度", parse_year),
    _spec("planned_exit_year", "计划脱贫年度", parse_year),
    _spec("income_year", "收入年度", parse_year, True),
    _spec("wage", "工资性收入", parse_money, True),
    _spec("business", "生产经营性收入", parse_money, True),
    _spec("property_income", "财产性收入", parse_money, True),
    _spec("transfer", "转移性收入", parse_money, True),
    _spec("business_expense", "生产经营性支出", parse_money, True),
    _spec("food_secure", "不愁吃", parse_bool, True),
    _spec("clothing_secure", "不愁穿", parse_bool, True),
    _spec("water_safe", "饮水安全", parse_bool, True),
    _spec("housing_safety", "住房安全等级", _choice(enums.HousingSafety)),
    _spec("relocation", "易地扶贫搬迁", _choice(enums.Relocation)),
)

MEMBER_FIELDS: tuple[FieldSpec, ...] = (
    _spec("household_code", "户编号", parse_text(40), True),
    _spec("name", "姓名", parse_text(60), True),
    _spec("id_number", "证件号码", parse_text(22), True),
    _spec("relation", "与户主关系", _choice(enums.Relation), True),
    _spec("gender", "性别", _choice(enums.Gender), True),
    _spec("ethnicity", "民族", (parse_ethnicity, tuple(enums.ETHNIC_GROUPS))),
    _spec("birth_date", "出生日期", parse_date),
    _spec("education", "文化程度", _choice(enums.Education, enums.EDUCATION_ALIASES)),
    _spec("school_status", "在校生状况", _choice(enums.SchoolStatus), True),
    _spec(
        "not_in_school_reason",
        "未上学原因",
        _choice(enums.NotInSchoolReason, enums.NOT_IN_SCHOOL_REASON_ALIASES),
    ),
    _spec("health", "健康状况", _choice(enums.Health), True),
    _spec("labour_skill", "劳动技能", _choice(enums.LabourSkill), True),
    _spec("work_months", "务工时间（月）", lambda v: parse_int(v, low=0, high=12)),
    _spec("medical_insurance", "参加基本医疗保险", parse_bool, True),
    _spec("serious_illness_insurance", "参加大病保险", parse_bool),
    _spec("pension_insurance", "参加基本养老保险", parse_bool),
    _spec("dibao", "低保", parse_bool),
    _spec("tekun", "特困供养", parse_bool),
)

VILLAGE_FIELDS: tuple[FieldSpec, ...] = (
    _spec("code", "行政区划代码", parse_text(12), True),
    _spec("is_poor_village", "是否贫困村", parse_bool, True),
    _spec("exit_state", "出列状态", (choice_parser(["未出列", "已出列"]), ("未出列", "已出列"))),
    _spec("exit_year", "出列年度", parse_year),
    _spec("planned_exit_year", "计划出列年度", parse_year),
    _spec("registered_population", "户籍人口", lambda v: parse_int(v), True),
    _spec("registered_households", "户籍户数", lambda v: parse_int(v)),
    _spec("collective_income_wan", "村集体经济收入（万元）", parse_money),
    _spec("hardened_road", "通硬化路", parse_bool),
    _spec("bus_service", "通客运班车", parse_bool),
    _spec("households_without_safe_water", "未实现饮水安全户数", lambda v: parse_int(v)),
    _spec("power", "通生产生活用电", parse_bool),
    _spec("standard_clinic", "标准化卫生室", parse_bool),
    _spec("licensed_doctors", "执业（助理）医师人数", lambda v: parse_int(v)),
    _spec("broadband", "通宽带", parse_bool),
    _spec("service_centre", "综合服务平台", parse_bool),
)

INCOME_FIELD_NAMES = ("wage", "business", "property_income", "transfer", "business_expense")


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
