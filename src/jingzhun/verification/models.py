"""Models of data truth (数据核查) owned by part A: the versioned parameters of the Q-*/X-* rules.

A CheckRuleSet (核查规则参数版本) holds, for every rule of `rules.checks`, the values of its parameters
(thresholds, ages, exempt vehicle types …) as JSON {code: {param: value}}. Parameters are data; the rule
logic is reviewed code in `engines` — nothing stored here is ever executed. A published version is
frozen (results must reproduce); the newest published one is in force (`verification.params`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
