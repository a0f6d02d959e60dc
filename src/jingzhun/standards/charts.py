"""Chart series (图表数据) of the 脱贫攻坚 page, reshaped from the very rows its tables show.

Nothing here queries or recomputes: the page's selector hands over its context and gets back plain
JSON-ready lists for `json_script`. A chart whose table would be empty is left out, so the page shows
the table's empty state instead of an empty chart.
"""

from __future__ import annotations

from typing import Any

from jingzhun.rules.spec import StandardSpec

MISSING_SUFFIX = "（缺数据）"


def _rule_label(key: str, names: dict[str, str]) -> str:
    """`H-WATER` → 饮水安全有保障; `H-WATER（缺数据）` keeps its suffix. Unknown codes stay as they are."""
    code, missing, _ = key.partition(MISSING_SUFFIX)
    return names.get(code, code) + missing


def _plan(ctx: dict[str, Any]) -> dict[str, Any] | None:
    rows = ctx["plan"]
    if not rows:
        return None
    return {
        "level": ctx["plan_level"],
        "codes": [p.code for p in rows],
        "names": [p.name for p in rows],
        "planned": [p.planned_households for p in rows],
        "ready": [p.ready_households for p in rows],
        "not_ready": [p.not_ready_households for p in rows],
    }


def _rules(ctx: dict[str, Any], spec: StandardSpec) -> dict[str, Any] | None:
    rules = ctx["plan_rules"]
    if not rules:
        return None
    names = {r.code: r.name for r in spec.level_rules("household")}
    return {
        "codes": list(rules),
        "labels": [_rule_label(key, names) for key in rules],
        "households": list(rules.values()),
    }


def _incidence(ctx: dict[str, Any], spec: StandardSpec) -> dict[str, Any] | None:
    townships = ctx["townships"]
    if not any(t["incidence"] is not None for t in townships):
        return None  # no 户籍人口 anywhere: the table's "—" says it better than a blank chart
    county = [r for r in spec.level_rules("county") if r.operator == "county_incidence_below"]
    threshold = county[0].params.get("threshold_pct") if county else None
    return {
        "codes": [t["code"] for t in townships],
        "names": [t["name"] for t in townships],
        # Decimal → float only for drawing; the table and xlsx keep the exact 2-place value
        "incidence": [None if t["incidence"] is None else float(t["incidence"]) for t in townships],
        "remaining": [t["remaining"] for t in townships],
        "population": [t["population"] for t in townships],
        "threshold": None if threshold is None else float(threshold),
    }


def exit_charts(ctx: dict[str, Any], *, spec: StandardSpec) -> dict[str, Any]:
    """{"plan": …, "rules": …, "incidence": …}, each present only when it has something to draw.
    Before the year's assessment has run every figure is a zero, so there are no charts at all."""
    if ctx.get("error") or not ctx.get("assessed"):
        return {}
    charts = {
        "plan": _plan(ctx),
        "rules": _rules(ctx, spec),
        "incidence": _incidence(ctx, spec),  # townships is empty below the county
    }
    return {name: data for name, data in charts.items() if data is not None}
