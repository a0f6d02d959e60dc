"""Scoped reads of the standards app: checklists for the household and village pages, the county
脱贫攻坚 dashboard, and the standards themselves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.engines.python.household import PASS, assess_household
from jingzhun.engines.python.village import assess_village
from jingzhun.engines.sql import compiler
from jingzhun.region_pages.selectors import home_region, region_get
from jingzhun.regions.models import Region, code_range
from jingzhun.registry.models import Household
from jingzhun.rules import exits
from jingzhun.standards import data_gaps, reports
from jingzhun.standards.charts import exit_charts
from jingzhun.standards.loading import default_year, household_data, load_spec, standard_for_year
from jingzhun.standards.models import AssessmentRun, ExitException, HouseholdVerdict, StandardSet

ASSUMPTION_LABEL = "默认口径，可配置"


def _rule_rows(results: Any) -> list[dict[str, Any]]:
    return [
        {
            "code": r.code,
            "name": r.name,
            "status": r.status,
            "status_label": r.status_label,
            "reasons": list(r.reasons),
            "is_assumption": r.is_assumption,
            "note": r.note,
        }
        for r in results
    ]


def household_checklist(household: Household, year: int | None = None) -> dict[str, Any]:
    """Context of `standards/_household_checklist.html`: each rule pass/fail/unknown with reasons, the
    overall 达标, 疑似错退, and ASSUMPTION labels. Computed live (Python engine), so an edit shows at once.
    The caller has already checked that the actor may see the household."""
    year = year or default_year()
    standard = standard_for_year(year)
    if standard is None:
        return {"year": year, "standard": None, "error": f"没有适用于{year}年的已发布标准", "rules": []}
    spec = load_spec(standard)
    result = assess_household(household_data(household, year=year), year=year, spec=spec)
    line = spec.line(year)
    return {
        "year": year,
        "standard": standard,
        "error": "",
        "rules": _rule_rows(result.results),
        "passed": result.passed,
        # the badge follows the board (failed something); a household missing only data shows 数据待补
        "suspected_wrong_exit": result.on_wrong_exit_board,
        "awaiting_data": result.awaiting_data,
        "failed_codes": result.failed_codes,
        "missing_codes": result.missing_codes,
        "per_capita": result.per_capita,
        "people": result.people,
        "line": line,
        "line_is_assumption": year in spec.line_assumptions,
        "reference_date": spec.reference_date(year),
        "reference_is_assumption": spec.reference_is_assumption,
        "assumption_label": ASSUMPTION_LABEL,
        "exit_status": household.exit_status,
    }


def village_checklist(region: Region, year: int | None = None) -> dict[str, Any]:
    """Context of `standards/_village_checklist.html`: V-* rules for the village, its remaining poor
    people and incidence, computed live from the registry (set-based over the village's households)."""
    year = year or default_year()
    standard = standard_for_year(year)
    if standard is None:
        return {"year": year, "standard": None, "error": f"没有适用于{year}年的已发布标准", "rules": []}
    spec = load_spec(standard)
    statuses, remaining, result = village_assessment(region, year=year, spec=spec)
    return {
        "year": year,
        "standard": standard,
        "error": "",
        "region": region,
        "rules": _rule_rows(result.results),
        "passed": result.passed,
        "remaining_poor": remaining,
        "population": result.population,
        "incidence": result.incidence,
        "is_poor_village": result.is_poor_village,
        "assumption_label": ASSUMPTION_LABEL,
        "households": len(statuses),
        "ready_households": sum(
            1 for row in statuses.values() if all(s == 0 for s in row["statuses"].values())
        ),
        "status_pass": PASS,
    }


def village_assessment(region: Region, *, year: int, spec: Any) -> tuple[dict[int, Any], int, Any]:
    """The village's V-* result for `year`, live from the registry (set-based over its households):
    (per-household statuses, 剩余贫困人口, VillageResult)."""
    statuses = compiler.compute_statuses(spec=spec, year=year, scope=compiler.Scope.region(region.code))
    return _village_result(region, statuses, year=year, spec=spec)


# villages per rule query of `villages_assessment` (three uses of each code stay far below SQLite's limit
# of bound parameters)
VILLAGES_PER_QUERY = 300


def villages_assessment(
    regions: Sequence[Region], *, year: int, spec: Any
) -> dict[str, tuple[dict[int, Any], int, Any]]:
    """`village_assessment` of each of `regions` (villages), from one rule query per VILLAGES_PER_QUERY of
    them instead of one each: region code → (statuses, 剩余贫困人口, VillageResult)."""
    out: dict[str, tuple[dict[int, Any], int, Any]] = {}
    for start in range(0, len(regions), VILLAGES_PER_QUERY):
        part = regions[start : start + VILLAGES_PER_QUERY]
        scope = compiler.Scope.villages([region.code for region in part])
        by_village: dict[str, dict[int, Any]] = {region.code: {} for region in part}
        for hid, row in compiler.compute_statuses(spec=spec, year=year, scope=scope).items():
            by_village[row["village_code"]][hid] = row
        for region in part:
            out[region.code] = _village_result(region, by_village[region.code], year=year, spec=spec)
    return out


def _village_result(
    region: Region, statuses: dict[int, Any], *, year: int, spec: Any
) -> tuple[dict[int, Any], int, Any]:
    remaining = sum(
        row["people"]
        for row in statuses.values()
        if exits.remaining_poor(
            exit_status=row["exit_status"],
            planned_exit_year=row["planned_exit_year"],
            passed=all(s == 0 for s in row["statuses"].values()),
            year=year,
        )
    )
    return statuses, remaining, assess_village(region, remaining_poor=remaining, spec=spec)


def dashboard_region(actor: Actor, code: str | None) -> Region:
    if not actor.can(Perm.VIEW_REGISTRY) or actor.paired_only:
        raise Http404
    region = region_get(actor, code) if code else home_region(actor)
    if region is None:
        raise Http404
    return region


def exit_dashboard(actor: Actor, *, year: int, region: Region) -> dict[str, Any]:
    """脱贫攻坚 page: county indicators, 预脱贫 plan vs ready, 疑似错退, incidence by township and
    village readiness — from stored verdicts, limited to the actor's scope. `charts` reshapes those same
    rows for the page's ECharts (no second query)."""
    standard = standard_for_year(year)
    if standard is None:
        return {"year": year, "region": region, "standard": None, "error": f"没有适用于{year}年的已发布标准"}
    spec = load_spec(standard)
    scope_q, region_q = actor.region_q("village_code"), actor.region_q("code")
    indicators, villages, facts = reports.county_indicators(
        spec, year, region.prefix, scope_q=scope_q, region_q=region_q
    )
    level = "township" if len(region.prefix) <= 6 else "village"
    plan_total, plan, plan_rules = reports.plan_rows(spec, year, region.prefix, scope_q=scope_q, level=level)
    assessed = HouseholdVerdict.objects.filter(year=year, standard_id=spec.id).exists()
    last_run = AssessmentRun.objects.filter(year=year, standard_id=spec.id).order_by("-id").first()
    context: dict[str, Any] = {
        "year": year,
        "region": region,
        "standard": standard,
        "error": "",
        "assessed": assessed,
        "last_run": last_run,
        "indicators": indicators,
        "facts": facts,
        "plan_total": plan_total,
        "plan": plan,
        "plan_level": level,
        "plan_rules": plan_rules,
        "suspected": reports.suspected_wrong_exits(
            spec, year, region.prefix, scope_q=scope_q, limit=reports.SUSPECTED_DISPLAY_LIMIT
        ),
        "suspected_count": reports.suspected_count(spec, year, region.prefix, scope_q=scope_q),
        "suspected_limit": reports.SUSPECTED_DISPLAY_LIMIT,
        # households missing data (not on the board): counted here, listed on 数据待补
        "data_gaps_count": data_gaps.count(spec, year, region.prefix, actor),
        "exceptions": list(
            exceptions_visible(actor, region.prefix).filter(year=year)[: reports.SUSPECTED_DISPLAY_LIMIT]
        ),
        "townships": reports.incidence_by_township(villages) if level == "township" else [],
        "villages": sorted(villages, key=lambda v: (not v.is_poor_village, v.code)),
        "assumption_label": ASSUMPTION_LABEL,
        "rule_names": {r.code: r.name for r in spec.rules},
        "level": region.level,
    }
    context["charts"] = exit_charts(context, spec=spec)
    return context


def standards_list(actor: Actor) -> QuerySet[StandardSet]:
    if not actor.can(Perm.VIEW_REGISTRY):
        return StandardSet.objects.none()
    return StandardSet.objects.all()


def standard_get(actor: Actor, pk: Any) -> StandardSet:
    try:
        return standards_list(actor).get(pk=pk)
    except (StandardSet.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def exceptions_visible(actor: Actor, prefix: str) -> Any:
    """The board's rows within the actor's scope and the region `prefix`."""
    low, high = code_range(prefix)
    return (
        ExitException.objects.filter(
            actor.region_q("village_code"), village_code__gte=low, village_code__lt=high
        )
        .select_related("household")
        .order_by("village_code", "-id")
    )
