"""Standards (脱贫退出标准) as versioned data, and stored verdicts (评估结果).

A StandardSet (标准版本, e.g. 湖南省 2016–2020 第1版) holds the poverty line by year (扶贫标准), the
rules (H-* 户, V-* 村, C-* 县) and the reference date. Rule *logic* is reviewed code in
`standards.vocabulary`; a stored rule only names an operator of that fixed vocabulary and its
parameters (JSON). Nothing stored here is ever executed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StandardStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class RuleLevel(models.TextChoices):
    HOUSEHOLD = "household", "户"
    VILLAGE = "village", "村"
    COUNTY = "county", "县"


class StandardSet(models.Model):
    """标准版本. A published version is frozen so that results stored against it reproduce."""

    name = models.CharField("标准名称", max_length=60)
    version = models.PositiveIntegerField("版本号")
    status = models.CharField(
        "状态", max_length=10, choices=StandardStatus.choices, default=StandardStatus.DRAFT
    )
    first_year = models.PositiveSmallIntegerField("适用起始年度")
    last_year = models.PositiveSmallIntegerField("适用截止年度")
    reference_month = models.PositiveSmallIntegerField("年龄计算基准日（月）", default=12)
    reference_day = models.PositiveSmallIntegerField("年龄计算基准日（日）", default=31)
    reference_is_assumption = models.BooleanField("基准日为默认口径", default=True)
    # 退出公示 must last at least this many days (inclusive) before 标注脱贫. Domain.md gives ≥7 days for
    # the identification 公示; the exit 公示 uses the same default (ASSUMPTION, editable per version).
    exit_notice_days = models.PositiveSmallIntegerField("退出公示天数（不少于）", default=7)
    description = models.TextField("说明", blank=True)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "标准版本"
        ordering = ["-first_year", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="standard_name_version")]

    def __str__(self) -> str:
        return f"{self.name} 第{self.version}版"

    @property
    def is_published(self) -> bool:
        return self.status == StandardStatus.PUBLISHED


class PovertyLine(models.Model):
    """扶贫标准: 元/人/年 for one year."""

    standard = models.ForeignKey(StandardSet, on_delete=models.CASCADE, related_name="lines")
    year = models.PositiveSmallIntegerField("年度")
    amount = models.DecimalField("扶贫标准（元/人/年）", max_digits=10, decimal_places=2)
    is_assumption = models.BooleanField("默认口径", default=False)

    class Meta:
        verbose_name = "扶贫标准"
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["standard", "year"], name="line_one_per_year")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.amount}元"


class Rule(models.Model):
    """One rule of a standard: a stable code, a Chinese name, an operator of the fixed vocabulary and
    its parameters. `position` keeps the order of domain.md (used for 未达标项 in outputs)."""

    standard = models.ForeignKey(StandardSet, on_delete=models.CASCADE, related_name="rules")
    level = models.CharField("层级", max_length=10, choices=RuleLevel.choices)
    code = models.CharField("代码", max_length=30)
    name = models.CharField("名称", max_length=60)
    operator = models.CharField("运算", max_length=40)
    params = models.JSONField("参数", default=dict)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    is_assumption = models.BooleanField("默认口径", default=False)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "规则"
        ordering = ["level", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="rule_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AssessmentRun(models.Model):
    """One whole-county (or region) assessment: which standard, which year, how many households."""

    year = models.PositiveSmallIntegerField("评估年度")
    standard = models.ForeignKey(StandardSet, on_delete=models.PROTECT, related_name="runs")
    region_prefix = models.CharField("区划范围", max_length=12, blank=True)
    households = models.PositiveIntegerField("户数", default=0)
    engine = models.CharField("方式", max_length=20, default="sql")
    seconds = models.FloatField("用时（秒）", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "评估批次"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.year}年评估 #{self.pk}"


class HouseholdVerdict(models.Model):
    """户评估结果 for (household, year, standard). Denormalised (village, status, plan, people) so that
    county pages group one table and an old result stays as it was computed."""

    # No FK indexes: the unique (year, standard, household) index serves lookups, and every index costs
    # time when a county run writes a million rows.
    household = models.ForeignKey(
        "registry.Household", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    year = models.PositiveSmallIntegerField("评估年度")
    standard = models.ForeignKey(
        StandardSet, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    village_code = models.CharField("行政区划代码", max_length=12)
    exit_status = models.CharField("脱贫状态", max_length=4)
    planned_exit_year = models.PositiveSmallIntegerField("计划脱贫年度", null=True)
    people = models.PositiveIntegerField("家庭人口数")
    net_income_cents = models.BigIntegerField("家庭纯收入（分）", null=True)
    passed = models.BooleanField("是否达标")
    failed = models.CharField("未达标项", max_length=300, blank=True)
    missing = models.CharField("数据缺失项", max_length=300, blank=True)
    suspected_wrong_exit = models.BooleanField("疑似错退")
    assessed_at = models.DateTimeField("评估时间")

    class Meta:
        verbose_name = "户评估结果"
        # One index only: (year, standard) leads, so county pages read one run's rows by range, and a
        # county run appends in household order. A second index on village_code tripled the run time
        # of a million households (random inserts); see docs/benchmarks.md "Assessment".
        constraints = [
            models.UniqueConstraint(fields=["year", "standard", "household"], name="verdict_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year} {'达标' if self.passed else '未达标'}"


class ExitLevel(models.TextChoices):
    HOUSEHOLD = "household", "户脱贫"
    VILLAGE = "village", "村出列"


class ExitSource(models.TextChoices):
    OVERRIDE = "override", "例外放行"
    IMPORT = "import", "导入"


class ExitException(models.Model):
    """退出核验未通过的脱贫/出列: an exit recorded although the exit check (standards.exit_rules) named
    failing items — allowed by a county role with a written reason (例外放行), or brought in by a registry
    import (which warns instead of refusing). Listed on the 疑似错退 board until someone verifies it."""

    level = models.CharField("类别", max_length=10, choices=ExitLevel.choices)
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    village_code = models.CharField("行政区划代码", max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField("脱贫（出列）年度")
    source = models.CharField("来源", max_length=10, choices=ExitSource.choices)
    problems = models.JSONField("未通过的核验项", default=list)
    reason = models.CharField("书面理由", max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("经办人", max_length=60, blank=True)
    import_job_id = models.PositiveIntegerField("导入任务", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "退出核验未通过的脱贫/出列"
        ordering = ["village_code", "-id"]

    def __str__(self) -> str:
        level, source = ExitLevel(self.level).label, ExitSource(self.source).label
        return f"{level} {self.village_code} {self.year} {source}"
