"""Background jobs of the trail and the database (the lead schedules them):

- `audit_verify` (nightly): walk the whole audit chain; the last good run's head is passed on as an anchor,
  so a chain rewritten and re-hashed since then is caught too. Shown on the 审计校验 page.
- `backup` (scheduled): a backup into the data directory's `backups/` (or params["dir"]), keeping the
  params["keep"] newest (default 14).
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from jingzhun.core.backup import backup, backup_name, rotate
from jingzhun.core.verify import verify_database
from jingzhun.jobs.models import Job, JobStatus
from jingzhun.jobs.queue import Progress, handler
from jingzhun.jobs.schedule import recurring

VERIFY_KIND = "audit_verify"
BACKUP_KIND = "backup"
KEEP_BACKUPS = 14


def last_verification(*, ok_only: bool = False) -> Job | None:
    jobs = Job.objects.filter(kind=VERIFY_KIND, status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED])
    if ok_only:
        jobs = jobs.filter(status=JobStatus.SUCCEEDED, result__ok=True)
    return jobs.order_by("-id").first()


@handler(VERIFY_KIND)
def run_audit_verify(job: Job, progress: Progress) -> dict[str, Any]:
    previous = last_verification(ok_only=True)
    anchors: dict[int, str] = {}
    if previous is not None and previous.result.get("last_id") is not None:
        anchors[int(previous.result["last_id"])] = str(previous.result["last_hash"])
    verdict = verify_database(anchors=anchors, progress=progress)
    return {**verdict.as_dict(), "anchor_job": previous.pk if previous else None}


def backup_dir() -> Path:
    return Path(settings.CONFIG.data_dir) / "backups"


@handler(BACKUP_KIND)
def run_backup(job: Job, progress: Progress) -> dict[str, Any]:
    directory = Path(job.params.get("dir") or backup_dir())
    keep = int(job.params.get("keep") or KEEP_BACKUPS)
    directory.mkdir(parents=True, exist_ok=True)
    name = backup_name(timezone.now())
    path = directory / name
    n = 1
    while path.exists():  # two backups in the same second
        stem, dot, suffix = name.rpartition(".")
        path = directory / f"{stem}-{n}{dot}{suffix}"
        n += 1
    progress(0, 1, "备份数据库", force=True)
    backup(path)
    removed = rotate(directory, keep)
    return {"path": str(path), "bytes": path.stat().st_size, "removed": removed, "keep": keep}


# Nightly: the whole audit chain verified (its result on the 审计校验 page), then a backup with retention.
recurring(VERIFY_KIND, daily_at=time(2, 0))
recurring(BACKUP_KIND, daily_at=time(3, 0))
