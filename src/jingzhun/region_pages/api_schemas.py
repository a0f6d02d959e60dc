"""Response schemas of the regions API (行政区划): a region, its counts of the caller's households, its
breadcrumbs and children."""

from __future__ import annotations

from ninja import Field, Schema


class RegionCountsOut(Schema):
    households: int = Field(description="在册贫困户数")
    people: int = Field(description="在册贫困人口数")
    poor_households: int = Field(description="未脱贫户数（未脱贫/返贫）")
    poor_people: int = Field(description="未脱贫人口数")
    exited_households: int = Field(description="已脱贫户数")
    exited_people: int = Field(description="已脱贫人口数")
    planned_households: int = Field(description="计划当年脱贫户数")
    planned_people: int = Field(description="计划当年脱贫人口数")


class RegionRefOut(Schema):
    code: str = Field(description="行政区划代码")
    name: str = Field(description="名称")
    level: str = Field(description="层级（county/township/village）")


class RegionOut(RegionRefOut):
    level_name: str = Field(description="层级名称（县/乡镇/村）")
    parent_code: str | None = Field(description="上级代码")
    is_poor_village: bool = Field(description="是否贫困村")
    exit_state: str | None = Field(description="出列状态（贫困村）")
    exit_year: int | None = Field(description="出列年度")
    planned_exit_year: int | None = Field(description="计划出列年度")
    counts: RegionCountsOut = Field(description="本区划在您管辖范围内的户数与人数")


class RegionDetailOut(RegionOut):
    plan_year: int = Field(description="“计划当年脱贫”所指的年度")
    breadcrumbs: list[RegionRefOut] = Field(description="上级区划（只有名称，不含统计）")


class RegionChildrenOut(Schema):
    region: RegionRefOut
    plan_year: int
    items: list[RegionOut] = Field(description="与您管辖范围相交的下级区划")
