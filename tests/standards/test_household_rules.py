"""Each household rule at its boundaries (pure Python, no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jingzhun.engines.python.household import FAIL, PASS, UNKNOWN, assess_household
from jingzhun.rules.spec import HouseholdData, MemberData, RuleSpec, StandardSpec
from jingzhun.rules.vocabulary import clean_params
from jingzhun.standards.defaults import DEFAULT_RULES, POVERTY_LINES

YEAR = 2018
LINE = 3535


def make_spec(extra: list[RuleSpec] | None = None, ref: tuple[int, int] = (12, 31)) -> StandardSpec:
    rules = [
        RuleSpec(code, name, level, op, clean_params(op, params), i, assumption, note)
        for i, (level, code, name, op, params, assumption, note) in enumerate(DEFAULT_RULES)
    ]
    return StandardSpec(
        id=1,
        label="test",
        lines={y: Decimal(a) for y, (a, _) in POVERTY_LINES.items()},
        line_assumptions=frozenset(),
        reference_month=ref[0],
        reference_day=ref[1],
        reference_is_assumption=True,
        rules=tuple(rules + (extra or [])),
    )


SPEC = make_spec()


def adult(name: str = "张三", **kw) -> MemberData:
    return MemberData(name=name, birth_date=date(1970, 5, 1), education="初中", **kw)


def household(**kw) -> HouseholdData:
    members = kw.pop("members", (adult(), adult("李四")))
    kw.setdefault("net_income_cents", 2 * LINE * 100 + 200)
    kw.setdefault("income_year", YEAR)
    kw.setdefault("exit_status", "未脱贫")
    return HouseholdData(id=1, code="T1", village_code="430821102204", members=members, **kw)


def status(hh: HouseholdData, code: str, spec: StandardSpec = SPEC) -> tuple[str, tuple[str, ...]]:
    result = assess_household(hh, year=YEAR, spec=spec)
    rule = next(r for r in result.results if r.code == code)
    return rule.status, rule.reasons


def test_it_passes_a_household_that_meets_every_rule():
    result = assess_household(household(), year=YEAR, spec=SPEC)
    assert result.passed
    assert [r.code for r in result.results] == [
        "H-INCOME",
        "H-FOOD",
        "H-CLOTHING",
        "H-EDUCATION",
        "H-MEDICAL",
        "H-HOUSING",
        "H-WATER",
    ]


@pytest.mark.parametrize(
    ("net_cents", "expected"),
    [
        (2 * LINE * 100 - 1, FAIL),
        (2 * LINE * 100, FAIL),
        (2 * LINE * 100 + 1, PASS),
        (-500, FAIL),
    ],
)
def test_it_requires_income_strictly_above_the_line(net_cents, expected):
    assert status(household(net_income_cents=net_cents), "H-INCOME")[0] == expected


def test_it_names_per_capita_income_and_line_in_the_reason():
    state, reasons = status(household(net_income_cents=2 * LINE * 100), "H-INCOME")
    assert state == FAIL
    assert "人均纯收入 3,535.00 元" in reasons[0] and "未超过2018年扶贫标准 3,535.00 元" in reasons[0]


def test_it_reports_missing_income_as_unknown_not_failure():
    assert status(household(net_income_cents=None, income_year=None), "H-INCOME")[0] == UNKNOWN
    assert status(household(members=()), "H-INCOME")[0] == UNKNOWN


def test_it_reports_unknown_without_a_line_for_the_year():
    result = assess_household(household(), year=2030, spec=SPEC)
    assert result.results[0].status == UNKNOWN and "2030" in result.results[0].reasons[0]


@pytest.mark.parametrize(
    "code,field", [("H-FOOD", "food_secure"), ("H-CLOTHING", "clothing_secure"), ("H-WATER", "water_safe")]
)
def test_two_worries_and_water_are_yes_no_unknown(code, field):
    assert status(household(**{field: True}), code)[0] == PASS
    assert status(household(**{field: False}), code)[0] == FAIL
    state, reasons = status(household(**{field: None}), code)
    assert state == UNKNOWN and "未填写" in reasons[0]


@pytest.mark.parametrize(
    ("grade", "relocation", "expected"),
    [
        ("A", "否", PASS),
        ("B", "否", PASS),
        ("C", "否", FAIL),
        ("D", "计划搬迁", FAIL),
        ("", "否", FAIL),
        ("D", "已搬迁入住", PASS),
        ("", "已搬迁入住", PASS),
    ],
)
def test_housing_is_safe_for_a_or_b_or_after_relocation(grade, relocation, expected):
    assert status(household(housing_safety=grade, relocation=relocation), "H-HOUSING")[0] == expected


def child(age_birth: date, **kw) -> MemberData:
    values = {"name": "张小明", "birth_date": age_birth, "school_status": "非在校生", "education": "小学"}
    values.update(kw)
    return MemberData(**values)


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        (date(2013, 1, 1), PASS),  # 5 on 31 Dec 2018
        (date(2012, 12, 31), FAIL),  # turns 6 on the reference date itself
        (date(2003, 1, 1), FAIL),  # 15
        (date(2002, 12, 31), PASS),  # 16 on the reference date
    ],
)
def test_education_age_range_is_whole_years_at_the_reference_date(birth, expected):
    assert status(household(members=(adult(), child(birth))), "H-EDUCATION")[0] == expected


def test_education_failure_names_the_member_age_and_values():
    state, reasons = status(household(members=(adult(), child(date(2006, 9, 1)))), "H-EDUCATION")
    assert state == FAIL
    assert reasons == ("成员 张小明（12岁）在校生状况为非在校生，文化程度为小学",)


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"school_status": "初中"}, PASS),
        ({"education": "初中"}, PASS),
        ({"education": ""}, FAIL),
        ({"education": "学龄前儿童"}, FAIL),
        ({"not_in_school_reason": "身体原因(送教上门)"}, PASS),
        ({"not_in_school_reason": "其他"}, FAIL),
    ],
)
def test_education_exceptions(kw, expected):
    assert status(household(members=(adult(), child(date(2008, 3, 1), **kw))), "H-EDUCATION")[0] == expected


def test_reference_date_is_configurable_and_29_february_falls_back_to_28():
    spec = make_spec(ref=(2, 29))
    born = date(2011, 2, 28)  # 6 on 28 Feb 2017, the reference date of 2017 (no 29 Feb)
    hh = household(members=(adult(), child(born)))
    assert assess_household(hh, year=2017, spec=spec).results[3].status == FAIL
    assert assess_household(hh, year=2017, spec=make_spec(ref=(2, 27))).results[3].status == PASS


def test_medical_requires_every_member_insured():
    assert status(household(members=(adult(), adult("李四", medical_insurance=False))), "H-MEDICAL") == (
        FAIL,
        ("成员 李四（48岁）参加基本医疗保险为否",),
    )
    state, reasons = status(household(members=(adult(), adult("李四", medical_insurance=None))), "H-MEDICAL")
    assert state == UNKNOWN and reasons == ("成员 李四（48岁）参加基本医疗保险未填写",)
    # a known failure outweighs a missing value
    members = (adult(medical_insurance=False), adult("李四", medical_insurance=None))
    assert status(household(members=members), "H-MEDICAL")[0] == FAIL


def test_suspected_wrong_exit_only_for_exited_households_that_fail():
    failing = household(water_safe=False, exit_status="已脱贫")
    assert assess_household(failing, year=YEAR, spec=SPEC).suspected_wrong_exit
    assert not assess_household(household(exit_status="已脱贫"), year=YEAR, spec=SPEC).suspected_wrong_exit
    assert not assess_household(household(water_safe=False), year=YEAR, spec=SPEC).suspected_wrong_exit
    unknown = household(water_safe=None, exit_status="已脱贫")
    assert assess_household(unknown, year=YEAR, spec=SPEC).suspected_wrong_exit


def test_a_configured_veto_rule_from_the_vocabulary():
    veto = RuleSpec(
        "H-ILLNESS",
        "无未救治大病成员",
        "household",
        "no_member_where",
        clean_params(
            "no_member_where", {"conditions": [{"field": "health", "op": "eq", "value": "患有大病"}]}
        ),
        99,
    )
    spec = make_spec([veto])
    sick = household(members=(adult(), adult("李四", health="患有大病")))
    assert status(sick, "H-ILLNESS", spec) == (FAIL, ("成员 李四（48岁）健康状况为患有大病",))
    assert status(household(), "H-ILLNESS", spec)[0] == PASS


@pytest.mark.parametrize(
    ("cmp", "n", "work", "expected"),
    [
        ("gte", 1, (8, 0), PASS),
        ("gte", 2, (8, 0), FAIL),
        ("gte", 2, (8, None), UNKNOWN),
        ("lte", 1, (8, 0), PASS),
        ("lte", 0, (8, 0), FAIL),
        ("lte", 1, (8, None), UNKNOWN),
    ],
)
def test_member_count_rule_is_three_valued(cmp, n, work, expected):
    rule = RuleSpec(
        "H-LABOUR",
        "务工人数",
        "household",
        "member_count_where",
        clean_params(
            "member_count_where",
            {"cmp": cmp, "n": n, "conditions": [{"field": "work_months", "op": "gte", "value": 6}]},
        ),
        99,
    )
    members = (adult(work_months=work[0]), adult("李四", work_months=work[1]))
    assert status(household(members=members), "H-LABOUR", make_spec([rule]))[0] == expected
