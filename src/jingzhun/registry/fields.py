"""Field vocabulary of the registry: one definition of each column's label, type and rules.

Forms, the API and the workbook importer all clean values through these specs, so a value accepted
on a page is accepted in a file and the messages are the same. Pure Python, no database access.
The generic parsers and FieldSpec live in `core.fields`; they are re-exported here for the registry's
callers.
"""

from __future__ import annotations

import re
from typing import Any

from jingzhun.core.fields import (  # noqa: F401  (re-exported vocabulary)
    FALSE_WORDS,
    TRUE_WORDS,
    FieldError,
    FieldSpec,
    choice_parser,
    clean_row,
    labels,
    parse_bool,
    parse_date,
    parse_int,
    parse_money,
    parse_phone,
    parse_text,
    parse_year,
    text,
)
from jingzhun.core.fields import choice as _choice
from jingzhun.core.fields import spec as _spec
from jingzhun.registry import enums


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
    _spec("ethnicity", "民族", (parse_ethnicity, tuple(enums.ETHNIC_GROUPS)), widget="list"),
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

# A member's data columns (成员信息), in the register's order: the one list the audit snapshot, the
# yearly snapshot and the import's comparison take theirs from (the specs above add 户编号 and follow
# the workbook's column order; the rules read their own subset, rules.spec.MemberData).
MEMBER_COLUMNS = (
    "name",
    "id_number",
    "gender",
    "ethnicity",
    "birth_date",
    "relation",
    "education",
    "school_status",
    "not_in_school_reason",
    "health",
    "labour_skill",
    "work_months",
    "medical_insurance",
    "serious_illness_insurance",
    "pension_insurance",
    "dibao",
    "tekun",
)

INCOME_FIELD_NAMES = ("wage", "business", "property_income", "transfer", "business_expense")
