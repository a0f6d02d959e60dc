"""Each background job in a child process with a time and a memory budget (issue 15 #9).

An upload can be crafted to blow up while being read (a zip bomb, a CSV of millions of rows); the readers
refuse what they can see coming (workbook/file_reader.py), and this is the second line: whatever a handler
does, it cannot take the worker with it.

- The worker forks one child per job. The child lowers its address-space limit (RLIMIT_AS,
  `JINGZHUN_JOB_MEMORY_BYTES`), runs the handler, writes the outcome to a file and exits. A handler that
  needs more memory gets MemoryError (or is killed by the kernel); the worker itself keeps its memory.
- The worker kills a child that runs past `JINGZHUN_JOB_TIMEOUT_SECONDS` (SIGKILL: its transaction rolls
  back, as after any crash), and marks the job failed with a Chinese message.
- The job row's final status is written by the worker (the parent), so a child that dies without a word
  still leaves the job failed, never "running".

Fork rather than spawn: the child starts with Django set up and the handlers registered, in milliseconds.
Database connections are closed before the fork so the child opens its own.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import resource
import signal
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections
from django.utils import timezone

from jingzhun.jobs.models import Job, JobStatus
from jingzhun.jobs.queue import Progress
from jingzhun.jobs.runner import execute

log = logging.getLogger(__name__)


def timeout_message(seconds: float) -> str:
    return f"任务运行超过时间上限（{int(seconds)} 秒），已中止；数据库未写入任何内容。请拆分文件后重新提交，或联系管理员。"


def memory_message(limit: int) -> str:
    return (
        f"任务占用内存超过上限（{limit // (1024 * 1024)} MB），已中止；数据库未写入任何内容。"
        "请拆分文件后重新提交，或联系管理员。"
    )


@dataclass
class Child:
    """A job running in a child process."""

    job_id: int
    pid: int
    outcome_path: str
    deadline: float
    memory: int
    started: float = field(default_factory=time.monotonic)
    timeout: float = 0.0


def _die_with_parent() -> None:
    """Linux: the child is killed when the worker dies, so no orphan writes on after the worker restarted
    and marked its jobs failed (runner.recover_stale)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # not Linux (no prctl): a child orphaned by a dead worker runs on until it ends


def _child_main(job: Job, outcome_path: str, memory: int) -> None:
    code = 0
    try:
        _die_with_parent()
        if memory > 0:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        result = execute(job, Progress(job))  # the handler, then the reactions it queued (jobs.outbox)
        outcome: dict[str, Any] = {"ok": True, "result": result or {}}
    except MemoryError:
        outcome = {"ok": False, "error": memory_message(memory)}
    except BaseException as exc:  # noqa: BLE001 — every failure is reported to the worker
        outcome = {"ok": False, "error": f"{exc}\n\n{traceback.format_exc()}"[:20000]}
    try:
        with open(outcome_path, "w", encoding="utf-8") as fh:
            json.dump(outcome, fh, cls=DjangoJSONEncoder, ensure_ascii=False)
    except BaseException:  # noqa: BLE001 — out of memory even for this: the worker reports the exit
        code = 3
    os._exit(code)  # never run the parent's atexit handlers or test teardown in the child


def start(job: Job, *, timeout: float | None = None, memory: int | None = None) -> Child:
    """Fork a child running `job` (already claimed: status running)."""
    timeout = settings.JINGZHUN_JOB_TIMEOUT_SECONDS if timeout is None else timeout
    memory = settings.JINGZHUN_JOB_MEMORY_BYTES if memory is None else memory
    fd, outcome_path = tempfile.mkstemp(prefix=f"job-{job.pk}-", suffix=".json")
    os.close(fd)
    os.unlink(outcome_path)  # the child creates it; its absence means the child said nothing
    if any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        # the child would share the open transaction's connection: never fork from inside one
        raise RuntimeError("a job cannot be started in a child from inside a transaction")
    connections.close_all()
    pid = os.fork()
    if pid == 0:  # pragma: no cover — runs in the child, reported through the outcome file
        _child_main(job, outcome_path, memory)
    return Child(
        job_id=job.pk,
        pid=pid,
        outcome_path=outcome_path,
        deadline=time.monotonic() + timeout,
        memory=memory,
        timeout=timeout,
    )


def _finish(child: Child, *, ok: bool, result: Any = None, error: str = "") -> None:
    if ok:
        Job.objects.filter(pk=child.job_id).update(
            status=JobStatus.SUCCEEDED, result=result or {}, finished_at=timezone.now()
        )
    else:
        Job.objects.filter(pk=child.job_id).update(
            status=JobStatus.FAILED, error=error, finished_at=timezone.now()
        )


def _read_outcome(child: Child) -> dict[str, Any] | None:
    try:
        with open(child.outcome_path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(child.outcome_path)


def poll(child: Child) -> bool:
    """True once the child is done and its job row final; kills it past its deadline."""
    pid, status = os.waitpid(child.pid, os.WNOHANG)
    if pid == 0:
        if time.monotonic() < child.deadline:
            return False
        os.kill(child.pid, signal.SIGKILL)
        os.waitpid(child.pid, 0)
        _read_outcome(child)
        log.warning("job %s killed after %.0f s", child.job_id, child.timeout)
        _finish(child, ok=False, error=timeout_message(child.timeout))
        return True
    outcome = _read_outcome(child)
    if outcome is not None:
        _finish(child, ok=outcome["ok"], result=outcome.get("result"), error=outcome.get("error", ""))
    elif os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGKILL, signal.SIGSEGV):
        # no outcome and killed: the kernel's OOM killer, or a crash when memory ran out
        _finish(child, ok=False, error=memory_message(child.memory))
    else:
        _finish(child, ok=False, error="任务进程异常退出，数据库未写入任何内容，请重新提交")
    return True


def run_to_end(job: Job, *, timeout: float | None = None, memory: int | None = None) -> Job:
    """Run one job in a child and wait for it (tests, and a worker with one slot)."""
    child = start(job, timeout=timeout, memory=memory)
    while not poll(child):
        time.sleep(0.05)
    job.refresh_from_db()
    return job
