"""Clues (线索) beside their ledger items, the runs that raised them, and the county's clue settings.

A clue is a ledger item of kind `clue` (线索核查: 待核查 → 核查中 → 属实 | 不属实, verification/kind.py): the
engine keeps its state, deadline, steps, photos and audit. `Clue` holds what only a clue has: the rule and
the departmental record behind it, the household and member it names, the checker's finding, and the
follow-up it proposes once confirmed (and whether, by whom and through which registry event it was applied).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
