"""Jobs as the outbox: how one context reacts to another's write (docs/architecture.md, "Jobs as the outbox").

A writer publishes an event inside its transaction (`publish("registry.household_changed", {...},
key=...)`); every job kind subscribed to that event (`subscribe(event, kind)`, in the reacting app's
`AppConfig.ready()`, its handler in that app's `jobs.py`) gets one queued job, in the same transaction —
so the reaction exists exactly when the write committed, and a rolled-back write leaves none. The writer
imports nothing of the reacting app.

A failing reaction is a failed job with its error (the write stays), shown on its job page and retried
there or with `jingzhun jobs retry ID` (`runner.retry`).

Who runs it: the process that made the write, right after it committed, when it runs inside
`runner.reactions_run()` — the web request and the API (`jobs.middleware.ReactionsMiddleware`), a CLI command
(`cli.main`) and a worker job (the sandbox child and `runner.run`) all do — so a page shows the fresh verdict
right after a save and an import's job ends with its re-assessment done. A reaction that such a process did
not get to (killed in between, or written outside `reactions_run()`) waits in the queue for the worker.
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from jingzhun.jobs.models import Job, JobStatus
from jingzhun.jobs.queue import enqueue

_SUBSCRIBERS: dict[str, list[str]] = {}
_noted: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("jingzhun_outbox", default=None)


def subscribe(event: str, kind: str) -> None:
    """Run a job of `kind` (a registered handler) after every committed write that publishes `event`."""
    kinds = _SUBSCRIBERS.setdefault(event, [])
    if kind not in kinds:
        kinds.append(kind)


def unsubscribe(event: str, kind: str) -> None:
    if kind in _SUBSCRIBERS.get(event, []):
        _SUBSCRIBERS[event].remove(kind)


def subscribers(event: str) -> list[str]:
    return list(_SUBSCRIBERS.get(event, []))


def _lock_key(kind: str, key: str) -> str:
    lock = f"outbox:{kind}:{key}"
    if len(lock) <= 40:
        return lock
    return "outbox:" + hashlib.sha1(lock.encode()).hexdigest()[:33]


def is_reaction(job: Job) -> bool:
    return job.lock_key.startswith("outbox:")


def publish(event: str, params: dict[str, Any], *, key: str = "", created_by: Any = None) -> list[Job]:
    """Queue the reactions to `event` inside the caller's transaction (refused outside one: a reaction
    queued before or after the write could exist without it, or the write without it).

    `key` names what the reaction is about (a household id): while a reaction of that kind and key is still
    queued, a second write reuses it instead of queueing another — a transaction that changes a household
    three times queues one re-assessment. The queued row is locked until this transaction ends, so a worker
    cannot start it on the data from before this write."""
    if not in_write_transaction():
        raise RuntimeError(f"publish({event!r}) outside the write's transaction")
    jobs: list[Job] = []
    for kind in subscribers(event):
        lock = _lock_key(kind, key or event)
        job = None
        if key:
            job = (
                Job.objects.select_for_update()
                .filter(kind=kind, lock_key=lock, status=JobStatus.QUEUED)
                .first()
            )
        if job is None:
            job = enqueue(
                kind=kind,
                params={**params, "event": event, "label": params.get("label") or event},
                created_by=created_by,
                lock_key=lock,
            )
        jobs.append(job)
    note(job.pk for job in jobs)
    return jobs


def note(job_ids: Any) -> None:
    """Ask the enclosing `reactions_run()` to run these jobs when it ends (no-op outside one). A write made
    on another thread (the import's write thread) passes its jobs' ids back to be noted here."""
    pending = _noted.get()
    if pending is not None:
        for job_id in job_ids:
            if job_id not in pending:
                pending.append(job_id)


@contextmanager
def collecting(*, own: bool = False) -> Iterator[list[int] | None]:
    """The ids noted inside the block (`note`), for the caller to run when it ends (`runner.reactions_run`);
    None when an enclosing block collects them instead (a nested block without `own`)."""
    if _noted.get() is not None and not own:
        yield None
        return
    token = _noted.set([])
    try:
        yield _noted.get()
    finally:
        _noted.reset(token)


def noted() -> list[int] | None:
    """The ids noted so far by the enclosing collecting block (None outside one); `runner.run_pending`
    takes them off as it runs them."""
    return _noted.get()


def in_write_transaction() -> bool:
    """Inside a transaction of the application's own (not only the one a test case wraps around each test,
    which never commits: inside it, what the test's write did is as committed as it gets)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)
