"""Schemas of the registry's sub-resources (incomes by year, member removal, lifecycle events). Shape and
type only, as in `registry.api_schemas`: the services apply every domain rule.

A write that changes a stored object takes the `version` the client read (or an If-Match header), so a
save based on a state someone else has changed since is a 409, never a silent overwrite.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from jingzhun.api.shapes import MAX_ID, In, Money, Text, version_field
from jingzhun.registry import enums
from jingzhun.registry.api_schemas import HH

# ---------------------------------------------------------------- incomes by year (各年度收入)


class IncomeIn(In):
    """登记或更正某一年度的收入（元/年）：该年度没有记录则新增，已有则更正（修改前后的值都记录在痕迹中）。"""

    wage: Money = Field(description=f"{HH['wage']}（元）")
    business: Money = Field(description=f"{HH['business']}（元）")
    property_income: Money = Field(description=f"{HH['property_income']}（元）")
    transfer: Money = Field(description=f"{HH['transfer']}（元）")
    business_expense: Money = Field(description=f"{HH['business_expense']}（元）")
    version: int | None = version_field()


# ---------------------------------------------------------------- member removal (自然减少)


class MemberRemoveIn(In):
    """自然减少：成员离开本户，记录保留（已减少）。户主须先变更；最后一名在册成员请办理注销。"""

    reason: enums.DecreaseReason = Field(description="减少原因")
    occurred_on: date | None = Field(None, description="减少日期（默认今天）")
    note: Text = Field("", max_length=200, description="说明")
    version: int | None = version_field()


# ---------------------------------------------------------------- lifecycle events (动态调整)

EventKindIn = Literal["返贫", "清退", "注销", "拆户", "并户"]


class EventIn(In):
    """动态调整（标注脱贫另见 /exit）：返贫、清退（错评）、注销、拆户、并户。拆户须 member_ids、new_code、
    new_head_id；并户须 other_household_id（被并入本户的户，注销）与 head_relation。"""

    kind: EventKindIn = Field(description="事件")
    occurred_on: date | None = Field(None, description="日期（默认今天）")
    reason: Text = Field("", max_length=200, description="原因（返贫、清退、注销必填）")
    version: int | None = version_field()
    member_ids: list[int] = Field([], max_length=60, description="拆户：迁入新户的成员 id")
    new_code: Text = Field("", max_length=40, description="拆户：新户编号")
    new_head_id: int | None = Field(None, ge=1, le=MAX_ID, description="拆户：新户户主（成员 id）")
    other_household_id: int | None = Field(None, ge=1, le=MAX_ID, description="并户：被并入本户的户 id")
    head_relation: enums.Relation = Field(
        enums.Relation.OTHER, description="并户：被并入户原户主与本户户主的关系"
    )


class EventOut(Schema):
    id: int
    kind: str = Field(description="事件")
    occurred_on: date = Field(description="日期")
    reason: str = Field(description="原因")
    member_id: int | None = Field(description="涉及的成员 id（自然增加/减少）")
    related_household_id: int | None = Field(description="关联户 id（拆户、并户）")
    actor_name: str = Field(description="经办人")
    created_at: datetime = Field(description="办理时间")
