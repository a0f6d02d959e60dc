"""The import lock (导入锁): one row per township an import is writing to."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportLock(models.Model):
    """Held while an import validates against and writes to a township's registry.

    A row names its holder (who, which process, which database session), so a lock whose holder died
    is recognised and taken over instead of blocking the township forever (see workbook.lock).
    """

    key = models.CharField("锁定区域", max_length=12, primary_key=True)  # a 9-digit township prefix
    holder = models.CharField("导入人", max_length=100)
    source = models.CharField("文件", max_length=200, blank=True)
    host = models.CharField("主机", max_length=100)
    pid = models.IntegerField("进程号")
    db_session = models.IntegerField("数据库会话", null=True, blank=True)  # PostgreSQL backend pid
    token = models.CharField("令牌", max_length=32)
    acquired_at = models.DateTimeField("开始时间")
    heartbeat_at = models.DateTimeField("最近心跳")

    class Meta:
        verbose_name = "导入锁"

    def __str__(self) -> str:
        return f"{self.key} · {self.holder}"


class HeaderMapping(models.Model):
    """表头映射: a county's own header of a national person list (e.g. 身份证号码) mapped by hand to a column
    of the national layout (证件号码), remembered for the county's next file (docs/national-list.md)."""

    county = models.CharField("县级区划代码", max_length=6)
    header = models.CharField("文件中的列名", max_length=100)  # normalised (columns.normalize_header)
    target = models.CharField("对应的列", max_length=40)  # a header of the national layouts
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "表头映射"
        constraints = [models.UniqueConstraint(fields=["county", "header"], name="header_mapping_one")]

    def __str__(self) -> str:
        return f"{self.county} {self.header} → {self.target}"
