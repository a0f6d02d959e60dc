"""Schemas of help (帮扶) in the API: visits (走访) and help measures (帮扶措施). Shape and type only: the
assistance services apply every domain rule. A measure's change takes the `version` the client read (or an
If-Match header), so a save based on a state someone else has changed since is a 409."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from jingzhun.api.shapes import In, Money, Text, version_field
from jingzhun.assistance.models import MeasureCategory, MeasureStatus

# ---------------------------------------------------------------- visits (走访)


class VisitIn(In):
    """登记走访（照片在页面上传）。"""

    visited_on: date = Field(description="走访日期（不晚于今天）")
    activities: Text = Field(max_length=2000, description="帮扶工作内容")
    problems: Text = Field("", max_length=2000, description="发现的问题")


class VisitOut(Schema):
    id: int
    household_id: int = Field(description="走访户 id")
    visited_on: date = Field(description="走访日期")
    visitor_name: str = Field(description="走访人")
    activities: str = Field(description="帮扶工作内容")
    problems: str = Field(description="发现的问题")
    photo_count: int = Field(description="照片张数（在页面查看）")
    created_at: datetime = Field(description="登记时间")


# ---------------------------------------------------------------- help measures (帮扶措施)


class MeasureIn(In):
    category: MeasureCategory = Field(description="措施类别")
    content: Text = Field(max_length=500, description="措施内容")
    funds: Money | None = Field(None, description="投入资金（元）")
    started_on: date = Field(description="开始日期")
    ended_on: date | None = Field(None, description="结束日期")
    expected_income_gain: Money | None = Field(None, description="预计增收（元/年）")
    status: MeasureStatus | None = Field(None, description="状态（默认实施中）")


class MeasurePatch(In):
    """Only the fields sent are changed; the result is checked as a whole."""

    category: MeasureCategory | None = Field(None, description="措施类别")
    content: Text | None = Field(None, max_length=500, description="措施内容")
    funds: Money | None = Field(None, description="投入资金（元）")
    started_on: date | None = Field(None, description="开始日期")
    ended_on: date | None = Field(None, description="结束日期")
    expected_income_gain: Money | None = Field(None, description="预计增收（元/年）")
    status: MeasureStatus | None = Field(None, description="状态")
    version: int | None = version_field()


class MeasureOut(Schema):
    id: int
    household_id: int = Field(description="帮扶户 id")
    category: str = Field(description="措施类别")
    content: str = Field(description="措施内容")
    funds: Decimal = Field(description="投入资金（元）")
    started_on: date = Field(description="开始日期")
    ended_on: date | None = Field(description="结束日期")
    expected_income_gain: Decimal | None = Field(description="预计增收（元/年）")
    status: str = Field(description="状态")
    version: int = Field(description="版本：每次修改加一；修改时传回以防覆盖他人的修改")
