"""Sweep of abandoned uploads (过期上传清理): a file uploaded for the mapping step or a dry run of a national
person list waits in MEDIA_ROOT/imports/ until its import job runs (the job deletes it when done). One that
nobody ever imports would stay there for good — a whole register of personal data. The recurring job
`upload_sweep` deletes every upload older than `JINGZHUN_UPLOAD_RETENTION_HOURS` that no queued or running
import job still references, and leaves one audit row (`workbook.upload_sweep`) naming the files.

Only the uploads' own names (`<YYYYmmdd-HHMMSS>-<8 hex>.<suffix>`, as `views.upload` stores them) are
considered: the error reports (`job-N-错误报告.xlsx`) belong to their job and stay.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jingzhun.core import audit
from jingzhun.jobs.models import Job, JobStatus
from jingzhun.jobs.queue import Progress, handler
from jingzhun.jobs.schedule import recurring
from jingzhun.workbook.upload_store import import_dir

SWEEP_KIND = "upload_sweep"
UPLOAD_NAME = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{8}\.(xlsx|zip|csv)$")


def referenced_uploads() -> set[str]:
    """The stored names a queued or running import job will still read."""
    params = Job.objects.filter(
        kind="registry_import", status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).values_list("params", flat=True)
    return {str(p.get("path")) for p in params if isinstance(p, dict) and p.get("path")}


def sweep_uploads(*, now: datetime | None = None, retention_hours: int | None = None) -> dict[str, Any]:
    """Delete the abandoned uploads; returns {"removed": [names], "kept": n, "retention_hours": h}."""
    hours = settings.JINGZHUN_UPLOAD_RETENTION_HOURS if retention_hours is None else retention_hours
    cutoff = (now or timezone.now()) - timedelta(hours=hours)
    directory = import_dir()
    removed: list[str] = []
    kept = 0
    if directory.is_dir():
        in_use = referenced_uploads()
        for path in sorted(directory.iterdir()):
            if not path.is_file() or not UPLOAD_NAME.match(path.name):
                continue
            modified = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.get_current_timezone())
            if modified >= cutoff or path.name in in_use:
                kept += 1
                continue
            path.unlink(missing_ok=True)
            removed.append(path.name)
    if removed:
        with transaction.atomic():
            audit.record(
                actor=None,
                action="workbook.upload_sweep",
                object_type="upload",
                object_id="imports",
                object_label=f"清理过期上传文件 {len(removed)} 个",
                after={"removed": removed, "retention_hours": hours},
                note=f"上传超过 {hours} 小时且没有待执行的导入任务使用，已删除",
            )
    return {"removed": removed, "kept": kept, "retention_hours": hours}


@handler(SWEEP_KIND)
def run_upload_sweep(job: Job, progress: Progress) -> dict[str, Any]:
    return sweep_uploads()


# Hourly: an abandoned upload is gone at most an hour after its retention ran out.
recurring(SWEEP_KIND, every=timedelta(hours=1))
