"""Aggregates over stored verdicts (set-based, one grouped query each) for the CLI and county pages.

Every function takes a `Q` restricting verdict rows by village code (the caller's scope) and a region
prefix; selectors build the Q from the Actor, the CLI uses the whole register.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum

from jingzhun.engines.python.village import CountyFacts, VillageResult, assess_county, assess_village
from jingzhun.regions.models import Region, code_range
from jingzhun.rules import exits
from jingzhun.rules.spec import StandardSpec
from jingzhun.standards.models import HouseholdVerdict

POOR = list(exits.POOR_STATUSES)


def remaining_q(year: int) -> Q:
    """剩余贫困人口 rows (rules.exits.remaining_poor) as a filter over stored verdicts: 未脱贫/返贫, except
    households planned to exit by Y that meet the standard. (Django's negation keeps rows whose
    planned_exit_year is NULL, as the rule does.)"""
    return Q(exit_status__in=exits.POOR_STATUSES) & ~Q(planned_exit_year__lte=year, passed=True)


def verdicts(spec: StandardSpec, year: int, prefix: str, scope_q: Q) -> Any:
    low, high = code_range(prefix)
    return HouseholdVerdict.objects.filter(
        scope_q, year=year, standard_id=spec.id, village_code__gte=low, village_code__lt=high
    )


def remaining_by_village(spec: StandardSpec, year: int, prefix: str, scope_q: Q) -> dict[str, int]:
    rows = (
        verdicts(spec, year, prefix, scope_q)
        .values("village_code")
        .annotate(n=Sum("people", filter=remaining_q(year)))
    )
    return {r["village_code"]: int(r["n"] or 0) for r in rows}


def villages_in(prefix: str, region_q: Q) -> list[Region]:
    low, high = code_range(prefix)
    return list(
        Region.objects.filter(region_q, level="village", code__gte=low, code__lt=high).order_by("code")
    )


def village_results(
    spec: StandardSpec, year: int, prefix: str, *, scope_q: Q = Q(), region_q: Q = Q()
) -> list[VillageResult]:
    remaining = remaining_by_village(spec, year, prefix, scope_q)
    return [
        assess_village(v, remaining_poor=remaining.get(v.code, 0), spec=spec)
        for v in villages_in(prefix, region_q)
    ]


def county_facts(results: list[VillageResult], regions: dict[str, Region], year: int) -> CountyFacts:
    poor = [r for r in results if r.is_poor_village]

    def exited(result: VillageResult) -> bool:
        region = regions[result.code]
        return exits.village_exited(
            exit_state=region.exit_state,
            exit_year=region.exit_year,
            planned_exit_year=region.planned_exit_year,
            passed=result.passed,
            year=year,
        )

    return CountyFacts(
        remaining_poor=sum(r.remaining_poor for r in results),
        rural_population=sum(r.population or 0 for r in results),
        villages_without_population=sum(1 for r in results if not r.population),
        poor_villages=len(poor),
        exited_poor_villages=sum(1 for r in poor if exited(r)),
    )


def county_indicators(
    spec: StandardSpec, year: int, prefix: str, *, scope_q: Q = Q(), region_q: Q = Q()
) -> tuple[list[Any], list[VillageResult], CountyFacts]:
    results = village_results(spec, year, prefix, scope_q=scope_q, region_q=region_q)
    regions = {r.code: r for r in villages_in(prefix, region_q)}
    facts = county_facts(results, regions, year)
    return assess_county(facts, spec=spec), results, facts


@dataclass
class PlanRow:
    """预脱贫: households planned to exit in Y (计划脱贫年度 = Y), still 未脱贫/返贫."""

    code: str
    name: str
    planned_households: int = 0
    planned_people: int = 0
    ready_households: int = 0
    ready_people: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)

    @property
    def not_ready_households(self) -> int:
        return self.planned_households - self.ready_households

    @property
    def not_ready_people(self) -> int:
        return self.planned_people - self.ready_people

    @property
    def ready_rate(self) -> str:
        if not self.planned_households:
            return "—"
        return f"{self.ready_households * 100 / self.planned_households:.1f}%"


def plan_rows(
    spec: StandardSpec, year: int, prefix: str, *, scope_q: Q = Q(), level: str = "township"
) -> tuple[PlanRow, list[PlanRow], dict[str, int]]:
    """The year's exit plan, totalled, broken down by township (or village), and by failing rule
    (a household failing two rules counts under both; 数据缺失 rules are counted as not ready)."""
    base = verdicts(spec, year, prefix, scope_q).filter(planned_exit_year=year, exit_status__in=POOR)
    grouped = base.values("village_code", "passed", "failed", "missing").annotate(
        households=Count("id"), people=Sum("people")
    )
    width = 9 if level == "township" else 12
    rows: dict[str, PlanRow] = {}
    total = PlanRow(code=prefix, name="合计")
    rule_totals: dict[str, int] = defaultdict(int)
    for g in grouped:
        key = g["village_code"][:width]
        row = rows.setdefault(key, PlanRow(code=key, name=""))
        for target in (row, total):
            target.planned_households += g["households"]
            target.planned_people += g["people"] or 0
            if g["passed"]:
                target.ready_households += g["households"]
                target.ready_people += g["people"] or 0
        for code in [c for c in g["failed"].split(";") if c] + [
            c + "（缺数据）" for c in g["missing"].split(";") if c
        ]:
            row.by_rule[code] = row.by_rule.get(code, 0) + g["households"]
            rule_totals[code] += g["households"]
    names = _names([k + "0" * (12 - len(k)) for k in rows])
    for key, row in rows.items():
        row.name = names.get(key + "0" * (12 - len(key)), key)
        row.code = key + "0" * (12 - len(key))
    order = {code: i for i, code in enumerate(r.code for r in spec.level_rules("household"))}
    ordered_rules = dict(
        sorted(rule_totals.items(), key=lambda kv: (order.get(kv[0].split("（")[0], 99), kv[0]))
    )
    return total, sorted(rows.values(), key=lambda r: r.code), ordered_rules


def _names(codes: list[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


SUSPECTED_DISPLAY_LIMIT = 500  # rows a page shows; its xlsx download has them all


def on_board(query: Any) -> Any:
    """The 疑似错退 board: 已脱贫 households that FAILED at least one rule. The stored flag (and the CSV's
    疑似错退 column, spec "Assessment output") is 已脱贫 and not 达标, which includes a household missing
    only data; that one has failed nothing and is listed on 数据待补 instead (standards.data_gaps,
    docs/national-list.md "数据缺失与疑似错退")."""
    return query.filter(suspected_wrong_exit=True).exclude(failed="")


def suspected_count(spec: StandardSpec, year: int, prefix: str, *, scope_q: Q = Q()) -> int:
    """All 疑似错退 households in scope (the page lists at most 500 of them, the badge counts them all)."""
    return on_board(verdicts(spec, year, prefix, scope_q)).count()


def suspected_wrong_exits(
    spec: StandardSpec, year: int, prefix: str, *, scope_q: Q = Q(), limit: int | None = 500
) -> list[dict[str, Any]]:
    """疑似错退 households in scope, by village; `limit=None` for all of them (the xlsx download)."""
    rows = (
        on_board(verdicts(spec, year, prefix, scope_q))
        .select_related("household")
        .order_by("village_code", "household__code")[:limit]
    )
    names = _names(list({r.village_code for r in rows}))
    return [
        {
            "household_id": r.household_id,
            "code": r.household.code,
            "head_name": r.household.head_name,
            "village_code": r.village_code,
            "village_name": names.get(r.village_code, r.village_code),
            "people": r.people,
            "failed": r.failed,
            "missing": r.missing,
        }
        for r in rows
    ]


def incidence_by_township(results: list[VillageResult]) -> list[dict[str, Any]]:
    from jingzhun.engines.python.village import pct

    groups: dict[str, dict[str, int]] = defaultdict(
        lambda: {"remaining": 0, "population": 0, "villages": 0, "missing_population": 0}
    )
    for r in results:
        g = groups[r.code[:9] + "000"]
        g["remaining"] += r.remaining_poor
        g["population"] += r.population or 0
        g["villages"] += 1
        g["missing_population"] += 0 if r.population else 1
    names = _names(list(groups))
    return [
        {"code": code, "name": names.get(code, code), **g, "incidence": pct(g["remaining"], g["population"])}
        for code, g in sorted(groups.items())
    ]
