"""The audit trail (痕迹管理): append-only, one row per write, written in the write's transaction."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from jingzhun.core import chain


def link(items: list[AuditEntry]) -> None:
    """Give unsaved entries their place in the hash chain, after the current tail (core.chain); takes the
    chain lock for the rest of the caller's transaction."""
    prev = chain.lock_tail(AuditEntry._meta.db_table)
    for item in items:
        item.prev_hash = prev
        item.row_hash = prev = chain.link(prev, [getattr(item, name) for name in chain.FIELDS])


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def bulk_create(self, objs, *args, **kwargs):  # type: ignore[override]
        """Chained in the order given (every way of adding entries through Django links them)."""
        objs = list(objs)
        if objs:
            link(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):  # type: ignore[override]
        raise PermissionError("审计记录只能追加，不能修改")

    def delete(self):  # type: ignore[override]
        raise PermissionError("审计记录只能追加，不能删除")


class AuditEntry(models.Model):
    """One write: who, when, what object, which action, the values before and after; and its link in the
    hash chain (core.chain): the hash of the entry before it and its own. The database refuses UPDATE and
    DELETE on this table (triggers, core.appendonly)."""

    # A default, not auto_now_add: the time is hashed before the row is saved (bulk writers included).
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=100, blank=True)
    action = models.CharField("操作", max_length=60)
    object_type = models.CharField("对象类型", max_length=40)
    object_id = models.CharField("对象编号", max_length=64)
    object_label = models.CharField("对象", max_length=200, blank=True)
    household_id = models.BigIntegerField("所属户", null=True, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    job_id = models.BigIntegerField("导入任务", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64, blank=True, default="")
    row_hash = models.CharField("哈希", max_length=64, blank=True, default="")

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["household_id", "id"], name="audit_household_idx"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计记录只能追加，不能修改")
        link([self])
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录只能追加，不能删除")

    def changed_fields(self) -> list[tuple[str, object, object]]:
        before = self.before or {}
        after = self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_label}"
