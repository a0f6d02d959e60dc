"""Enqueue, claim and run jobs. Handlers register by kind: `@handler("registry_import")`."""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import close_old_connections, transaction
from django.utils import timezone

from jingzhun.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

Handler = Callable[[Job, "Progress"], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


class Progress:
    """Reports progress of a running job; writes at most a few times a second."""

    def __init__(self, job: Job | None, printer: Callable[[int, int, str], None] | None = None):
        self.job = job
        self.printer = printer
        self._last = 0.0

    def __call__(self, done: int, total: int, message: str = "", *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 0.3 and done < total:
            return
        self._last = now
        if self.printer:
            self.printer(done, total, message)
        if self.job is not None:
            # Outside any import transaction on purpose: the browser polls this row while the job runs.
            Job.objects.filter(pk=self.job.pk).update(
                progress_done=done, progress_total=total, message=message[:200], heartbeat_at=timezone.now()
            )


def enqueue(*, kind: str, params: dict[str, Any], created_by: Any = None, lock_key: str = "") -> Job:
    if kind not in _HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    return Job.objects.create(kind=kind, params=params, created_by=created_by, lock_key=lock_key)


def claim_next() -> Job | None:
    """Claim the oldest queued job with a conditional UPDATE, so two workers never run one job."""
    for job_id in Job.objects.filter(status=JobStatus.QUEUED).order_by("id").values_list("id", flat=True)[:5]:
        claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
        )
        if claimed:
            return Job.objects.get(pk=job_id)
    return None


def run(job: Job, printer: Callable[[int, int, str], None] | None = None) -> Job:
    fn = _HANDLERS[job.kind]
    try:
        result = fn(job, Progress(job, printer))
    except Exception as exc:  # a failed job is recorded, never lost
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error=f"{exc}\n\n{traceback.format_exc()}"[:20000],
            finished_at=timezone.now(),
        )
    else:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED, result=result or {}, finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job


def recover_stale(max_age_seconds: int = 600) -> int:
    """Jobs left 'running' by a killed worker: their transaction rolled back, so mark them failed."""
    cutoff = timezone.now() - timedelta(seconds=max_age_seconds)
    with transaction.atomic():
        return Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff).update(
            status=JobStatus.FAILED,
            error="任务进程中断，数据库未写入任何内容，请重新提交",
            finished_at=timezone.now(),
        )


def work_forever(stop: threading.Event, poll_seconds: float = 1.0) -> None:
    _load_handlers()
    recover_stale(0)
    while not stop.is_set():
        close_old_connections()
        job = claim_next()
        if job is None:
            stop.wait(poll_seconds)
            continue
        run(job)


def _load_handlers() -> None:
    # Importing the modules registers their handlers (imported here, not at the top: they import us).
    import jingzhun.ledger.jobs  # noqa: F401
    import jingzhun.standards.jobs  # noqa: F401
    import jingzhun.workbook.jobs  # noqa: F401
