"""Regions (行政区划) with registry counts: the caller's own regions, a region, and its children.

Only regions inside the caller's scope answer; anything else (a sibling village, an ancestor) is the same
404 as a missing code. Ancestors appear only as breadcrumbs (code and name, no counts). Counts come from
one grouped query over the region's households, filtered by the caller's scope (region_pages.selectors).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Path, Query, Router

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.api.context import reader
from jingzhun.core.assessments import assessments
from jingzhun.region_pages.api_schemas import RegionChildrenOut, RegionDetailOut, RegionOut
from jingzhun.region_pages.selectors import (
    RegionCounts,
    ancestors,
    counts_by_village,
    region_get,
    region_overview,
)
from jingzhun.regions.models import Region

router = Router(tags=["行政区划 regions"])

CODE = Path(..., pattern=r"^\d{12}$", description="12位行政区划代码")
PLAN_YEAR = Query(None, ge=1980, le=2100, description="“计划当年脱贫”的年度，默认今年")


def _region_ref(r: Region) -> dict[str, Any]:
    return {"code": r.code, "name": r.name, "level": r.level}


def _region(r: Region, counts: RegionCounts) -> dict[str, Any]:
    return {
        **_region_ref(r),
        "level_name": r.level_name,
        "parent_code": r.parent_id,
        "is_poor_village": r.is_poor_village,
        "exit_state": r.exit_state or None,
        "exit_year": r.exit_year,
        "planned_exit_year": r.planned_exit_year,
        "counts": vars(counts),
    }


def _totals(actor: Actor, region: Region, plan_year: int) -> RegionCounts:
    total = RegionCounts()
    for counts in counts_by_village(actor, region.prefix, plan_year=plan_year).values():
        total.add(counts)
    return total


@router.get("", response=list[RegionOut], summary="我管辖的区划（含统计）")
def region_roots(request: HttpRequest, plan_year: int | None = PLAN_YEAR):
    """The top regions of the caller's scope: the county for county roles, the village for a 村干部."""
    actor = reader(request)
    if not actor.can(Perm.VIEW_REGISTRY) or actor.paired_only:
        return []
    year = plan_year or assessments().default_year()
    roots = []
    for prefix in actor.prefixes:
        try:
            region = region_get(actor, prefix.ljust(12, "0"))
        except Http404:
            continue
        roots.append(_region(region, _totals(actor, region, year)))
    return roots


@router.get("/{code}", response=RegionDetailOut, summary="区划详情（含统计与上级区划）")
def region_detail(request: HttpRequest, code: str = CODE, plan_year: int | None = PLAN_YEAR):
    actor = reader(request)
    region = region_get(actor, code)
    year = plan_year or assessments().default_year()
    return {
        **_region(region, _totals(actor, region, year)),
        "plan_year": year,
        "breadcrumbs": [_region_ref(r) for r in ancestors(region) if r.level != "province"],
    }


@router.get("/{code}/children", response=RegionChildrenOut, summary="下级区划（含统计）")
def region_children(request: HttpRequest, code: str = CODE, plan_year: int | None = PLAN_YEAR):
    actor = reader(request)
    region = region_get(actor, code)
    overview = region_overview(actor, region, plan_year=plan_year)
    return {
        "region": _region_ref(region),
        "plan_year": overview["plan_year"],
        "items": [_region(row.region, row.counts) for row in overview["children"]],
    }
