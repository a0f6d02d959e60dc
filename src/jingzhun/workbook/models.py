"""The import lock (导入锁): one row per township an import is writing to."""

from __future__ import annotations

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
