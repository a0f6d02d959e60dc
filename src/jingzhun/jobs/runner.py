"""Claim and run jobs, and the reactions their writes queued (`reactions_run`, jobs.outbox). Handlers and
the queue itself: `jobs.queue`; the worker loop: `jobs.worker`."""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jingzhun.jobs import outbox
from jingzhun.jobs.models import Job, JobStatus
from jingzhun.jobs.queue import Progress, handler_for

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 10  # a worker notes every this often that its running jobs are alive
STALE_SECONDS = 60  # a running job whose worker has not noted it for this long is taken as orphaned


def claim_next() -> Job | None:
    """Claim the oldest due queued job with a conditional UPDATE, so two workers never run one job.

    Fairness (issue 15 #9): a job whose creator already has a job running waits, so one cadre's (one
    county's or township's) long import never holds every worker slot while another's job queues behind
    it — the worker runs `JINGZHUN_WORKER_SLOTS` jobs side by side. System jobs (no creator) are not held.
    """
    due = Q(run_at__isnull=True) | Q(run_at__lte=timezone.now())
    busy = Job.objects.filter(status=JobStatus.RUNNING, created_by__isnull=False).values("created_by")
    candidates = (
        Job.objects.filter(due, status=JobStatus.QUEUED)
        .exclude(created_by__in=busy)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for job_id in candidates[:5]:
        claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING,
            started_at=timezone.now(),
            heartbeat_at=timezone.now(),
            worker=worker_id(),
        )
        if claimed:
            return Job.objects.get(pk=job_id)
    return None


def execute(job: Job, progress: Progress) -> dict[str, Any]:
    """The job's handler, then the reactions its writes queued (jobs.outbox), each its own job."""
    with reactions_run(own=True):
        return handler_for(job.kind)(job, progress)


def run(job: Job, printer: Callable[[int, int, str], None] | None = None) -> Job:
    try:
        result = execute(job, Progress(job, printer))
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


def run_now(job_id: int) -> Job | None:
    """Claim one queued job and run it in this process (the reactions of a write, right after it
    committed: jobs.outbox). None when there is nothing to claim: a worker took it, or its write rolled
    back."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now(), worker=worker_id()
    )
    if not claimed:
        return None
    return run(Job.objects.get(pk=job_id))


@contextmanager
def reactions_run(*, own: bool = False) -> Iterator[None]:
    """Run, when the block ends, the reactions its writes queued (`run_pending`). A nested block leaves the
    running to the outermost one, unless `own` (a request, a job: its reactions run when it ends, whatever
    process or command it runs in)."""
    with outbox.collecting(own=own) as ids:
        yield
        if ids is not None:
            run_pending()


def run_pending() -> list[Job]:
    """Run now, in this process, the reactions noted so far whose write has committed; a job already taken
    by a worker, or whose write rolled back (no row), is skipped. Returns the jobs run."""
    pending = outbox.noted()
    if not pending or outbox.in_write_transaction():
        return []  # still inside the write: its reactions run once it has committed
    ran = []
    while pending:
        job = run_now(pending.pop(0))
        if job is not None:
            ran.append(job)
    return ran


class NotRetryable(ValueError):
    """Only a failed job can be queued again."""


def retry(job: Job) -> Job:
    """Queue a failed job again, as it was asked for (its parameters and creator). The worker claims it like
    any other (a reaction's write has long committed); the error it failed with is kept until it ends."""
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
        status=JobStatus.QUEUED,
        started_at=None,
        finished_at=None,
        heartbeat_at=None,
        worker="",
        run_at=None,
        progress_done=0,
        progress_total=0,
        message="重新排队",
    )
    if not updated:
        raise NotRetryable("只有失败的任务可以重试")
    job.refresh_from_db()
    return job


def worker_id() -> str:
    """This process as the owner of the jobs it claims."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _gone(worker: str) -> bool:
    """A worker of this host whose process no longer exists (another host's cannot be asked)."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


def beat(job_ids: list[int]) -> None:
    """The worker's heartbeat for the jobs its children run (they may report no progress for long)."""
    if job_ids:
        Job.objects.filter(pk__in=job_ids, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())


def recover_stale(max_age_seconds: int = STALE_SECONDS) -> int:
    """Jobs left 'running' by a killed worker: their transaction rolled back, so mark them failed.

    Orphaned means: the claiming worker's process is gone (this host), or nothing noted the job alive for
    `max_age_seconds` (a worker on another host, or one that hangs). A job of a live worker that keeps
    beating is left alone, so a second worker starting does not fail the first one's jobs."""
    cutoff = timezone.now() - timedelta(seconds=max_age_seconds)
    running = Job.objects.filter(status=JobStatus.RUNNING)
    dead = [w for w in running.exclude(worker="").values_list("worker", flat=True).distinct() if _gone(w)]
    with transaction.atomic():
        return running.filter(
            Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True) | Q(worker__in=dead)
        ).update(
            status=JobStatus.FAILED,
            error="任务进程中断，数据库未写入任何内容，请重新提交",
            finished_at=timezone.now(),
        )
