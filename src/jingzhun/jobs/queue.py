"""The job queue's lowest layer: handlers register by kind (`@handler("registry_import")`), `enqueue` queues
a job of a known kind, `Progress` reports a running job's progress. Execution is `jobs.runner`; the worker
loop `jobs.worker`; reactions between contexts `jobs.outbox`."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone

from jingzhun.jobs.models import Job

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


def handler_for(kind: str) -> Handler:
    return _HANDLERS[kind]


def known_kinds() -> list[str]:
    return sorted(_HANDLERS)


def enqueue(
    *,
    kind: str,
    params: dict[str, Any],
    created_by: Any = None,
    lock_key: str = "",
    run_at: datetime | None = None,
) -> Job:
    """Queue a job; inside a write's transaction it is an outbox row: it exists only if the write commits."""
    if kind not in _HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    return Job.objects.create(
        kind=kind, params=params, created_by=created_by, lock_key=lock_key, run_at=run_at
    )
