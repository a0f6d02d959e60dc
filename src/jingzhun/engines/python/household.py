"""Household assessment (户脱贫标准: 一超过、两不愁、三保障) in pure Python, with reasons in Chinese.

The same rules compile to SQL in `engines.sql.compiler`; tests/standards/test_parity.py proves that the
two agree on random households.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from jingzhun.rules.spec import HouseholdData, MemberData, RuleSpec, StandardSpec
from jingzhun.rules.vocabulary import (
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    age_on,
    kleene_all,
    kleene_any,
    show,
)

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
STATUS_LABELS = {PASS: "达标", FAIL: "未达标", UNKNOWN: "数据缺失"}


@dataclass(frozen=True)
class RuleResult:
    code: str
    name: str
    status: str
    reasons: tuple[str, ...]
    is_assumption: bool = False
    note: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class HouseholdResult:
    year: int
    standard_id: int
    standard_label: str
    people: int
    net_income_cents: int | None
    results: tuple[RuleResult, ...]
    exit_status: str

    @property
    def passed(self) -> bool:
        return all(r.status == PASS for r in self.results)

    @property
    def failed_codes(self) -> list[str]:
        return [r.code for r in self.results if r.status == FAIL]

    @property
    def missing_codes(self) -> list[str]:
        return [r.code for r in self.results if r.status == UNKNOWN]

    @property
    def suspected_wrong_exit(self) -> bool:
        """疑似错退 as the assessment output states it (spec "Assessment output"): marked 已脱贫 and not
        达标 — a 数据缺失 counts as not 达标 there. The board is narrower (`on_wrong_exit_board`)."""
        return self.exit_status == "已脱贫" and not self.passed

    @property
    def on_wrong_exit_board(self) -> bool:
        """On the 疑似错退 board: 已脱贫 and at least one rule failed. A household missing only data
        has not failed anything; it goes on the 数据待补 list (docs/national-list.md "数据缺失与疑似错退")."""
        return self.exit_status == "已脱贫" and bool(self.failed_codes)

    @property
    def awaiting_data(self) -> bool:
        """数据待补: at least one rule could not be decided for want of data."""
        return bool(self.missing_codes)

    @property
    def per_capita(self) -> Decimal | None:
        return per_capita(self.net_income_cents, self.people)


def per_capita(net_income_cents: int | None, people: int) -> Decimal | None:
    if net_income_cents is None or people <= 0:
        return None
    return (Decimal(net_income_cents) / 100 / people).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def _member_label(member: MemberData, ref: date) -> str:
    return f"成员 {member.name}（{age_on(member.birth_date, ref)}岁）"


def household_net_cents(hh: HouseholdData) -> int | None:
    """The household's net income (cents) the rules use: the components' sum; for a record that knows
    only the per-capita figure (a national list's 人均纯收入), that figure × 家庭人口数 — so 人均纯收入 in
    the output is exactly the stated one and "> line × people" is "per-capita > line"."""
    if hh.net_income_cents is not None:
        return hh.net_income_cents
    if hh.per_capita_cents is not None and hh.people > 0:
        return hh.per_capita_cents * hh.people
    return None


def _income(rule: RuleSpec, hh: HouseholdData, year: int, spec: StandardSpec) -> tuple[str, list[str]]:
    line = spec.line(year)
    if line is None:
        return UNKNOWN, [f"本标准没有设定{year}年的扶贫标准"]
    net = household_net_cents(hh)
    if hh.income_year is None:
        return UNKNOWN, [f"没有{year}年及以前的收入记录"]
    if hh.people == 0:
        return UNKNOWN, ["该户没有在册成员，无法计算人均纯收入"]
    if net is None:
        return UNKNOWN, [f"{hh.income_year}年收入记录不全：收入构成未知，也没有人均纯收入"]
    pc = per_capita(net, hh.people)
    assert pc is not None
    if hh.net_income_cents is None:  # per-capita only
        src = f"（{hh.income_year}年名单所载人均纯收入，收入构成未知）"
    else:
        src = f"（{hh.income_year}年收入，{hh.people}人）"
    if net > int(line * 100) * hh.people:
        return PASS, [f"人均纯收入 {yuan(pc)} 元{src}，高于{year}年扶贫标准 {yuan(line)} 元"]
    return FAIL, [f"人均纯收入 {yuan(pc)} 元{src}，未超过{year}年扶贫标准 {yuan(line)} 元"]


def _household_where(rule: RuleSpec, hh: HouseholdData) -> tuple[str, list[str]]:
    conds = rule.conditions
    values = [c.holds(hh, HOUSEHOLD_FIELDS) for c in conds]
    verdict = kleene_any(values) if rule.params.get("match") == "any" else kleene_all(values)
    current = "，".join(f"{HOUSEHOLD_FIELDS[c.field].label}为{show(getattr(hh, c.field))}" for c in conds)
    if verdict is True:
        return PASS, [current]
    if verdict is False:
        return FAIL, [current]
    missing = [HOUSEHOLD_FIELDS[c.field].label for c, v in zip(conds, values, strict=True) if v is None]
    return UNKNOWN, [f"{'、'.join(dict.fromkeys(missing))}未填写"]


def _member_values(rule: RuleSpec, member: MemberData, ref: date) -> list[bool | None]:
    return [c.holds(member, MEMBER_FIELDS, ref) for c in rule.conditions]


def _member_detail(rule: RuleSpec, member: MemberData, ref: date) -> str:
    shown = [c for c in rule.conditions if not c.is_exclusion and MEMBER_FIELDS[c.field].kind != "age"]
    parts = [f"{MEMBER_FIELDS[c.field].label}为{show(getattr(member, c.field))}" for c in shown]
    return _member_label(member, ref) + "，".join(parts)


def _missing_detail(rule: RuleSpec, member: MemberData, values: list[bool | None], ref: date) -> str:
    labels = [MEMBER_FIELDS[c.field].label for c, v in zip(rule.conditions, values, strict=True) if v is None]
    return f"{_member_label(member, ref)}{'、'.join(dict.fromkeys(labels))}未填写"


def _no_member(rule: RuleSpec, hh: HouseholdData, ref: date) -> tuple[str, list[str]]:
    hits, unknown = [], []
    for member in hh.members:
        values = _member_values(rule, member, ref)
        verdict = kleene_all(values)
        if verdict is True:
            hits.append(_member_detail(rule, member, ref))
        elif verdict is None:
            unknown.append(_missing_detail(rule, member, values, ref))
    if hits:
        return FAIL, hits
    if unknown:
        return UNKNOWN, unknown
    return PASS, ["没有" + "、".join(c.describe(MEMBER_FIELDS) for c in rule.conditions) + "的成员"]


def _every_member(rule: RuleSpec, hh: HouseholdData, ref: date) -> tuple[str, list[str]]:
    misses, unknown = [], []
    for member in hh.members:
        values = _member_values(rule, member, ref)
        verdict = kleene_all(values)
        if verdict is False:
            misses.append(_member_detail(rule, member, ref))
        elif verdict is None:
            unknown.append(_missing_detail(rule, member, values, ref))
    if misses:
        return FAIL, misses
    if unknown:
        return UNKNOWN, unknown
    return PASS, [f"全部{hh.people}名成员" + "、".join(c.describe(MEMBER_FIELDS) for c in rule.conditions)]


def _member_count(rule: RuleSpec, hh: HouseholdData, ref: date) -> tuple[str, list[str]]:
    true_count = unknown_count = 0
    for member in hh.members:
        verdict = kleene_all(_member_values(rule, member, ref))
        true_count += verdict is True
        unknown_count += verdict is None
    n, cmp = int(rule.params["n"]), rule.params.get("cmp", "gte")
    what = "、".join(c.describe(MEMBER_FIELDS) for c in rule.conditions)
    text = f"{what}的成员 {true_count} 人" + (f"（另有 {unknown_count} 人数据缺失）" if unknown_count else "")
    text += f"，要求{'不少于' if cmp == 'gte' else '不多于'} {n} 人"
    if cmp == "gte":
        status = PASS if true_count >= n else FAIL if true_count + unknown_count < n else UNKNOWN
    else:
        status = PASS if true_count + unknown_count <= n else FAIL if true_count > n else UNKNOWN
    return status, [text]


def evaluate_rule(rule: RuleSpec, hh: HouseholdData, *, year: int, spec: StandardSpec) -> RuleResult:
    ref = spec.reference_date(year)
    op = rule.operator
    if op == "income_above_line":
        status, reasons = _income(rule, hh, year, spec)
    elif op == "household_where":
        status, reasons = _household_where(rule, hh)
    elif op == "no_member_where":
        status, reasons = _no_member(rule, hh, ref)
    elif op == "every_member_where":
        status, reasons = _every_member(rule, hh, ref)
    elif op == "member_count_where":
        status, reasons = _member_count(rule, hh, ref)
    else:
        raise ValueError(f"unknown household operator {op}")
    assumption = rule.is_assumption or (op == "income_above_line" and year in spec.line_assumptions)
    return RuleResult(rule.code, rule.name, status, tuple(reasons), assumption, rule.note)


def assess_household(hh: HouseholdData, *, year: int, spec: StandardSpec) -> HouseholdResult:
    """Every household rule of the standard, in the standard's order."""
    results = tuple(evaluate_rule(r, hh, year=year, spec=spec) for r in spec.level_rules("household"))
    return HouseholdResult(
        year=year,
        standard_id=spec.id,
        standard_label=spec.label,
        people=hh.people,
        net_income_cents=household_net_cents(hh),
        results=results,
        exit_status=hh.exit_status,
    )
