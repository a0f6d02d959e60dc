"""Registry models. Writes go through jingzhun.registry.services; reads through selectors."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from jingzhun.registry import enums


class Household(models.Model):
    """户: people who live together and share expenses; the unit of identification and exit."""

    code = models.CharField("户编号", max_length=40, unique=True)
    # indexed by hh_village_idx (village, id): region scopes are ranges on it (Actor.region_q)
    village = models.ForeignKey(
        "regions.Region", verbose_name="行政村", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    group_name = models.CharField("村民小组", max_length=60, blank=True)
    head_name = models.CharField("户主姓名", max_length=60)
    head_id_number = models.CharField("户主证件号码", max_length=22)
    head_initials = models.CharField("户主拼音首字母", max_length=20)  # hh_initials_idx
    phone = models.CharField("联系电话", max_length=20, blank=True)
    identification_standard = models.CharField(
        "识别标准", max_length=8, choices=enums.IdentificationStandard.choices, blank=True
    )
    # blank = unknown (a national 2021+ list does not carry it; docs/national-list.md "未知值的存储")
    attribute = models.CharField(
        "贫困户属性", max_length=10, choices=enums.HouseholdAttribute.choices, blank=True
    )
    main_cause = models.CharField("主要致贫原因", max_length=10, choices=enums.PovertyCause.choices)
    other_causes = models.CharField("其他致贫原因", max_length=40, blank=True)  # joined by 、
    identified_year = models.PositiveSmallIntegerField("识别年度", null=True, blank=True)  # None = unknown
    # blank = unknown (a 2021+ national list whose 户类型 is not 脱贫户)
    exit_status = models.CharField("脱贫状态", max_length=4, choices=enums.ExitStatus.choices, blank=True)
    no_longer_enjoying = models.BooleanField("不再享受政策", default=False)
    exit_year = models.PositiveSmallIntegerField("脱贫年度", null=True, blank=True)
    planned_exit_year = models.PositiveSmallIntegerField("计划脱贫年度", null=True, blank=True)
    food_secure = models.BooleanField("不愁吃", null=True)
    clothing_secure = models.BooleanField("不愁穿", null=True)
    water_safe = models.BooleanField("饮水安全", null=True)
    housing_safety = models.CharField(
        "住房安全等级", max_length=1, choices=enums.HousingSafety.choices, blank=True
    )
    relocation = models.CharField(
        "易地扶贫搬迁", max_length=6, choices=enums.Relocation.choices, default=enums.Relocation.NO
    )
    # The national person lists (全国系统名单, docs/national-list.md) carry no housing grade: True when the
    # grade is unknown — distinct from housing_safety "" with this False, which means never appraised.
    housing_grade_unknown = models.BooleanField("住房等级未知", default=False, db_default=False)
    # 危房户 as the national 2021+ list gives it: True = 危房 (grade unknown), False = 否, None = not given.
    dilapidated = models.BooleanField("危房户", null=True, blank=True)
    household_type = models.CharField("户类型", max_length=20, blank=True, db_default="")  # 2021+, as given
    # The raw texts of the national list's household columns as the file gave them (layout, names of
    # 县/乡/村, 脱贫属性, 首次识别时间, …), for the export back to the national layout; None otherwise.
    national = models.JSONField("全国系统名单原值", null=True, blank=True)
    bank_account = models.CharField("银行账号", max_length=32, blank=True)
    registry_status = models.CharField(
        "在册状态", max_length=4, choices=enums.RegistryStatus.choices, default=enums.RegistryStatus.ACTIVE
    )
    member_count = models.PositiveSmallIntegerField("家庭人口数", default=0)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # 版本: +1 on every update (services and imports); an edit carries the version it was based on and
    # is refused if another change came first (no lost update, issue 15).
    version = models.PositiveIntegerField("版本", default=1, db_default=1)

    class Meta:
        verbose_name = "贫困户"
        # varchar_pattern_ops: PostgreSQL uses these for prefix search (LIKE 'x%'); SQLite ignores the
        # opclass and searches them by range (see registry.selectors.prefix_q).
        indexes = [
            models.Index(fields=["village", "id"], name="hh_village_idx"),
            models.Index(fields=["exit_status", "id"], name="hh_status_idx"),
            models.Index(fields=["planned_exit_year", "id"], name="hh_plan_idx"),
            models.Index(fields=["head_name"], name="hh_head_name_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["head_id_number"], name="hh_head_id_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["head_initials"], name="hh_initials_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.head_name}户（{self.code}）"

    @property
    def other_causes_list(self) -> list[str]:
        return [c for c in self.other_causes.split("、") if c]


class Member(models.Model):
    """成员: a registered member of a household. A removed member stays, inactive, for history."""

    # indexed by member_household_idx (household, id)
    household = models.ForeignKey(
        Household, verbose_name="户", on_delete=models.PROTECT, related_name="members", db_index=False
    )
    name = models.CharField("姓名", max_length=60)
    id_number = models.CharField("证件号码", max_length=22)
    resident_id = models.CharField("身份证号", max_length=18)  # the 18-char ID the 证件号码 starts with
    gender = models.CharField("性别", max_length=1, choices=enums.Gender.choices)
    ethnicity = models.CharField("民族", max_length=10, blank=True)
    birth_date = models.DateField("出生日期")
    relation = models.CharField("与户主关系", max_length=6, choices=enums.Relation.choices)
    education = models.CharField("文化程度", max_length=8, choices=enums.Education.choices, blank=True)
    school_status = models.CharField("在校生状况", max_length=6, choices=enums.SchoolStatus.choices)
    not_in_school_reason = models.CharField(
        "未上学原因", max_length=12, choices=enums.NotInSchoolReason.choices, blank=True
    )
    health = models.CharField("健康状况", max_length=6, choices=enums.Health.choices)
    labour_skill = models.CharField("劳动技能", max_length=10, choices=enums.LabourSkill.choices)
    work_months = models.PositiveSmallIntegerField("务工时间（月）", null=True, blank=True)
    medical_insurance = models.BooleanField("参加基本医疗保险", null=True)
    serious_illness_insurance = models.BooleanField("参加大病保险", null=True, blank=True)
    pension_insurance = models.BooleanField("参加基本养老保险", null=True, blank=True)
    dibao = models.BooleanField("低保", null=True, blank=True)
    tekun = models.BooleanField("特困供养", null=True, blank=True)
    person_code = models.CharField("人编号", max_length=40, blank=True, db_default="")  # national lists
    # member-level columns of a national 2021+ list without a field of their own (人联系电话, 人员识别时间,
    # 监测对象类型, 风险…), raw text by header; None otherwise
    national = models.JSONField("全国系统名单原值", null=True, blank=True)
    is_active = models.BooleanField("在册", default=True)
    removed_reason = models.CharField("减少原因", max_length=20, blank=True)
    removed_on = models.DateField("减少日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField("版本", default=1, db_default=1)  # as Household.version

    class Meta:
        verbose_name = "家庭成员"
        indexes = [
            models.Index(fields=["household", "id"], name="member_household_idx"),
            models.Index(
                fields=["id_number"], name="member_id_number_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["name"], name="member_name_idx", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            # A person belongs to one household: one active row per resident ID.
            models.UniqueConstraint(
                fields=["resident_id"], condition=Q(is_active=True), name="member_one_active_household"
            )
        ]

    def __str__(self) -> str:
        return self.name


class IncomeRecord(models.Model):
    """收入: a household's incomes of one year (元/年)."""

    # indexed by income_one_per_year (household, year)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="incomes", db_index=False)
    year = models.PositiveSmallIntegerField("收入年度")
    # The components are None (unknown) when only the per-capita figure is known (a national list's
    # 人均纯收入); the registry workbook always gives all five.
    wage = models.DecimalField("工资性收入", max_digits=12, decimal_places=2, null=True)
    business = models.DecimalField("生产经营性收入", max_digits=12, decimal_places=2, null=True)
    property_income = models.DecimalField("财产性收入", max_digits=12, decimal_places=2, null=True)
    transfer = models.DecimalField("转移性收入", max_digits=12, decimal_places=2, null=True)
    business_expense = models.DecimalField("生产经营性支出", max_digits=12, decimal_places=2, null=True)
    # 人均纯收入 as a national list states it (元/人/年); None when the components are given instead
    per_capita_net = models.DecimalField("人均纯收入（名单）", max_digits=12, decimal_places=2, null=True)
    updated_at = models.DateTimeField(auto_now=True)
    # no lost update (issue 15): a correction based on an older version is refused (API 409)
    version = models.PositiveIntegerField("版本", default=1, db_default=1)

    class Meta:
        verbose_name = "收入"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="income_one_per_year")]

    @property
    def net_income(self) -> Decimal | None:
        """None when a component is unknown (only per_capita_net is known)."""
        parts = (self.wage, self.business, self.property_income, self.transfer, self.business_expense)
        if any(p is None for p in parts):
            return None
        wage, business, property_income, transfer, expense = (Decimal(p) for p in parts if p is not None)
        return wage + business + property_income + transfer - expense

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}年收入"


class HouseholdEvent(models.Model):
    """动态调整事件: one lifecycle event with its date, reason and actor."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事件", max_length=6, choices=enums.EventKind.choices)
    occurred_on = models.DateField("日期")
    reason = models.CharField("原因", max_length=200, blank=True)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    related_household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detail = models.JSONField("详情", default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField("经办人", max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "动态调整事件"
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.kind}"


class IdentificationRecord(models.Model):
    """识别/退出程序的一步: date, actor and an optional note or evidence."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="identification_steps")
    step = models.CharField("程序", max_length=10, choices=enums.IdentificationStep.choices)
    occurred_on = models.DateField("日期")
    # 公示 steps: the last day of the notice period (inclusive), so its length can be checked.
    ends_on = models.DateField("公示截止日期", null=True, blank=True)
    performed_by = models.CharField("经办人/单位", max_length=100)
    note = models.CharField("说明", max_length=500, blank=True)
    evidence = models.FileField("佐证材料", upload_to="evidence/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "识别程序"
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.step}"


class YearSnapshot(models.Model):
    """数据年度快照: the household as it stood when year Y was closed, so that Y's figures reproduce."""

    year = models.PositiveSmallIntegerField("数据年度")
    household_code = models.CharField("户编号", max_length=40)
    village_code = models.CharField("行政区划代码", max_length=12)
    data = models.JSONField("数据")
    taken_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "年度快照"
        constraints = [
            models.UniqueConstraint(fields=["year", "household_code"], name="snapshot_one_per_year")
        ]
        indexes = [models.Index(fields=["year", "village_code"], name="snapshot_village_idx")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.household_code}"
