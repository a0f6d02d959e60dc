"""Responsibility and help (五个责任, 帮扶): units, leader and unit links, work teams, first secretaries,
helper pairings (帮扶结对), visits (走访), attendance (驻村考勤), help measures (帮扶措施) and the alert
parameters. Rows with start/end dates are never overwritten: a change ends one row and starts another."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from jingzhun.core.periods import PeriodQuerySet, current_q


class Affiliation(models.TextChoices):  # 隶属
    PROVINCE = "省直"
    CITY = "市直"
    COUNTY = "县直"
    TOWNSHIP = "乡镇"
    VILLAGE = "村级"


class MeasureCategory(models.TextChoices):  # 帮扶措施类别 (domain.md §6)
    INDUSTRY = "产业"
    EMPLOYMENT = "就业(务工)"
    RELOCATION = "易地搬迁"
    EDUCATION = "教育"
    HEALTH = "健康(医疗)"
    SAFETY_NET = "兜底(低保/特困)"
    FINANCE = "金融(小额信贷及贴息)"
    COOPERATIVE = "合作社入股分红"
    LAND = "土地流转"
    ECOMMERCE = "电商"
    SOLAR = "光伏"
    ECOLOGY = "生态(生态补偿/护林员)"
    TOURISM = "乡村旅游"
    CULTURE = "文化"
    TECHNOLOGY = "科技"
    PUBLIC_JOB = "公益性岗位"


class MeasureStatus(models.TextChoices):  # 措施状态
    PLANNED = "计划"
    ACTIVE = "实施中"
    DONE = "已完成"
    STOPPED = "已终止"


class HelpUnit(models.Model):
    """帮扶单位: a unit (department, company, township office…) that helps villages."""

    name = models.CharField("单位名称", max_length=100, unique=True)
    affiliation = models.CharField("隶属", max_length=4, choices=Affiliation.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "帮扶单位"
        ordering = ["affiliation", "name"]

    def __str__(self) -> str:
        return self.name


class Cadre(models.Model):
    """干部: a user's working unit and post, for helpers, team members and first secretaries."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cadre")
    unit = models.ForeignKey(
        HelpUnit,
        verbose_name="所在单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cadres",
    )
    post = models.CharField("职务", max_length=60, blank=True)

    class Meta:
        verbose_name = "干部"

    def __str__(self) -> str:
        return f"{self.user} · {self.unit or ''}"


class LeaderLink(models.Model):
    """联点: a county leader answers for a township."""

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="县领导", on_delete=models.PROTECT, related_name="leader_links"
    )
    township = models.ForeignKey(
        "regions.Region", verbose_name="联系乡镇", on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)

    objects = PeriodQuerySet.as_manager()  # .current(): the open row (core.periods)

    class Meta:
        verbose_name = "县领导联点"
        indexes = [models.Index(fields=["township", "ended_on"], name="leaderlink_township_idx")]

    def __str__(self) -> str:
        return f"{self.leader} → {self.township_id}"


class UnitVillageLink(models.Model):
    """联村: a unit answers for a village."""

    unit = models.ForeignKey(
        HelpUnit, verbose_name="帮扶单位", on_delete=models.PROTECT, related_name="village_links"
    )
    village = models.ForeignKey(
        "regions.Region", verbose_name="联系村", on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)

    objects = PeriodQuerySet.as_manager()  # .current(): the open row (core.periods)

    class Meta:
        verbose_name = "单位联村"
        indexes = [models.Index(fields=["village", "ended_on"], name="unitlink_village_idx")]

    def __str__(self) -> str:
        return f"{self.unit} → {self.village_id}"


class WorkTeam(models.Model):
    """驻村工作队: stationed in one (poor) village, sent by a unit; members are cadres, one of them 队长."""

    village = models.ForeignKey(
        "regions.Region", verbose_name="驻村", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        HelpUnit,
        verbose_name="派出单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_teams",
    )
    started_on = models.DateField("进驻日期")
    ended_on = models.DateField("撤离日期", null=True, blank=True)

    objects = PeriodQuerySet.as_manager()  # .current(): the open row (core.periods)

    class Meta:
        verbose_name = "驻村工作队"
        constraints = [
            models.UniqueConstraint(
                fields=["village"], condition=current_q(), name="workteam_one_open_per_village"
            )
        ]

    def __str__(self) -> str:
        return f"驻村工作队（{self.village_id}）"


class WorkTeamMember(models.Model):
    """驻村工作队队员 (队长 when is_leader)."""

    team = models.ForeignKey(
        WorkTeam, verbose_name="工作队", on_delete=models.PROTECT, related_name="members"
    )
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="队员",
        on_delete=models.PROTECT,
        related_name="team_memberships",
    )
    is_leader = models.BooleanField("队长", default=False)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)

    objects = PeriodQuerySet.as_manager()  # .current(): the open row (core.periods)

    class Meta:
        verbose_name = "工作队队员"
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=current_q() & Q(is_leader=True),
                name="teammember_one_open_leader",
            ),
            models.UniqueConstraint(
                fields=["team", "cadre"], condition=current_q(), name="teammember_open_once"
            ),
        ]
        indexes = [models.Index(fields=["cadre", "ended_on"], name="teammember_cadre_idx")]

    def __str__(self) -> str:
        return f"{self.cadre}（{'队长' if self.is_leader else '队员'}）"


class FirstSecretary(models.Model):
    """第一书记 of a poor village."""

    village = models.ForeignKey(
        "regions.Region", verbose_name="村", on_delete=models.PROTECT, related_name="+"
    )
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="第一书记",
        on_delete=models.PROTECT,
        related_name="first_secretary_posts",
    )
    unit = models.ForeignKey(
        HelpUnit, verbose_name="派出单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)

    objects = PeriodQuerySet.as_manager()  # .current(): the open row (core.periods)

    class Meta:
        verbose_name = "第一书记"
        constraints = [
            models.UniqueConstraint(
                fields=["village"], condition=current_q(), name="secretary_one_open_per_village"
            )
        ]
        indexes = [models.Index(fields=["cadre", "ended_on"], name="secretary_cadre_idx")]

    def __str__(self) -> str:
        return f"{self.cadre} · 第一书记（{self.village_id}）"


class HelperPairing(models.Model):
    """帮扶责任人 ↔ 贫困户, with start and end dates."""

    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="帮扶责任人", on_delete=models.PROTECT, related_name="pairings"
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name="帮扶户", on_delete=models.PROTECT, related_name="pairings"
    )
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PeriodQuerySet.as_manager()  # .current(): the open row (core.periods)

    class Meta:
        verbose_name = "帮扶结对"
        indexes = [
            models.Index(fields=["helper", "household"], name="pairing_helper_idx"),
            # the open pairings of a helper (load alerts count them per helper)
            models.Index(fields=["helper"], condition=current_q(), name="pairing_open_helper_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=current_q(),
                name="pairing_one_open_per_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.helper_id} → {self.household_id}（{self.started_on}起）"


class Visit(models.Model):
    """走访: a helper's (or cadre's) visit to a household."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="走访户", on_delete=models.PROTECT, related_name="visits"
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="走访人",
        null=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    visited_on = models.DateField("走访日期")
    activities = models.TextField("帮扶工作内容", max_length=2000)
    problems = models.TextField("发现的问题", max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "走访记录"
        indexes = [models.Index(fields=["household", "visited_on"], name="visit_household_date_idx")]

    def __str__(self) -> str:
        return f"{self.visited_on} 走访 {self.household_id}"


class VisitPhoto(models.Model):
    """走访照片: checked to be an image by its bytes; served only through a scoped view."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField("照片", upload_to="visits/%Y/%m/")
    kind = models.CharField("格式", max_length=8)
    size = models.PositiveIntegerField("字节数")
    # 缩略图: a downscaled JPEG made on upload (lib/thumbnails); blank when the image could not be read
    thumbnail = models.FileField("缩略图", upload_to="visits/thumbs/%Y/%m/", blank=True)

    class Meta:
        verbose_name = "走访照片"

    def __str__(self) -> str:
        return str(self.file.name)


class CheckIn(models.Model):
    """驻村考勤: one row per cadre per day in the village; `overnight` = stayed that night (住村)."""

    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="驻村干部", on_delete=models.PROTECT, related_name="check_ins"
    )
    village = models.ForeignKey(
        "regions.Region", verbose_name="村", on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField("日期")
    overnight = models.BooleanField("住村", default=False)
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "驻村考勤"
        constraints = [models.UniqueConstraint(fields=["cadre", "day"], name="checkin_once_per_day")]
        indexes = [models.Index(fields=["day", "cadre"], name="checkin_day_idx")]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.day}{' 住村' if self.overnight else ''}"


class HelpMeasure(models.Model):
    """帮扶措施 for one household."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="帮扶户", on_delete=models.PROTECT, related_name="measures"
    )
    category = models.CharField("措施类别", max_length=16, choices=MeasureCategory.choices)
    content = models.CharField("措施内容", max_length=500)
    funds = models.DecimalField("投入资金（元）", max_digits=12, decimal_places=2, default=0)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    expected_income_gain = models.DecimalField(
        "预计增收（元/年）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        "状态", max_length=4, choices=MeasureStatus.choices, default=MeasureStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # no lost update (issue 15): an update based on an older version is refused (API 409)
    version = models.PositiveIntegerField("版本", default=1, db_default=1)

    class Meta:
        verbose_name = "帮扶措施"
        indexes = [
            models.Index(fields=["household", "category"], name="measure_household_idx"),
            models.Index(fields=["category", "status"], name="measure_category_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.category}：{self.content[:20]}"


class AlertSettings(models.Model):
    """Alert parameters (默认口径，可配置): one row, edited by the county; defaults are ASSUMPTIONS."""

    max_households_per_helper = models.PositiveSmallIntegerField("每名帮扶责任人最多结对户数", default=5)
    visit_interval_days = models.PositiveSmallIntegerField("走访间隔（天）", default=30)
    week_min_days = models.PositiveSmallIntegerField("每周最少在村天数", default=5)
    week_min_nights = models.PositiveSmallIntegerField("每周最少住村夜数", default=4)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "帮扶预警参数"

    def __str__(self) -> str:
        return "帮扶预警参数"
