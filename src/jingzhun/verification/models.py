"""Models of data truth (数据核查): the versioned parameters of the Q-*/X-* rules, and the departmental
datasets with their records.

A CheckRuleSet (核查规则参数版本) holds, for every rule of `rules.checks`, the values of its parameters
(thresholds, ages, exempt vehicle types …) as JSON {code: {param: value}}. Parameters are data; the rule
logic is reviewed code in `engines` — nothing stored here is ever executed. A published version is
frozen (results must reproduce); the newest published one is in force (`verification.params`).
Departmental datasets (部门数据) and their records are personal information: read through
`verification.selectors` (scope and masking), written by `verification.importer` (audited).

Clues (线索) beside their ledger items, the runs that raised them, and the county's clue settings.

A clue is a ledger item of kind `clue` (线索核查: 待核查 → 核查中 → 属实 | 不属实, verification/kind.py): the
engine keeps its state, deadline, steps, photos and audit. `Clue` holds what only a clue has: the rule and
the departmental record behind it, the household and member it names, the checker's finding, and the
follow-up it proposes once confirmed (and whether, by whom and through which registry event it was applied).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jingzhun.rules.checks import DATASETS


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class CheckRuleSet(models.Model):
    version = models.PositiveIntegerField("版本号", unique=True)
    status = models.CharField(
        "状态", max_length=10, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT
    )
    params = models.JSONField("参数", default=dict)
    note = models.CharField("说明", max_length=300, blank=True)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "核查规则参数版本"
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"核查规则参数 第{self.version}版"

    @property
    def is_published(self) -> bool:
        return self.status == RuleSetStatus.PUBLISHED


class Dataset(models.Model):
    """One departmental dataset of the county (部门数据集): the copy imported last. A new import of the
    same dataset replaces its records; the row keeps who imported it, when, and from which file."""

    county_code = models.CharField("县级行政区划代码", max_length=6)
    name = models.CharField("数据集", max_length=20, choices=[(d, d) for d in DATASETS])
    columns = models.JSONField("列", default=list)  # headers of `DatasetRecord.data`, in order
    file_name = models.CharField("文件名", max_length=255)
    row_count = models.PositiveIntegerField("记录数", default=0)
    imported_at = models.DateTimeField("导入时间")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="导入人"
    )
    imported_by_name = models.CharField("导入人", max_length=60, blank=True)

    class Meta:
        verbose_name = "部门数据集"
        constraints = [models.UniqueConstraint(fields=["county_code", "name"], name="dataset_one_per_county")]

    def __str__(self) -> str:
        return self.name


class DatasetRecord(models.Model):
    """One row of a departmental dataset. Sized for ten million rows: the columns the matching and the
    rules read are typed and indexed; the row as imported is a JSON list beside them."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+", db_index=False)
    row = models.PositiveIntegerField("行号")  # as Excel shows it, in its sheet
    id_number = models.CharField("证件号码", max_length=30)  # normalised, as given
    # The 18-character ID it is matched on: itself, the first 18 of a 残疾人证 number, or a converted
    # 15-digit first-generation ID; "" when it has none.
    id18 = models.CharField("匹配证件号码", max_length=18)
    id_kind = models.CharField("证件类别", max_length=1)  # datasets.KIND_ID / KIND_OLD / KIND_NONE
    name = models.CharField("姓名", max_length=60)
    birth_date = models.DateField("出生日期", null=True)  # encoded in id18 (near matches)
    gender = models.CharField("性别", max_length=1)
    date1 = models.DateField(null=True)  # 死亡/迁出/注册/登记/起始/鉴定日期
    date2 = models.DateField(null=True)  # 终止日期
    kind = models.CharField(
        max_length=60
    )  # 车辆类型 · 身份 · 救助类别 · 残疾类别 · 学段 · 人员类别 · 鉴定等级
    status = models.CharField(max_length=20)  # 经营状态 · 残疾等级 · 学籍状态 · 参保状态
    amount = models.DecimalField(max_digits=16, decimal_places=4, null=True)  # 注册资本（万元）· 建筑面积
    year = models.PositiveSmallIntegerField(null=True)  # 参保年度
    key = models.CharField("记录指纹", max_length=32)  # stable across re-imports of the same row
    data = models.JSONField("原始数据")  # cell texts in Dataset.columns order

    class Meta:
        verbose_name = "部门数据记录"
        # The cross-check's match keys, covering what matching reads so it never touches the rows (ten
        # million of them): 证件号码 (exact and upgraded old IDs), and the near-match block (姓名, 出生日期,
        # 性别) with the ID compared position by position (engines.sql.crosscheck.build_tables).
        indexes = [
            models.Index(fields=["id18", "id_kind", "dataset"], name="dsrec_id18_idx"),
            models.Index(
                fields=["name", "birth_date", "gender", "id_kind", "id18", "dataset"], name="dsrec_near_idx"
            ),
            models.Index(fields=["dataset", "id"], name="dsrec_dataset_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} 第{self.row}行"


class ClueSettings(models.Model):
    """线索核查设置 of the county (one row): whether a checker's finding must be confirmed by someone else."""

    four_eyes = models.BooleanField("核查结论须经他人确认", default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "线索核查设置"

    def __str__(self) -> str:
        return f"四眼确认：{'是' if self.four_eyes else '否'}"


class ClueRun(models.Model):
    """One storing of a check's hits (一次比对/清洗): which rules ran, for which year, and what it changed."""

    year = models.PositiveSmallIntegerField("年度")
    rules = models.JSONField("规则", default=list)
    source = models.CharField("类别", max_length=8)  # 数据清洗 · 部门比对
    records = models.PositiveIntegerField("比对记录数", default=0)
    # The records compared, by where they belong (the summary's N for a viewer's scope): a village's
    # 12-digit code → the records matched to its households (部门比对: a record counts once, in the
    # village of its lowest-coded match) or its members in scope (数据清洗); the county's 12-digit code
    # (`430821000000`) → the departmental records that matched nobody, which only a county-wide viewer
    # counts. Its values add up to `records`.
    village_records = models.JSONField("各村比对记录数", default=dict, blank=True)
    hits = models.PositiveIntegerField("命中", default=0)
    created = models.PositiveIntegerField("新增线索", default=0)
    refreshed = models.PositiveIntegerField("仍在核查", default=0)
    suppressed = models.PositiveIntegerField("已核实不再提出", default=0)
    cleared = models.PositiveIntegerField("不再命中", default=0)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "比对批次"

    def __str__(self) -> str:
        return f"{self.year} {self.source} {self.hits}"


class Finding(models.TextChoices):  # 核查结论
    TRUE = "属实"
    FALSE = "不属实"


class Clue(models.Model):
    """线索: one hit of one rule for one member (or household), kept as a ledger item to check on the ground."""

    item = models.OneToOneField("ledger.Item", on_delete=models.CASCADE, related_name="clue")
    rule = models.CharField("规则代码", max_length=20)
    dataset = models.CharField("数据集", max_length=12, blank=True)
    household = models.ForeignKey(
        "registry.Household", verbose_name="户", on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        "registry.Member",
        verbose_name="成员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    village_code = models.CharField("行政区划代码", max_length=12)  # the household's village (scope, counts)
    match = models.CharField("匹配方式", max_length=8, blank=True)
    explanation = models.TextField("说明")
    # The departmental record's fingerprint (X-*), or for Q-* rules a fingerprint of the explanation (which
    # names the values the rule read): a clue closed for this key is not raised again while it is unchanged.
    record_key = models.CharField("记录标识", max_length=80)
    record = models.JSONField("部门记录", default=dict, blank=True)
    year = models.PositiveSmallIntegerField("年度")
    run = models.ForeignKey(ClueRun, verbose_name="首次发现", on_delete=models.PROTECT, related_name="+")
    last_run = models.ForeignKey(ClueRun, verbose_name="最近命中", on_delete=models.PROTECT, related_name="+")
    still_hit = models.BooleanField("最近一次比对仍命中", default=True)
    finding = models.CharField("核查结论", max_length=4, choices=Finding.choices, blank=True)  # the checker's
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checker_name = models.CharField("核查人", max_length=100, blank=True)
    checked_on = models.DateField("核查日期", null=True, blank=True)
    check_note = models.TextField("核查情况", blank=True)
    confirmer_name = models.CharField("确认人", max_length=100, blank=True)
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    conclusion = models.CharField("结论", max_length=4, choices=Finding.choices, blank=True)  # when closed
    followup = models.JSONField("后续处置建议", default=dict, blank=True)
    applied_at = models.DateTimeField("处置时间", null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_note = models.CharField("处置结果", max_length=200, blank=True)
    applied_event = models.ForeignKey(
        "registry.HouseholdEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_item = models.ForeignKey(
        "ledger.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the 问题整改 a follow-up opened

    class Meta:
        verbose_name = "线索"
        indexes = [
            models.Index(fields=["rule", "household", "member"], name="clue_identity_idx"),
            models.Index(fields=["village_code", "rule"], name="clue_village_idx"),
            models.Index(fields=["rule", "conclusion"], name="clue_rule_conclusion_idx"),
            models.Index(fields=["household"], name="clue_household_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.household_id}/{self.member_id}"
