"""Helper pairings (帮扶结对). A change of helper ends one pairing and starts another; never overwritten."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class HelperPairing(models.Model):
    """帮扶责任人 ↔ 贫困户, with start and end dates."""

    helper = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="帮扶责任人", on_delete=models.PROTECT,
                               related_name="pairings")
    household = models.ForeignKey("registry.Household", verbose_name="帮扶户", on_delete=models.PROTECT,
                                  related_name="pairings")
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "帮扶结对"
        indexes = [models.Index(fields=["helper", "household"], name="pairing_helper_idx")]
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=Q(ended_on__isnull=True),
                                    name="pairing_one_open_per_household"),
        ]

    def __str__(self) -> str:
        return f"{self.helper_id} → {self.household_id}（{self.started_on}起）"
