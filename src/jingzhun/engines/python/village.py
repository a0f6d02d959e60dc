"""Village exit (贫困村出列, V-*) and county exit (贫困县摘帽, C-*) in pure Python over aggregates.

剩余贫困人口 for exit year Y: members of households 未脱贫/返贫, except those planned to exit by Y
(计划脱贫年度 ≤ Y) that meet the household standard. Until the verification module exists, the county
incidence is the registry-only figure (口径: 仅建档立卡数据，未含抽样推算).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jingzhun.engines.python.household import FAIL, PASS, UNKNOWN, RuleResult
from jingzhun.rules.spec import RuleSpec, StandardSpec
from jingzhun.rules.vocabulary import VILLAGE_FIELDS, kleene_all, kleene_any

REGISTRY_ONLY = "仅建档立卡数据（未含抽样推算的漏评、错退人口）"
SAMPLE_PENDING = "需抽样核查（暂无样本）"


def pct(numerator: int, denominator: int | None) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def below(numerator: int, denominator: int, threshold_pct: Decimal) -> bool:
    """numerator ÷ denominator < threshold %, exactly (no rounding)."""
    return Decimal(numerator) * 100 < threshold_pct * Decimal(denominator)


@dataclass(frozen=True)
class VillageResult:
    code: str
    name: str
    is_poor_village: bool
    population: int | None
    remaining_poor: int
    incidence: Decimal | None
    results: tuple[RuleResult, ...]

    @property
    def passed(self) -> bool:
        return all(r.status == PASS for r in self.results)

    @property
    def failed_codes(self) -> list[str]:
        return [r.code for r in self.results if r.status == FAIL]

    @property
    def missing_codes(self) -> list[str]:
        return [r.code for r in self.results if r.status == UNKNOWN]


def _village_where(rule: RuleSpec, region: Any) -> tuple[str, list[str]]:
    conds = rule.conditions
    values = [c.holds(region, VILLAGE_FIELDS) for c in conds]
    verdict = kleene_any(values) if rule.params.get("match") == "any" else kleene_all(values)
    current = "，".join(VILLAGE_FIELDS[c.field].state(getattr(region, c.field)) for c in conds)
    required = "；要求" + "、".join(c.describe(VILLAGE_FIELDS) for c in conds)
    if verdict is None:
        missing = [VILLAGE_FIELDS[c.field].label for c, v in zip(conds, values, strict=True) if v is None]
        return UNKNOWN, [f"{'、'.join(dict.fromkeys(missing))}未填写（请在村情中补录）"]
    return (PASS if verdict else FAIL), [current + ("" if verdict else required)]


def assess_village(region: Any, *, remaining_poor: int, spec: StandardSpec) -> VillageResult:
    """`region` is a regions.Region (or anything with the village fact attributes)."""
    population = region.registered_population
    results = []
    for rule in spec.level_rules("village"):
        if rule.operator == "village_incidence_below":
            threshold = Decimal(rule.params["threshold_pct"])
            if not population:
                status, reasons = UNKNOWN, ["户籍人口未填写，无法计算贫困发生率"]
            else:
                rate = pct(remaining_poor, population)
                ok = below(remaining_poor, population, threshold)
                status = PASS if ok else FAIL
                reasons = [
                    f"剩余贫困人口 {remaining_poor} 人 ÷ 户籍人口 {population} 人 = {rate}%，"
                    f"{'低于' if ok else '未低于'} {threshold}%"
                ]
        elif rule.operator == "village_where":
            status, reasons = _village_where(rule, region)
        else:
            raise ValueError(f"unknown village operator {rule.operator}")
        results.append(
            RuleResult(rule.code, rule.name, status, tuple(reasons), rule.is_assumption, rule.note)
        )
    return VillageResult(
        code=region.code,
        name=region.name,
        is_poor_village=bool(region.is_poor_village),
        population=population,
        remaining_poor=remaining_poor,
        incidence=pct(remaining_poor, population),
        results=tuple(results),
    )


@dataclass(frozen=True)
class CountyIndicator:
    code: str
    name: str
    value: Decimal | None  # percent
    threshold: str  # e.g. "<2"
    status: str
    basis: str  # 口径
    reasons: tuple[str, ...]
    is_assumption: bool = False


@dataclass(frozen=True)
class CountyFacts:
    remaining_poor: int
    rural_population: int
    villages_without_population: int
    poor_villages: int
    exited_poor_villages: int


def assess_county(facts: CountyFacts, *, spec: StandardSpec) -> list[CountyIndicator]:
    out = []
    for rule in spec.level_rules("county"):
        threshold = Decimal(rule.params.get("threshold_pct", "0"))
        if rule.operator == "county_incidence_below":
            value = pct(facts.remaining_poor, facts.rural_population)
            if value is None:
                status, reasons = UNKNOWN, ["各村户籍人口均未填写，无法计算"]
            else:
                ok = below(facts.remaining_poor, facts.rural_population, threshold)
                status = PASS if ok else FAIL
                reasons = [
                    f"剩余贫困人口 {facts.remaining_poor} 人 ÷ 农村户籍人口 {facts.rural_population} 人"
                    + (
                        f"（{facts.villages_without_population} 个村未填户籍人口）"
                        if facts.villages_without_population
                        else ""
                    )
                ]
            out.append(
                CountyIndicator(
                    rule.code,
                    rule.name,
                    value,
                    f"<{threshold}",
                    status,
                    REGISTRY_ONLY,
                    tuple(reasons),
                    rule.is_assumption,
                )
            )
        elif rule.operator == "county_village_exit_rate":
            value = pct(facts.exited_poor_villages, facts.poor_villages)
            if value is None:
                status, reasons = UNKNOWN, ["范围内没有贫困村"]
            else:
                ok = Decimal(facts.exited_poor_villages) * 100 >= threshold * facts.poor_villages
                status = PASS if ok else FAIL
                reasons = [
                    f"已出列（或当年计划出列且达标）{facts.exited_poor_villages} 个 ÷ 贫困村 {facts.poor_villages} 个"
                ]
            out.append(
                CountyIndicator(
                    rule.code,
                    rule.name,
                    value,
                    f"≥{threshold}",
                    status,
                    "建档立卡与村情数据",
                    tuple(reasons),
                    rule.is_assumption,
                )
            )
        elif rule.operator == "county_sample_rate":
            sign = "≤" if rule.params.get("direction") == "lte" else "≥"
            out.append(
                CountyIndicator(
                    rule.code,
                    rule.name,
                    None,
                    f"{sign}{threshold}",
                    UNKNOWN,
                    SAMPLE_PENDING,
                    ("抽样核查数据尚未录入",),
                    rule.is_assumption,
                )
            )
        else:
            raise ValueError(f"unknown county operator {rule.operator}")
    return out
