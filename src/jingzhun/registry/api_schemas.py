"""Request and response schemas of the registry API.

Field names are those of `registry.fields` (the same names as the forms and the workbook importer), and
each description is that field's Chinese label, so the OpenAPI document reads like the 建档立卡 forms.
The schemas only check shape and type; the registry services still apply every domain rule
(ID check character, one 户主, enums, scope) and give the Chinese messages at the field.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from jingzhun.api.shapes import MAX_ID, In, Money, Text, Year
from jingzhun.registry import enums, fields

HH = fields.labels(fields.HOUSEHOLD_FIELDS)
MB = fields.labels(fields.MEMBER_FIELDS)


# ---------------------------------------------------------------- members (成员)


class MemberIn(In):
    name: Text = Field(max_length=60, description=MB["name"])
    id_number: Text = Field(
        max_length=22, description=f"{MB['id_number']}（18位身份证号，或20/22位残疾人证号）"
    )
    relation: enums.Relation = Field(description=MB["relation"])
    gender: enums.Gender = Field(description=f"{MB['gender']}（须与证件号码一致）")
    ethnicity: Text = Field("", max_length=10, description=MB["ethnicity"])
    birth_date: date | None = Field(None, description=f"{MB['birth_date']}（不填则取证件号码中的日期）")
    education: enums.Education | None = Field(None, description=MB["education"])
    school_status: enums.SchoolStatus = Field(description=MB["school_status"])
    not_in_school_reason: enums.NotInSchoolReason | None = Field(None, description=MB["not_in_school_reason"])
    health: enums.Health = Field(description=MB["health"])
    labour_skill: enums.LabourSkill = Field(description=MB["labour_skill"])
    work_months: int | None = Field(None, ge=0, le=12, description=MB["work_months"])
    medical_insurance: bool = Field(description=MB["medical_insurance"])
    serious_illness_insurance: bool | None = Field(None, description=MB["serious_illness_insurance"])
    pension_insurance: bool | None = Field(None, description=MB["pension_insurance"])
    dibao: bool | None = Field(None, description=MB["dibao"])
    tekun: bool | None = Field(None, description=MB["tekun"])


class MemberCreateIn(MemberIn):
    reason: enums.IncreaseReason | None = Field(
        None, description="自然增加原因（出生/婚入/迁入）；不填表示更正建档信息，不记动态调整事件"
    )
    occurred_on: date | None = Field(None, description="自然增加日期（默认今天）")


class MemberPatch(In):
    """Only the fields sent are changed; the result is checked against the whole member."""

    name: Text | None = Field(None, max_length=60, description=MB["name"])
    id_number: Text | None = Field(None, max_length=22, description=MB["id_number"])
    relation: enums.Relation | None = Field(None, description=MB["relation"])
    gender: enums.Gender | None = Field(None, description=MB["gender"])
    ethnicity: Text | None = Field(None, max_length=10, description=MB["ethnicity"])
    birth_date: date | None = Field(None, description=MB["birth_date"])
    education: enums.Education | None = Field(None, description=MB["education"])
    school_status: enums.SchoolStatus | None = Field(None, description=MB["school_status"])
    not_in_school_reason: enums.NotInSchoolReason | None = Field(None, description=MB["not_in_school_reason"])
    health: enums.Health | None = Field(None, description=MB["health"])
    labour_skill: enums.LabourSkill | None = Field(None, description=MB["labour_skill"])
    work_months: int | None = Field(None, ge=0, le=12, description=MB["work_months"])
    medical_insurance: bool | None = Field(None, description=MB["medical_insurance"])
    serious_illness_insurance: bool | None = Field(None, description=MB["serious_illness_insurance"])
    pension_insurance: bool | None = Field(None, description=MB["pension_insurance"])
    dibao: bool | None = Field(None, description=MB["dibao"])
    tekun: bool | None = Field(None, description=MB["tekun"])
    version: int | None = Field(
        None,
        ge=1,
        description="所依据的版本（读取时的 version，也可用 If-Match 头）；已被他人修改则返回 409，不写入",
    )


class MemberOut(Schema):
    id: int
    household_id: int = Field(description="所属户 id")
    name: str = Field(description=MB["name"])
    id_number: str = Field(description=f"{MB['id_number']}（无敏感信息权限时脱敏）")
    gender: str = Field(description=MB["gender"])
    ethnicity: str = Field(description=MB["ethnicity"])
    birth_date: date | None = Field(
        description=f"{MB['birth_date']}（无敏感信息权限时为空：与脱敏号码合起来可还原证件号码）"
    )
    birth_year: int = Field(description="出生年份")
    relation: str = Field(description=MB["relation"])
    education: str | None = Field(description=MB["education"])
    school_status: str = Field(description=MB["school_status"])
    not_in_school_reason: str | None = Field(description=MB["not_in_school_reason"])
    health: str | None = Field(description=f"{MB['health']}（无敏感信息权限时为空：个人信息）")
    labour_skill: str = Field(description=MB["labour_skill"])
    work_months: int | None = Field(description=MB["work_months"])
    medical_insurance: bool | None = Field(description=MB["medical_insurance"])
    serious_illness_insurance: bool | None = Field(description=MB["serious_illness_insurance"])
    pension_insurance: bool | None = Field(description=MB["pension_insurance"])
    dibao: bool | None = Field(description=MB["dibao"])
    tekun: bool | None = Field(description=MB["tekun"])
    is_active: bool = Field(description="在册（自然减少后为否，记录保留）")
    removed_reason: str = Field(description="减少原因")
    removed_on: date | None = Field(description="减少日期")
    version: int = Field(description="版本：每次修改加一；修改时传回以防覆盖他人的修改")


# ---------------------------------------------------------------- households (户)


class HouseholdIn(In):
    """新识别: a household with its members and the incomes of one year. 户主姓名/证件号码 come from the
    member whose 与户主关系 is 户主."""

    code: Text = Field(max_length=40, description=HH["code"])
    village_code: Text = Field(max_length=12, description=f"{HH['village_code']}（12位村级代码）")
    group_name: Text = Field("", max_length=60, description=HH["group_name"])
    phone: Text = Field("", max_length=20, description=HH["phone"])
    identification_standard: enums.IdentificationStandard | None = Field(
        None, description=HH["identification_standard"]
    )
    attribute: enums.HouseholdAttribute = Field(description=HH["attribute"])
    main_cause: enums.PovertyCause = Field(description=HH["main_cause"])
    other_causes: list[enums.PovertyCause] = Field(
        [], max_length=2, description=f"{HH['other_causes']}（最多2项）"
    )
    identified_year: Year = Field(description=HH["identified_year"])
    exit_status: enums.ExitStatus = Field(description=HH["exit_status"])
    exit_year: Year | None = Field(None, description=HH["exit_year"])
    planned_exit_year: Year | None = Field(None, description=HH["planned_exit_year"])
    income_year: Year = Field(description=HH["income_year"])
    wage: Money = Field(description=f"{HH['wage']}（元）")
    business: Money = Field(description=f"{HH['business']}（元）")
    property_income: Money = Field(description=f"{HH['property_income']}（元）")
    transfer: Money = Field(description=f"{HH['transfer']}（元）")
    business_expense: Money = Field(description=f"{HH['business_expense']}（元）")
    food_secure: bool = Field(description=HH["food_secure"])
    clothing_secure: bool = Field(description=HH["clothing_secure"])
    water_safe: bool = Field(description=HH["water_safe"])
    housing_safety: enums.HousingSafety | None = Field(
        None, description=f"{HH['housing_safety']}（空 = 未鉴定）"
    )
    relocation: enums.Relocation = Field(enums.Relocation.NO, description=HH["relocation"])
    members: list[MemberIn] = Field(max_length=60, description="家庭成员（有且只有一名户主）")
    occurred_on: date | None = Field(None, description="新识别日期（默认今天）")
    reason: Text = Field("", max_length=200, description="新识别说明")


class HouseholdPatch(In):
    """Only the fields sent are changed. Members, incomes and 在册状态 change through their own actions."""

    village_code: Text | None = Field(None, max_length=12, description=HH["village_code"])
    group_name: Text | None = Field(None, max_length=60, description=HH["group_name"])
    phone: Text | None = Field(None, max_length=20, description=HH["phone"])
    identification_standard: enums.IdentificationStandard | None = Field(
        None, description=HH["identification_standard"]
    )
    attribute: enums.HouseholdAttribute | None = Field(None, description=HH["attribute"])
    main_cause: enums.PovertyCause | None = Field(None, description=HH["main_cause"])
    other_causes: list[enums.PovertyCause] | None = Field(None, max_length=2, description=HH["other_causes"])
    identified_year: Year | None = Field(None, description=HH["identified_year"])
    planned_exit_year: Year | None = Field(None, description=HH["planned_exit_year"])
    food_secure: bool | None = Field(None, description=HH["food_secure"])
    clothing_secure: bool | None = Field(None, description=HH["clothing_secure"])
    water_safe: bool | None = Field(None, description=HH["water_safe"])
    housing_safety: enums.HousingSafety | None = Field(None, description=HH["housing_safety"])
    relocation: enums.Relocation | None = Field(None, description=HH["relocation"])
    bank_account: Text | None = Field(None, max_length=32, description="银行账号（12–30位数字）")
    version: int | None = Field(
        None,
        ge=1,
        description="所依据的版本（读取时的 version，也可用 If-Match 头）；已被他人修改则返回 409，不写入",
    )


class ExitIn(In):
    """标注脱贫. Refused (422, code exit_refused, each failing item in `fields` by its code) unless the
    household meets the standard of the exit year and "一评议一公示一公告" is recorded."""

    exit_year: Year = Field(description=HH["exit_year"])
    occurred_on: date | None = Field(None, description="标注日期（默认今天）")
    reason: Text = Field("", max_length=200, description="说明")
    override: bool = Field(
        False, description="例外放行：核验未通过仍标注（须本县开启、县级管理员、书面理由；列入疑似错退）"
    )
    override_reason: Text = Field("", max_length=500, description="例外放行的书面理由")


class StepIn(In):
    """识别/退出程序的一步（退出程序：退出评议、退出公示、退出公告）。"""

    step: enums.IdentificationStep = Field(description="程序")
    occurred_on: date = Field(description="日期（公示为开始日期）")
    ends_on: date | None = Field(None, description="公示截止日期（退出公示必填）")
    performed_by: Text = Field(max_length=100, description="经办人/单位")
    note: Text = Field("", max_length=500, description="说明")


class StepOut(Schema):
    id: int
    step: str = Field(description="程序")
    occurred_on: date = Field(description="日期")
    ends_on: date | None = Field(description="公示截止日期")
    performed_by: str = Field(description="经办人/单位")
    note: str = Field(description="说明")


class HouseholdFilterIn(Schema):
    region: Text = Field("", max_length=12, description="行政区划代码：只列该区划（及其下级）的户")
    exit_status: enums.ExitStatus | None = Field(None, description=HH["exit_status"])
    attribute: enums.HouseholdAttribute | None = Field(None, description=HH["attribute"])
    main_cause: enums.PovertyCause | None = Field(None, description=HH["main_cause"])
    planned_exit_year: Year | None = Field(None, description=HH["planned_exit_year"])
    q: Text = Field(
        "", max_length=60, description="户主或成员姓名、证件号码、户编号，或户主姓名拼音首字母（zs → 张三）"
    )
    after: int | None = Field(None, ge=0, le=MAX_ID, description="游标：上一页响应中的 next")
    limit: int = Field(50, ge=1, le=200, description="每页条数（1–200）")


class IncomeOut(Schema):
    year: int = Field(description="收入年度")
    # null: unknown — a national person list gives only 人均纯收入 (docs/national-list.md)
    wage: Decimal | None = Field(description=HH["wage"])
    business: Decimal | None = Field(description=HH["business"])
    property_income: Decimal | None = Field(description=HH["property_income"])
    transfer: Decimal | None = Field(description=HH["transfer"])
    business_expense: Decimal | None = Field(description=HH["business_expense"])
    net_income: Decimal | None = Field(description="家庭纯收入（四项收入 − 生产经营性支出）；分项未知时为空")
    per_capita_net_income: Decimal | None = Field(description="人均纯收入（按当前家庭人口数）")
    version: int = Field(description="版本：每次更正加一；更正或删除时传回以防覆盖他人的修改")


class HouseholdSummaryOut(Schema):
    id: int
    code: str = Field(description=HH["code"])
    village_code: str = Field(description=HH["village_code"])
    village_name: str = Field(description="行政村")
    group_name: str = Field(description=HH["group_name"])
    head_name: str = Field(description=HH["head_name"])
    head_id_number: str = Field(description=f"{HH['head_id_number']}（无敏感信息权限时脱敏）")
    attribute: str = Field(description=HH["attribute"])
    main_cause: str = Field(description=HH["main_cause"])
    exit_status: str = Field(description=HH["exit_status"])
    exit_year: int | None = Field(description=HH["exit_year"])
    planned_exit_year: int | None = Field(description=HH["planned_exit_year"])
    member_count: int = Field(description="家庭人口数（在册成员）")
    registry_status: str = Field(description="在册状态（在册/已清退/已注销）")


class HouseholdOut(HouseholdSummaryOut):
    township_code: str | None = Field(description="乡镇代码")
    township_name: str | None = Field(description="乡镇")
    phone: str = Field(description=f"{HH['phone']}（无敏感信息权限时脱敏）")
    identification_standard: str | None = Field(description=HH["identification_standard"])
    other_causes: list[str] = Field(description=HH["other_causes"])
    identified_year: int = Field(description=HH["identified_year"])
    no_longer_enjoying: bool = Field(description="已脱贫（不再享受政策）")
    food_secure: bool | None = Field(description=HH["food_secure"])
    clothing_secure: bool | None = Field(description=HH["clothing_secure"])
    water_safe: bool | None = Field(description=HH["water_safe"])
    housing_safety: str | None = Field(description=HH["housing_safety"])
    relocation: str = Field(description=HH["relocation"])
    bank_account: str = Field(description="银行账号（无敏感信息权限时脱敏）")
    created_at: datetime = Field(description="建档时间")
    updated_at: datetime = Field(description="更新时间")
    version: int = Field(description="版本：每次修改加一；修改时传回以防覆盖他人的修改")
    members: list[MemberOut] = Field(description="家庭成员（含已减少的成员）")
    incomes: list[IncomeOut] = Field(description="各年度收入（新年度在前）")


class HouseholdPageOut(Schema):
    items: list[HouseholdSummaryOut]
    next: int | None = Field(description="下一页游标（作为 after 传回）；为空表示没有下一页")


def dump(schema: Schema, *, partial: bool = False) -> dict[str, Any]:
    """Plain values for the services (enum values as text, dates as ISO strings, money as strings);
    with `partial`, only the fields the client sent."""
    values = schema.model_dump(mode="json", exclude_unset=partial)
    if "other_causes" in values:
        values["other_causes"] = "、".join(values["other_causes"] or [])
    return values
