"""Job (后台任务): long imports, assessments and exports, with progress and a result."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


class Job(models.Model):
    kind = models.CharField("类型", max_length=40)
    status = models.CharField("状态", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    params = models.JSONField("参数", default=dict)
    result = models.JSONField("结果", default=dict, blank=True)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(default=0)
    message = models.CharField("进度说明", max_length=200, blank=True)
    error = models.TextField("错误", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lock_key = models.CharField("互斥键", max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # the worker that claimed the job ("host:pid"): a restarted worker fails only the jobs of workers that
    # are gone (dead pid on this host, or no heartbeat for runner.STALE_SECONDS), never a live one's
    worker = models.CharField("任务进程", max_length=120, blank=True)
    # Not claimed before this time (scheduled and recurring jobs: deadlines, sweeps, nightly checks).
    run_at = models.DateTimeField("计划运行时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "id"], name="job_status_idx")]

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(99, int(self.progress_done * 100 / self.progress_total))

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}（{self.get_status_display()}）"
