"""Region (行政区划) with the village-level facts of the workbook's 村 sheet."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

LEVEL_PREFIX_LENGTH = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}
LEVEL_NAMES = {"province": "省", "city": "市", "county": "县", "township": "乡镇", "village": "村"}
CHILD_LEVEL = {"province": "city", "city": "county", "county": "township", "township": "village"}


def code_prefix(code: str, level: str) -> str:
    """The digits all descendants of a region share (`430821001000`, township → `430821001`)."""
    return code[: LEVEL_PREFIX_LENGTH[level]]


def code_range(prefix: str) -> tuple[str, str]:
    """Half-open range of 12-digit codes under `prefix`; uses the index on both SQLite and PostgreSQL
    (LIKE 'x%' does not on SQLite)."""
    return prefix, prefix + ":"  # ':' sorts right after '9'


class ExitState(models.TextChoices):  # 出列状态
    NOT_EXITED = "未出列"
    EXITED = "已出列"


class Region(models.Model):
    code = models.CharField("行政区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=60)
    level = models.CharField("层级", max_length=10, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    urban_rural_code = models.CharField("城乡分类代码", max_length=3, blank=True)

    # Village facts (村 sheet); blank for higher levels.
    is_poor_village = models.BooleanField("是否贫困村", default=False)
    exit_state = models.CharField("出列状态", max_length=4, choices=ExitState.choices, blank=True)
    exit_year = models.PositiveSmallIntegerField("出列年度", null=True, blank=True)
    planned_exit_year = models.PositiveSmallIntegerField("计划出列年度", null=True, blank=True)
    registered_population = models.PositiveIntegerField("户籍人口", null=True, blank=True)
    registered_households = models.PositiveIntegerField("户籍户数", null=True, blank=True)
    collective_income_wan = models.DecimalField(
        "村集体经济收入（万元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    hardened_road = models.BooleanField("通硬化路", null=True, blank=True)
    bus_service = models.BooleanField("通客运班车", null=True, blank=True)
    households_without_safe_water = models.PositiveIntegerField("未实现饮水安全户数", null=True, blank=True)
    power = models.BooleanField("通生产生活用电", null=True, blank=True)
    standard_clinic = models.BooleanField("标准化卫生室", null=True, blank=True)
    licensed_doctors = models.PositiveIntegerField("执业（助理）医师人数", null=True, blank=True)
    broadband = models.BooleanField("通宽带", null=True, blank=True)
    service_centre = models.BooleanField("综合服务平台", null=True, blank=True)

    class Meta:
        verbose_name = "行政区划"
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"], name="region_parent_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return code_prefix(self.code, self.level)

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES.get(self.level, self.level)

    @property
    def is_village(self) -> bool:
        return self.level == "village"

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)

    def collective_income_yuan(self) -> Decimal | None:
        if self.collective_income_wan is None:
            return None
        return self.collective_income_wan * 10000


VILLAGE_FACT_FIELDS = [
    "is_poor_village",
    "exit_state",
    "exit_year",
    "planned_exit_year",
    "registered_population",
    "registered_households",
    "collective_income_wan",
    "hardened_road",
    "bus_service",
    "households_without_safe_water",
    "power",
    "standard_clinic",
    "licensed_doctors",
    "broadband",
    "service_centre",
]
