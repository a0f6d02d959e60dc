"""Request and response schemas of the ledger API (台账). Shapes only: the ledger services apply every
rule (transition table, permission, scope, four eyes, evidence, the clock) and give the Chinese messages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

from jingzhun.api.shapes import MAX_ID, In, Text

# Dates the ledger can compute with (the clock subtracts and adds days; year 1 or 9999 would overflow).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]


class LedgerFilterIn(Schema):
    kind: Text = Field(
        "",
        max_length=16,
        description="类型：problem 问题整改 · petition 信访 · directive 指令 · task 任务指标 · case 违纪案件",
    )
    status: Text = Field("", max_length=12, description="状态（截至 as_of）")
    source: Text = Field("", max_length=20, description="来源 / 来源层级")
    region: Text = Field("", max_length=12, description="行政区划代码：只列该区划（及其下级）的事项")
    unit: Text = Field("", max_length=200, description="责任单位名称")
    overdue: bool = Field(False, description="只列逾期事项（截至 as_of）")
    as_of: Day | None = Field(None, description="截至日期，默认今天")
    after: int | None = Field(None, ge=0, le=MAX_ID, description="游标：上一页响应中的 next")
    limit: int = Field(50, ge=1, le=200, description="每页条数（1–200）")


class LedgerItemOut(Schema):
    id: int
    kind: str = Field(description="类型代码")
    kind_label: str = Field(description="类型")
    code: str = Field(description="编号")
    source: str = Field(description="来源 / 来源层级")
    title: str = Field(description="标题")
    description: str = Field(description="内容")
    region: str = Field(description="涉及地区代码")
    region_name: str = Field(description="涉及地区")
    household: str | None = Field(description="涉及户编号")
    unit: str = Field(description="责任单位")
    responsible: str = Field(description="责任人")
    leader: str = Field(description="包案领导")
    assigned_on: date = Field(description="交办/登记日期")
    deadline: date = Field(description="原定时限")
    due_on: date = Field(description="时限（截至 as_of，含延期与暂停顺延）")
    status: str = Field(description="状态（截至 as_of）")
    closed: bool = Field(description="是否已办结")
    closed_on: date | None = Field(description="办结日期")
    overdue_days: int = Field(description="逾期天数（截至 as_of）")
    paused_since: date | None = Field(description="暂停计时自")
    petitioner: str = Field(description="信访人（无敏感信息权限时脱敏）")
    phone: str = Field(description="联系电话（无敏感信息权限时脱敏）")


class LedgerPageOut(Schema):
    items: list[LedgerItemOut]
    next: int | None = Field(description="下一页游标（作为 after 传回）；为空表示没有下一页")


class LedgerAttachmentOut(Schema):
    id: int
    name: str = Field(description="文件名")
    kind: str = Field(description="格式")
    size: int = Field(description="字节数")
    url: str = Field(description="页面的下载地址（浏览器登录会话；按管辖范围校验）")
    download_url: str = Field(
        description="接口的下载地址（GET，与其他接口相同的令牌或会话认证；按管辖范围校验，越权为 404）"
    )


class LedgerStepOut(Schema):
    id: int
    action: str = Field(description="操作代码")
    label: str = Field(description="操作")
    from_status: str = Field(description="原状态")
    status: str = Field(description="状态")
    on: date = Field(description="日期")
    at: datetime = Field(description="记录时间")
    actor: str = Field(description="操作人")
    note: str = Field(description="说明")
    evidence: str = Field(description="佐证说明")
    attachments: list[LedgerAttachmentOut]


class LedgerMoveOptionOut(Schema):
    action: str = Field(description="操作代码（作为 moves 的 action 传入）")
    label: str = Field(description="操作")
    target: str = Field(description="操作后的状态")
    evidence: bool = Field(description="须提供说明和佐证")
    extension: bool = Field(description="须填写延期天数")


class LedgerRecipientOut(Schema):
    post: str = Field(description="接收单位")
    status: str = Field(description="签收状态")
    signed_at: datetime | None
    reported_at: datetime | None


class LedgerItemDetailOut(LedgerItemOut):
    reply: str = Field(description="答复意见")
    measures: str = Field(description="整改措施")
    steps: list[LedgerStepOut]
    escalations: list[str] = Field(description="已触发的督办升级（提醒、督办、通报、约谈）")
    recipients: list[LedgerRecipientOut] = Field(description="指令的接收单位（其他类型为空）")
    moves: list[LedgerMoveOptionOut] = Field(description="调用者现在可以执行的操作")


class LedgerMoveIn(In):
    action: Text = Field(max_length=20, description="操作代码（见详情的 moves）")
    note: Text = Field("", max_length=2000, description="说明（销号、办结、延期等必填）")
    evidence: Text = Field("", max_length=2000, description="佐证说明（接口不上传附件时，关闭类操作必填）")
    extension_days: int = Field(0, ge=0, le=3650, description="延期天数（批准延期时必填）")
    reply: Text = Field("", max_length=2000, description="答复意见（信访答复）")
    on: Day | None = Field(None, description="日期，默认今天；不能晚于今天、不能早于上一步")


class LedgerNoteIn(In):
    note: Text = Field(max_length=2000, description="进展情况")
    on: Day | None = Field(None, description="日期，默认今天")
