"""The shipped default standard: 湖南省 2016–2020 (domain.md §3–§5). ASSUMPTION items are flagged and
shown in the UI as 默认口径，可配置. `ensure_defaults()` is idempotent (called by `jingzhun init`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from jingzhun.rules.vocabulary import clean_params
from jingzhun.standards.models import PovertyLine, Rule, StandardSet, StandardStatus

DEFAULT_NAME = "湖南省 2016–2020"

# year → (元/人/年, is ASSUMPTION)
POVERTY_LINES = {
    2013: (2736, False),
    2014: (2800, False),
    2015: (2855, False),
    2016: (2952, False),
    2017: (3335, True),
    2018: (3535, True),
    2019: (3747, True),
    2020: (4000, True),
}

# The Hunan wording was not found in a source (domain.md §4): the rules carry the assumption flag, and the
# note says only what a cadre needs to read.
VILLAGE_NOTE = "湖南“一个确保、两个完善”：贫困发生率为“确保”，基础设施与公共服务为“两个完善”"


def _eq(field: str, value: Any) -> dict[str, Any]:
    return {"field": field, "op": "eq", "value": value}


# (level, code, name, operator, params, is_assumption, note)
DEFAULT_RULES: list[tuple[str, str, str, str, dict[str, Any], bool, str]] = [
    (
        "household",
        "H-INCOME",
        "收入稳定超过扶贫标准",
        "income_above_line",
        {},
        False,
        "人均纯收入 =（工资性+生产经营性+财产性+转移性收入−生产经营性支出）÷家庭人口数；等于扶贫标准不达标",
    ),
    (
        "household",
        "H-FOOD",
        "不愁吃",
        "household_where",
        {"conditions": [_eq("food_secure", True)]},
        False,
        "",
    ),
    (
        "household",
        "H-CLOTHING",
        "不愁穿",
        "household_where",
        {"conditions": [_eq("clothing_secure", True)]},
        False,
        "",
    ),
    (
        "household",
        "H-EDUCATION",
        "义务教育有保障",
        "no_member_where",
        {
            "conditions": [
                {"field": "age", "op": "between", "value": [6, 15]},
                _eq("school_status", "非在校生"),
                {"field": "education", "op": "in", "value": ["", "学龄前儿童", "文盲或半文盲", "小学"]},
                {"field": "not_in_school_reason", "op": "ne", "value": "身体原因(送教上门)"},
            ]
        },
        False,
        "6–15周岁（按基准日足岁计，出生日期取自证件号码）非在校且未完成初中的成员，送教上门除外",
    ),
    (
        "household",
        "H-MEDICAL",
        "基本医疗有保障",
        "every_member_where",
        {"conditions": [_eq("medical_insurance", True)]},
        False,
        "",
    ),
    (
        "household",
        "H-HOUSING",
        "住房安全有保障",
        "household_where",
        {
            "match": "any",
            "conditions": [
                {"field": "housing_safety", "op": "in", "value": ["A", "B"]},
                _eq("relocation", "已搬迁入住"),
            ],
        },
        False,
        "住房安全等级为A或B级，或已搬迁入住；C/D级或未鉴定不达标",
    ),
    (
        "household",
        "H-WATER",
        "饮水安全有保障",
        "household_where",
        {"conditions": [_eq("water_safe", True)]},
        False,
        "",
    ),
    (
        "village",
        "V-INCIDENCE",
        "贫困发生率低于2%",
        "village_incidence_below",
        {"threshold_pct": "2"},
        True,
        VILLAGE_NOTE,
    ),
    (
        "village",
        "V-COLLECTIVE",
        "村集体经济收入",
        "village_where",
        {"conditions": [{"field": "collective_income_wan", "op": "gte", "value": "4"}]},
        True,
        VILLAGE_NOTE,
    ),
    (
        "village",
        "V-ROAD",
        "通村道路畅通",
        "village_where",
        {"conditions": [_eq("hardened_road", True)]},
        True,
        VILLAGE_NOTE,
    ),
    (
        "village",
        "V-WATER",
        "人畜饮水安全",
        "village_where",
        {"conditions": [_eq("households_without_safe_water", 0)]},
        True,
        VILLAGE_NOTE,
    ),
    (
        "village",
        "V-POWER",
        "生产生活用电",
        "village_where",
        {"conditions": [_eq("power", True)]},
        True,
        VILLAGE_NOTE,
    ),
    (
        "village",
        "V-CLINIC",
        "就医方便",
        "village_where",
        {
            "conditions": [
                _eq("standard_clinic", True),
                {"field": "licensed_doctors", "op": "gte", "value": 1},
            ]
        },
        True,
        VILLAGE_NOTE,
    ),
    (
        "village",
        "V-SERVICES",
        "公共服务",
        "village_where",
        {"conditions": [_eq("service_centre", True), _eq("broadband", True)]},
        True,
        VILLAGE_NOTE,
    ),
    (
        "county",
        "C-INCIDENCE",
        "综合贫困发生率",
        "county_incidence_below",
        {"threshold_pct": "2"},
        False,
        "中部省份（含湖南）低于2%；西部3%",
    ),
    (
        "county",
        "C-WRONG-EXIT",
        "错退率",
        "county_sample_rate",
        {"threshold_pct": "2", "direction": "lte"},
        False,
        "",
    ),
    (
        "county",
        "C-MISSED",
        "漏评率",
        "county_sample_rate",
        {"threshold_pct": "2", "direction": "lte"},
        False,
        "",
    ),
    (
        "county",
        "C-APPROVAL",
        "群众认可度",
        "county_sample_rate",
        {"threshold_pct": "90", "direction": "gte"},
        False,
        "",
    ),
    (
        "county",
        "C-VILLAGE-EXIT",
        "贫困村退出率",
        "county_village_exit_rate",
        {"threshold_pct": "95"},
        False,
        "湖南“一达标”",
    ),
]


@transaction.atomic
def install_defaults(**_options: object) -> dict[str, int]:
    """`jingzhun init`: the shipped standard, once (registered as an initializer in apps.py)."""
    ensure_defaults()
    return {}


def ensure_defaults() -> StandardSet:
    existing = StandardSet.objects.filter(name=DEFAULT_NAME, version=1).first()
    if existing is not None:
        return existing
    standard = StandardSet.objects.create(
        name=DEFAULT_NAME,
        version=1,
        status=StandardStatus.PUBLISHED,
        first_year=min(POVERTY_LINES),
        last_year=max(POVERTY_LINES),
        reference_month=12,
        reference_day=31,
        reference_is_assumption=True,
        description="国家与湖南省贫困退出标准（厅字〔2016〕16号、湘办〔2016〕31号、国开办发〔2017〕56号），系统默认。",
        published_at=timezone.now(),
    )
    PovertyLine.objects.bulk_create(
        [
            PovertyLine(standard=standard, year=year, amount=Decimal(amount), is_assumption=assumption)
            for year, (amount, assumption) in POVERTY_LINES.items()
        ]
    )
    Rule.objects.bulk_create(
        [
            Rule(
                standard=standard,
                level=level,
                code=code,
                name=name,
                operator=op,
                params=clean_params(op, params),
                position=index,
                is_assumption=assumption,
                note=note,
            )
            for index, (level, code, name, op, params, assumption, note) in enumerate(DEFAULT_RULES, start=1)
        ]
    )
    return standard
