"""Data cleansing (数据清洗, spec/verification.md §1) as plain data: what the Q-* rules read, what they
find, and the 说明 sentence of each finding. No Django.

Both engines — the Python evaluator per household (`engines.python.cleansing`, for pages) and the
set-based SQL for the county (`engines.sql.cleansing`) — decide *whether* a rule holds on their own, and
build the sentence through the functions below from the same plain values, so a hit and its 说明 are the
same whichever engine found it (tests/verification/test_cleanse_parity.py).

Ages (年龄) are whole years at the reference date (`vocabulary.age_on`, a birthday on the day counts;
someone born on 29 February turns a year older on 1 March of a common year). The age-gap rules compare
full dates the same way: "born less than 15 years before the 户主" ⇔ age_on(their birth, the 户主's
birth) < 15, i.e. their birth date + 15 years is after the 户主's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jingzhun.rules.checks import ALL_CHECKS, CLEANSING, default_params
from jingzhun.rules.vocabulary import age_on

HEAD = "户主"
SPOUSE = "配偶"
PARENT_RELATIONS = ("之父", "之母", "之岳父", "之岳母", "之公公", "之婆婆")
CHILD_RELATIONS = ("之子", "之女")
GRANDCHILD_RELATIONS = ("之孙子", "之孙女", "之外孙子", "之外孙女")
LABOUR_SKILLS = ("普通劳动力", "技能劳动力")
PRESCHOOL_STATUS = "学前教育"
PRESCHOOL_EDUCATION = "学龄前儿童"
SCHOOL_OR_ABOVE = ("小学", "初中", "高中", "中职", "高职高专", "本科及以上")  # 在校生状况 小学 or above
OPEN_STATUSES = ("未脱贫", "返贫")
EXITED = "已脱贫"
GENERAL, DIBAO_ATTR, TEKUN_ATTR = "一般贫困户", "低保贫困户", "特困供养贫困户"
CLEANSING_CODES: tuple[str, ...] = tuple(r.code for r in CLEANSING)


@dataclass(frozen=True)
class CleanseMember:
    """成员 (active) as the cleansing rules read it. `birth_date` is the one the ID number encodes."""

    id: int
    name: str
    id_number: str
    gender: str
    birth_date: date
    relation: str
    education: str = ""
    school_status: str = "非在校生"
    labour_skill: str = "无劳动力"
    work_months: int | None = None
    dibao: bool | None = None
    tekun: bool | None = None


@dataclass(frozen=True)
class CleanseIncome:
    """收入 of one 收入年度, in cents (分) as the database rounds each column. A component is None when
    it is unknown (a national person list gives only 人均纯收入): then sums over it are unknown too and a
    rule reading them finds nothing, as SQL's NULL arithmetic does in the other engine."""

    year: int
    wage: int | None
    business: int | None
    property_income: int | None
    transfer: int | None
    business_expense: int | None

    @property
    def gross(self) -> int | None:  # 工资性 + 生产经营性 + 财产性 + 转移性
        parts = (self.wage, self.business, self.property_income, self.transfer)
        return None if None in parts else sum(p for p in parts if p is not None)

    @property
    def net(self) -> int | None:  # domain.md §3: gross − 生产经营性支出
        gross = self.gross
        return None if gross is None or self.business_expense is None else gross - self.business_expense


@dataclass(frozen=True)
class CleanseHousehold:
    """户 on the register (not 注销/清退) with its active members and every income record."""

    id: int
    code: str
    attribute: str
    exit_status: str
    exit_year: int | None = None
    planned_exit_year: int | None = None
    members: tuple[CleanseMember, ...] = ()
    incomes: tuple[CleanseIncome, ...] = ()

    @property
    def head(self) -> CleanseMember | None:
        """The 户主: the first active member (lowest id) with that relation, as the registry's
        denormalised head fields are kept (registry.services.common.refresh_head)."""
        heads = sorted((m for m in self.members if m.relation == HEAD), key=lambda m: m.id)
        return heads[0] if heads else None

    def income(self, year: int) -> CleanseIncome | None:
        return next((i for i in self.incomes if i.year == year), None)

    def latest_income(self, year: int) -> CleanseIncome | None:
        """The income record with the greatest 收入年度 ≤ `year`."""
        eligible = [i for i in self.incomes if i.year <= year]
        return max(eligible, key=lambda i: i.year) if eligible else None


@dataclass(frozen=True)
class CleanseContext:
    """One run: the year Y, its reference date, the poverty line of Y (cents; None when the standard in
    force has none — Q-INCOME-HIGH then finds nothing) and the published parameters {code: {name: v}}."""

    year: int
    reference: date
    line_cents: int | None
    params: dict[str, dict[str, Any]] = field(default_factory=default_params)
    codes: tuple[str, ...] = CLEANSING_CODES  # the rules to run

    def param(self, code: str, name: str) -> Any:
        return self.params.get(code, {}).get(name, ALL_CHECKS[code].defaults[name])


@dataclass(frozen=True, order=True)
class Finding:
    """A hit of a Q-* rule as the engines produce it; `verification` turns it into its `Hit`."""

    rule: str
    household_id: int
    member_id: int | None
    explanation: str


# --- 说明: one sentence per hit, naming the values ------------------------------------------------


def yuan(cents: int | None, people: int = 1) -> str:
    """元 with 2 decimals; a hit names only known sums (an unknown income finds nothing), hence the check."""
    if cents is None:
        raise ValueError("an unknown sum cannot be named in a 说明")
    value = (Decimal(cents) / 100 / people).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value:,.2f}"


def spouse_sex(member: CleanseMember) -> str:
    return f"配偶 {member.name} 与户主同为{member.gender}性"


def spouse_count(names: list[str]) -> str:
    return f"户内登记配偶 {len(names)} 人：{'、'.join(names)}"


def older_gap(member: CleanseMember, head: CleanseMember, minimum: int) -> str:
    """Q-PARENT-AGE: the member should be at least `minimum` years older than the 户主."""
    if member.birth_date > head.birth_date:
        return f"{member.relation} {member.name} 出生晚于户主 {head.name}（应至少年长 {minimum} 岁）"
    gap = age_on(member.birth_date, head.birth_date)
    return f"{member.relation} {member.name} 仅比户主 {head.name} 年长 {gap} 岁（应至少年长 {minimum} 岁）"


def younger_gap(member: CleanseMember, head: CleanseMember, minimum: int) -> str:
    """Q-CHILD-AGE, Q-GRANDCHILD-AGE: the 户主 should be at least `minimum` years older."""
    if head.birth_date > member.birth_date:
        return f"{member.relation} {member.name} 出生早于户主 {head.name}（户主应至少年长 {minimum} 岁）"
    gap = age_on(head.birth_date, member.birth_date)
    return f"{member.relation} {member.name} 出生时户主 {head.name} 仅 {gap} 岁（应至少 {minimum} 岁）"


def head_minor(member: CleanseMember, age: int, limit: int) -> str:
    return f"户主 {member.name} 年龄 {age} 岁，不满 {limit} 岁"


def child_labour(member: CleanseMember, age: int, limit: int) -> str:
    return f"{member.name} 年龄 {age} 岁（不满 {limit} 岁），劳动技能登记为{member.labour_skill}"


def preschool_old(member: CleanseMember, age: int) -> str:
    what = []
    if member.school_status == PRESCHOOL_STATUS:
        what.append(f"在校生状况为{PRESCHOOL_STATUS}")
    if member.education == PRESCHOOL_EDUCATION:
        what.append(f"文化程度为{PRESCHOOL_EDUCATION}")
    return f"{member.name} 年龄 {age} 岁，仍登记{'、'.join(what)}"


def infant_school(member: CleanseMember, age: int) -> str:
    return f"{member.name} 年龄 {age} 岁，在校生状况登记为{member.school_status}"


def age_extreme(member: CleanseMember, age: int, limit: int) -> str:
    return f"{member.name} 年龄 {age} 岁，超过 {limit} 岁"


def work_no_wage(member: CleanseMember, income_year: int) -> str:
    return f"{member.name} 务工 {member.work_months} 个月，而{income_year}年收入的工资性收入为 0"


def income_zero(income_year: int) -> str:
    return f"{income_year}年收入的工资性、生产经营性、财产性、转移性收入合计为 0"


def income_high(income: CleanseIncome, people: int, line_cents: int, multiple: int, year: int) -> str:
    return (
        f"{income.year}年人均纯收入 {yuan(income.net, people)} 元（{people}人），"
        f"超过{year}年扶贫标准 {yuan(line_cents)} 元的 {multiple} 倍"
    )


def income_jump(current: CleanseIncome, previous: CleanseIncome, people: int, multiple: int) -> str:
    return (
        f"人均纯收入由{previous.year}年的 {yuan(previous.net, people)} 元增至{current.year}年的 "
        f"{yuan(current.net, people)} 元，超过上年的 {multiple} 倍"
    )


def attribute_mismatch(attribute: str, flag_label: str, flagged_names: list[str]) -> str:
    """Q-DIBAO-ATTR / Q-TEKUN-ATTR: `flagged_names` are the members whose flag (低保 / 特困供养) is 是."""
    if flagged_names:
        return f"贫困户属性为{attribute}，但成员 {'、'.join(flagged_names)} 登记{flag_label}"
    return f"贫困户属性为{attribute}，但没有成员登记{flag_label}"


def duplicate_person(member_name: str, other_codes: list[str]) -> str:
    codes = "、".join(f"户 {c}" for c in other_codes)
    return f"与{codes}的 {member_name} 姓名、性别、出生日期相同而证件号码不同"


def exit_no_income(exit_year: int | None) -> str:
    if exit_year is None:
        return "已脱贫，但未填写脱贫年度，无从核对该年度的收入记录"
    return f"已脱贫（脱贫年度 {exit_year}），但没有{exit_year}年的收入记录"


def plan_overdue(exit_status: str, planned: int, year: int) -> str:
    return f"脱贫状态为{exit_status}，计划脱贫年度 {planned} 早于{year}年"


# What each rule flags, in the county's words, with its parameters filled in (the rule-parameter page).
DESCRIPTIONS = {
    "Q-SPOUSE-SEX": "配偶与户主性别相同",
    "Q-SPOUSE-COUNT": "一户登记配偶多于一人（每名配偶一条）",
    "Q-PARENT-AGE": "之父/之母/之岳父/之岳母/之公公/之婆婆 比户主年长不足 {min_gap_years} 岁（按出生日期）",
    "Q-CHILD-AGE": "之子/之女 出生时户主不满 {min_gap_years} 岁（按出生日期）",
    "Q-GRANDCHILD-AGE": "孙子女、外孙子女 出生时户主不满 {min_gap_years} 岁（按出生日期）",
    "Q-HEAD-MINOR": "户主不满 {min_age} 岁",
    "Q-CHILD-LABOUR": "不满 {min_age} 岁而劳动技能为普通劳动力或技能劳动力",
    "Q-PRESCHOOL-OLD": "{min_age} 岁及以上仍为学前教育或学龄前儿童",
    "Q-INFANT-SCHOOL": "{max_age} 岁及以下而在校生状况为小学及以上",
    "Q-AGE-EXTREME": "年龄超过 {max_age} 岁",
    "Q-WORK-NO-WAGE": "务工时间不少于 {min_months} 个月而最近收入的工资性收入为 0",
    "Q-INCOME-ZERO": "最近收入的工资性、生产经营性、财产性、转移性收入合计为 0",
    "Q-INCOME-HIGH": "人均纯收入超过当年扶贫标准的 {line_multiple} 倍",
    "Q-INCOME-JUMP": "当年人均纯收入超过上年的 {jump_multiple} 倍（两年均有记录、上年大于 0）",
    "Q-DIBAO-ATTR": "低保贫困户而无成员享受低保，或一般贫困户而有成员享受低保",
    "Q-TEKUN-ATTR": "特困供养贫困户而无成员特困供养，或一般贫困户而有成员特困供养",
    "Q-DUP-PERSON": "不同户的两名成员姓名、性别、出生日期相同而证件号码不同（两条）",
    "Q-EXIT-NO-INCOME": "已脱贫而没有脱贫年度的收入记录",
    "Q-PLAN-OVERDUE": "未脱贫或返贫而计划脱贫年度早于评估年度",
}


def describe(code: str, params: dict[str, Any]) -> str:
    text = DESCRIPTIONS.get(code, "")
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text
