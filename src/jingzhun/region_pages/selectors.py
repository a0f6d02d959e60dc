"""Scoped reads of regions and their registry counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.http import Http404

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.regions.models import CHILD_LEVEL, Region, code_range
from jingzhun.registry import enums
from jingzhun.registry.models import Household


def region_get(actor: Actor, code: str) -> Region:
    """A region inside the actor's scope; anything else is the same 404 as a missing code."""
    if not actor.can(Perm.VIEW_REGISTRY) or actor.paired_only:
        raise Http404
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None or not actor.covers_code(region.code):
        raise Http404
    return region


def home_region(actor: Actor) -> Region | None:
    """The widest region the actor covers (county for county roles, the village for a village cadre)."""
    if not actor.prefixes:
        return None
    shortest = min(actor.prefixes, key=len)
    low, high = code_range(shortest)
    return (
        Region.objects.filter(code__gte=low, code__lt=high).exclude(level="province").order_by("code").first()
    )


def ancestors(region: Region) -> list[Region]:
    chain = []
    node = region.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


@dataclass
class RegionCounts:
    households: int = 0
    people: int = 0
    poor_households: int = 0
    poor_people: int = 0
    exited_households: int = 0
    exited_people: int = 0
    planned_households: int = 0
    planned_people: int = 0

    def add(self, other: RegionCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class RegionRow:
    region: Region
    counts: RegionCounts = field(default_factory=RegionCounts)


def counts_by_village(actor: Actor, prefix: str, *, plan_year: int) -> dict[str, RegionCounts]:
    """One grouped query over the households of a subtree (scoped), keyed by village code."""
    low, high = code_range(prefix)
    poor = Q(exit_status__in=[enums.ExitStatus.NOT_EXITED, enums.ExitStatus.RETURNED])
    exited = Q(exit_status=enums.ExitStatus.EXITED)
    planned = Q(planned_exit_year=plan_year) & poor
    rows = (
        Household.objects.filter(
            actor.region_q("village_id"),
            village_id__gte=low,
            village_id__lt=high,
            registry_status=enums.RegistryStatus.ACTIVE,
        )
        .values("village_id")
        .annotate(
            households=Count("id"),
            people=Sum("member_count"),
            poor_households=Count("id", filter=poor),
            poor_people=Sum("member_count", filter=poor),
            exited_households=Count("id", filter=exited),
            exited_people=Sum("member_count", filter=exited),
            planned_households=Count("id", filter=planned),
            planned_people=Sum("member_count", filter=planned),
        )
    )
    result = {}
    for row in rows:
        values: dict[str, Any] = {k: v or 0 for k, v in row.items() if k != "village_id"}
        result[row["village_id"]] = RegionCounts(**values)
    return result


def region_overview(actor: Actor, region: Region, *, plan_year: int | None = None) -> dict[str, Any]:
    if plan_year is None:
        from jingzhun.core.assessments import assessments

        plan_year = assessments().default_year()  # the latest assessed year (core.assessments)
    by_village = counts_by_village(actor, region.prefix, plan_year=plan_year)
    total = RegionCounts()
    for counts in by_village.values():
        total.add(counts)
    children: list[RegionRow] = []
    child_level = CHILD_LEVEL.get(region.level)
    if child_level:
        for child in Region.objects.filter(parent=region).order_by("code"):
            if not actor.covers_code(child.code) and not any(
                p.startswith(child.prefix) for p in actor.prefixes
            ):
                continue
            row = RegionRow(child)
            for village_code, counts in by_village.items():
                if village_code.startswith(child.prefix):
                    row.counts.add(counts)
            children.append(row)
    return {"total": total, "children": children, "plan_year": plan_year}
