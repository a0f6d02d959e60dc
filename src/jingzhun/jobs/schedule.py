"""Recurring jobs (定时任务): nightly checks, daily deadline sweeps, scheduled backups.

An app declares a schedule in its `jobs` module next to the handler (`recurring("ledger_escalate",
daily_at=time(1, 0))`). The worker keeps exactly one queued job per schedule, with `run_at` set to the
next occurrence; when it has run, the next one is queued. A worker that was down at the planned time
runs the missed occurrence once when it comes back, not once per missed day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from jingzhun.jobs.models import Job, JobStatus
from jingzhun.jobs.queue import enqueue


@dataclass(frozen=True)
class Schedule:
    kind: str
    daily_at: time | None = None
    every: timedelta | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def lock_key(self) -> str:
        return f"recurring:{self.kind}"[:40]

    def next_after(self, moment: datetime) -> datetime:
        """The first planned time strictly after `moment` (local time for daily schedules)."""
        if self.every is not None:
            return moment + self.every
        assert self.daily_at is not None
        local = timezone.localtime(moment)
        planned = local.replace(hour=self.daily_at.hour, minute=self.daily_at.minute, second=0, microsecond=0)
        if planned <= local:
            planned += timedelta(days=1)
        return planned


_SCHEDULES: dict[str, Schedule] = {}


def recurring(
    kind: str,
    *,
    daily_at: time | None = None,
    every: timedelta | None = None,
    params: dict[str, Any] | None = None,
) -> Schedule:
    if (daily_at is None) == (every is None):
        raise ValueError("a schedule needs exactly one of daily_at or every")
    if every is not None and every <= timedelta(0):
        raise ValueError("a schedule's interval must be positive")
    schedule = Schedule(kind=kind, daily_at=daily_at, every=every, params=dict(params or {}))
    _SCHEDULES[kind] = schedule
    return schedule


def schedules() -> list[Schedule]:
    return [_SCHEDULES[k] for k in sorted(_SCHEDULES)]


def unregister(kind: str) -> None:
    _SCHEDULES.pop(kind, None)


def schedule_due(now: datetime | None = None) -> list[Job]:
    """Queue the next occurrence of every schedule that has none pending; returns the jobs queued."""
    now = now or timezone.now()
    queued: list[Job] = []
    for schedule in schedules():
        jobs = Job.objects.filter(kind=schedule.kind, lock_key=schedule.lock_key)
        if jobs.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).exists():
            continue
        last = jobs.exclude(run_at__isnull=True).order_by("-run_at").values_list("run_at", flat=True).first()
        planned = schedule.next_after(last or now)
        if planned <= now:
            planned = now  # missed while the worker was down: run once, now
        queued.append(
            enqueue(
                kind=schedule.kind, params=dict(schedule.params), lock_key=schedule.lock_key, run_at=planned
            )
        )
    return queued
