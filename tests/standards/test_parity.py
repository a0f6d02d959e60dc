"""One definition, two engines: the Python rules (pages) and the compiled SQL (county runs) agree on
random households with edge values — income exactly at the line, ages 5/6/15/16 at the reference date
(including 29 February), missing values, 残疾人证 numbers, removed members, relocated households, and what
a national person list leaves unknown (a housing grade unknown, 危房 of unknown grade, an income record
that knows only 人均纯收入 or lacks a component; docs/national-list.md).

Rows are written with the ORM on purpose: the registry services refuse some of these states (e.g. an
empty 不愁吃), but migrated legacy data contains them and both engines must still agree.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingzhun.engines.python.household import FAIL, PASS, UNKNOWN, assess_household
from jingzhun.engines.sql import compiler
from jingzhun.lib import idcard
from jingzhun.registry.models import Household, IncomeRecord, Member
from jingzhun.rules.spec import RuleSpec
from jingzhun.rules.vocabulary import clean_params, latest_birth_for_age
from jingzhun.standards.loading import household_data
from jingzhun.standards.models import HouseholdVerdict
from tests.factories import VILLAGE

CODES = {0: PASS, 1: FAIL, 2: UNKNOWN}
PASSED_SEEN: list[str] = []  # exit statuses of households found 达标 by the property test
NATIONAL_SEEN: set[tuple[str, str]] = set()  # (what the list left unknown, the rule's status) seen
_seq = itertools.count(1)

EXTRA_RULES = [
    (
        "H-X-ILLNESS",
        "no_member_where",
        {"conditions": [{"field": "health", "op": "eq", "value": "患有大病"}]},
    ),
    (
        "H-X-LABOUR",
        "member_count_where",
        {
            "cmp": "gte",
            "n": 1,
            "conditions": [
                {"field": "work_months", "op": "gte", "value": 6},
                {"field": "age", "op": "between", "value": [16, 59]},
            ],
        },
    ),
    (
        "H-X-FEW",
        "member_count_where",
        {"cmp": "lte", "n": 1, "conditions": [{"field": "dibao", "op": "eq", "value": True}]},
    ),
    (
        "H-X-PENSION",
        "every_member_where",
        {"conditions": [{"field": "pension_insurance", "op": "not_empty"}]},
    ),
    (
        "H-X-HOME",
        "household_where",
        {
            "match": "any",
            "conditions": [
                {"field": "housing_safety", "op": "not_in", "value": ["C", "D", ""]},
                {"field": "food_secure", "op": "empty"},
                {"field": "attribute", "op": "ne", "value": "一般贫困户"},
            ],
        },
    ),
    (
        # on "危房, grade unknown" (C or D) "one of A/B/C" is neither true nor false: 数据缺失
        "H-X-GRADE",
        "household_where",
        {"conditions": [{"field": "housing_safety", "op": "in", "value": ["A", "B", "C"]}]},
    ),
    (
        "H-X-ADULT",
        "no_member_where",
        {
            "conditions": [
                {"field": "age", "op": "gte", "value": 16},
                {"field": "age", "op": "lte", "value": 17},
                {"field": "school_status", "op": "in", "value": ["非在校生", "中职"]},
            ]
        },
    ),
]

optional_bool = st.sampled_from([True, False, None])


@st.composite
def members(draw, year: int, ref: date):
    age = draw(st.sampled_from([0, 4, 5, 6, 7, 12, 15, 16, 17, 30, 59, 60, 85]))
    birth = latest_birth_for_age(age, ref) + timedelta(days=draw(st.sampled_from([-1, 0, 1, 0, -200])))
    if birth > date(year, 12, 31) or birth > date.today():
        birth = latest_birth_for_age(age, ref) - timedelta(days=1)
    return {
        "birth": birth,
        "disability_card": draw(st.sampled_from(["", "", "01", "0102"])),
        "education": draw(
            st.sampled_from(["", "学龄前儿童", "文盲或半文盲", "小学", "初中", "高中(含中专)"])
        ),
        "school_status": draw(st.sampled_from(["非在校生", "非在校生", "小学", "初中", "中职"])),
        "not_in_school_reason": draw(st.sampled_from(["", "", "身体原因(送教上门)", "其他"])),
        "health": draw(st.sampled_from(["健康", "患有大病", "残疾"])),
        "medical_insurance": draw(st.sampled_from([True, True, False, None])),
        "pension_insurance": draw(optional_bool),
        "dibao": draw(optional_bool),
        "work_months": draw(st.sampled_from([None, 0, 5, 6, 12])),
        "is_active": draw(st.sampled_from([True, True, True, False])),
    }


def _ideal_member(ref: date) -> dict:
    """A working-age member who meets every rule (default and EXTRA_RULES)."""
    return {
        "birth": latest_birth_for_age(30, ref),
        "disability_card": "",
        "education": "初中",
        "school_status": "非在校生",
        "not_in_school_reason": "",
        "health": "健康",
        "medical_insurance": True,
        "pension_insurance": True,
        "dibao": False,
        "work_months": 12,
        "is_active": True,
    }


@st.composite
def households(draw, year: int, ref: date, line: Decimal):
    # Random data almost never meets every rule; a third of the households are built to, so the verdicts
    # 达标 and "已脱贫 yet 达标 = not 疑似错退" are checked too, not only the failures.
    if draw(st.integers(min_value=0, max_value=2)) == 0:
        people = [_ideal_member(ref) for _ in range(draw(st.integers(min_value=1, max_value=3)))]
        return {
            "members": people,
            "incomes": "above",
            "at_line": int(line * 100) * len(people),
            "random_cents": 0,
            "exit_status": draw(st.sampled_from(["未脱贫", "已脱贫", "返贫"])),
            "food_secure": True,
            "clothing_secure": True,
            "water_safe": True,
            "housing_safety": "A",
            "relocation": "否",
            "attribute": "一般贫困户",
            "housing_grade_unknown": False,
            "dilapidated": None,
        }
    people = draw(st.lists(members(year, ref), min_size=0, max_size=5))
    active = sum(1 for m in people if m["is_active"])
    at_line = int(line * 100) * active
    incomes = draw(
        st.sampled_from(
            [
                "none",
                "at",
                "below",
                "above",
                "random",
                "later_only",
                "two_years",
                # a national list's 人均纯收入 without components, and a record missing a component
                "per_capita_at",
                "per_capita_below",
                "per_capita_above",
                "per_capita_random",
                "component_unknown",
            ]
        )
    )
    return {
        "members": people,
        "incomes": incomes,
        "at_line": at_line,
        "random_cents": draw(st.integers(min_value=-100_000, max_value=5_000_000)),
        "exit_status": draw(st.sampled_from(["未脱贫", "已脱贫", "返贫"])),
        "food_secure": draw(optional_bool),
        "clothing_secure": draw(optional_bool),
        "water_safe": draw(optional_bool),
        "housing_safety": draw(st.sampled_from(["", "A", "B", "C", "D"])),
        "relocation": draw(st.sampled_from(["否", "计划搬迁", "已搬迁入住"])),
        "attribute": draw(st.sampled_from(["一般贫困户", "低保贫困户"])),
        "housing_grade_unknown": draw(st.booleans()),
        "dilapidated": draw(optional_bool),
        "line_cents": int(line * 100),
    }


def _money(cents: int) -> dict[str, Decimal]:
    # Split over the five columns, expense included, as real records are.
    wage = Decimal(cents + 12_345) / 100
    return {
        "wage": wage,
        "business": Decimal("0.10"),
        "property_income": Decimal("0.20"),
        "transfer": Decimal("0.05"),
        "business_expense": Decimal("123.80"),
    }


def _write(data: dict, year: int) -> Household:
    n = next(_seq)
    household = Household.objects.create(
        code=f"P{n:07d}",
        village_id=VILLAGE,
        head_name="户主",
        head_id_number="x",
        head_initials="hz",
        attribute=data["attribute"],
        main_cause="因病",
        identified_year=2015,
        exit_status=data["exit_status"],
        exit_year=2017 if data["exit_status"] == "已脱贫" else None,
        planned_exit_year=year,
        food_secure=data["food_secure"],
        clothing_secure=data["clothing_secure"],
        water_safe=data["water_safe"],
        housing_safety="" if data["housing_grade_unknown"] else data["housing_safety"],
        housing_grade_unknown=data["housing_grade_unknown"],
        dilapidated=data["dilapidated"],
        relocation=data["relocation"],
        member_count=sum(1 for m in data["members"] if m["is_active"]),
    )
    for i, m in enumerate(data["members"]):
        resident = idcard.make(f"43{n % 10000:04d}", m["birth"], i * 2 + 1)
        Member.objects.create(
            household=household,
            name=f"成员{i}",
            id_number=resident + m["disability_card"],
            resident_id=resident,
            gender="男",
            birth_date=m["birth"],
            relation="户主" if i == 0 else "之子",
            education=m["education"],
            school_status=m["school_status"],
            not_in_school_reason=m["not_in_school_reason"],
            health=m["health"],
            labour_skill="普通劳动力",
            work_months=m["work_months"],
            medical_insurance=m["medical_insurance"],
            pension_insurance=m["pension_insurance"],
            dibao=m["dibao"],
            is_active=m["is_active"],
        )
    kind = data["incomes"]
    cents = {
        "at": data["at_line"],
        "below": data["at_line"] - 1,
        "above": data["at_line"] + 1,
        "random": data["random_cents"],
        "two_years": data["at_line"] + 1,
    }.get(kind)
    if cents is not None:
        IncomeRecord.objects.create(household=household, year=year, **_money(cents))
    if kind in ("later_only", "two_years"):
        IncomeRecord.objects.create(household=household, year=year + 1, **_money(data["random_cents"]))
    if kind == "two_years":
        IncomeRecord.objects.create(household=household, year=year - 2, **_money(0))
    per_capita = {
        "per_capita_at": data.get("line_cents", 0),
        "per_capita_below": data.get("line_cents", 0) - 1,
        "per_capita_above": data.get("line_cents", 0) + 1,
        "per_capita_random": data["random_cents"],
    }.get(kind)
    if per_capita is not None:  # "per-capita only": the components unknown
        unknown = dict.fromkeys(("wage", "business", "property_income", "transfer", "business_expense"))
        IncomeRecord.objects.create(
            household=household, year=year, per_capita_net=Decimal(per_capita) / 100, **unknown
        )
    if kind == "component_unknown":
        IncomeRecord.objects.create(household=household, year=year, **{**_money(0), "transfer": None})
    return household


def _spec_with_extras(spec, ref: tuple[int, int]):
    extras = tuple(
        RuleSpec(code, code, "household", op, clean_params(op, params), 100 + i)
        for i, (code, op, params) in enumerate(EXTRA_RULES)
    )
    return replace(spec, rules=spec.rules + extras, reference_month=ref[0], reference_day=ref[1])


# derandomize: the same examples every run, so the coverage checks below are stable, not a coin toss
@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.data(),
    year=st.sampled_from([2016, 2017, 2018, 2020]),
    ref=st.sampled_from([(12, 31), (2, 29), (8, 31)]),
)
def test_python_and_sql_engines_agree(regions, spec, data, year, ref):
    full = _spec_with_extras(spec, ref)
    reference = full.reference_date(year)
    batch = data.draw(st.lists(households(year, reference, full.line(year)), min_size=1, max_size=4))
    written = [_write(item, year) for item in batch]
    low, high = written[0].pk, written[-1].pk + 1
    sql = compiler.compute_statuses(spec=full, year=year, scope=compiler.Scope.id_range(low, high))
    assert set(sql) == {h.pk for h in written}
    # the verdict rows the county run stores (达标, 未达标项, 数据缺失项, 疑似错退 …), not only the statuses
    compiler.store_verdicts(spec=full, year=year, scope=compiler.Scope.id_range(low, high))
    stored = {
        v.household_id: v
        for v in HouseholdVerdict.objects.filter(year=year, standard_id=full.id, household_id__in=sql)
    }
    assert set(stored) == {h.pk for h in written}
    for household in written:
        result = assess_household(household_data(household, year=year), year=year, spec=full)
        got = sql[household.pk]
        assert got["people"] == result.people
        assert got["net"] == result.net_income_cents
        assert {code: CODES[s] for code, s in got["statuses"].items()} == {
            r.code: r.status for r in result.results
        }
        assert _verdict_row(stored[household.pk]) == _python_row(household, result)
        if result.passed:
            PASSED_SEEN.append(household.exit_status)
        statuses = {r.code: r.status for r in result.results}
        if household.housing_grade_unknown:
            kind = "危房" if household.dilapidated else "grade unknown"
            NATIONAL_SEEN.add((kind, statuses["H-HOUSING"]))
        if household.incomes.filter(per_capita_net__isnull=False).exists():
            NATIONAL_SEEN.add(("per capita", statuses["H-INCOME"]))


def _verdict_row(v: HouseholdVerdict) -> tuple:
    return (
        v.village_code,
        v.exit_status,
        v.planned_exit_year,
        v.people,
        v.net_income_cents,
        v.passed,
        v.failed,
        v.missing,
        v.suspected_wrong_exit,
    )


def _python_row(household: Household, result) -> tuple:
    return (
        household.village_id,
        household.exit_status,
        household.planned_exit_year,
        result.people,
        result.net_income_cents,
        result.passed,
        ";".join(result.failed_codes),
        ";".join(result.missing_codes),
        result.suspected_wrong_exit,
    )


def test_the_property_test_met_households_that_pass(regions, spec):
    """Runs after test_python_and_sql_engines_agree (file order): its examples included 达标 households,
    已脱贫 ones among them, so the 疑似错退 column was compared on both sides of the line."""
    if not PASSED_SEEN:  # run alone: draw a few examples now
        test_python_and_sql_engines_agree(regions, spec)
    assert "已脱贫" in PASSED_SEEN


def test_the_property_test_met_what_national_lists_leave_unknown(regions, spec):
    """Runs after the property test: its examples reached every outcome of the national unknowns —
    危房 of unknown grade failing H-HOUSING, an unknown grade 数据缺失 (and passing when relocated), and a
    per-capita-only income record both passing and failing H-INCOME."""
    if not NATIONAL_SEEN:
        test_python_and_sql_engines_agree(regions, spec)
    assert {
        ("危房", FAIL),
        ("grade unknown", UNKNOWN),
        ("grade unknown", PASS),
        ("per capita", PASS),
        ("per capita", FAIL),
    } <= NATIONAL_SEEN


def test_stored_verdicts_equal_python_verdicts(spec, admin_actor):
    from tests.factories import make_id, member_row, register

    plain = register(admin_actor)
    exited_ok = register(admin_actor, exit_status="已脱贫", exit_year="2017")  # 达标: not 疑似错退
    failing = register(
        admin_actor,
        water_safe="否",
        exit_status="已脱贫",
        exit_year="2017",
        members=[
            member_row("王五", "户主", date(1980, 1, 1)),
            member_row(
                "王小",
                "之子",
                date(2008, 1, 1),
                education="小学",
                id_number=make_id(date(2008, 1, 1)) + "0102",
            ),  # a 残疾人证 number
        ],
    )
    for h in (plain, exited_ok, failing):
        compiler.store_verdicts(spec=spec, year=2018, scope=compiler.Scope.household(h.pk))
        stored = HouseholdVerdict.objects.get(household=h, year=2018, standard_id=spec.id)
        result = assess_household(household_data(h, year=2018), year=2018, spec=spec)
        assert _verdict_row(stored) == _python_row(h, result)
    assert HouseholdVerdict.objects.get(household=exited_ok).passed
    assert not HouseholdVerdict.objects.get(household=exited_ok).suspected_wrong_exit
    assert HouseholdVerdict.objects.get(household=failing).failed == "H-EDUCATION;H-WATER"
    assert HouseholdVerdict.objects.get(household=failing).suspected_wrong_exit
