"""The worker (`jingzhun worker`): queues due schedules, claims due jobs and runs each in a budgeted child
process (`jobs.sandbox`), beating for the jobs its children run."""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.db import close_old_connections

from jingzhun.jobs import sandbox
from jingzhun.jobs.runner import HEARTBEAT_SECONDS, beat, claim_next, recover_stale
from jingzhun.jobs.schedule import schedule_due


def work_forever(stop: threading.Event, poll_seconds: float = 1.0, slots: int | None = None) -> None:
    """The worker: queue due schedules, claim due jobs and run each in a budgeted child process
    (jobs/sandbox.py), up to `slots` at once."""
    slots = max(1, slots or getattr(settings, "JINGZHUN_WORKER_SLOTS", 2))
    recover_stale()  # orphans only: another live worker's jobs keep running
    running: list[sandbox.Child] = []
    last_beat = 0.0
    while not stop.is_set():
        close_old_connections()
        running = [child for child in running if not sandbox.poll(child)]
        if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
            beat([child.job_id for child in running])
            last_beat = time.monotonic()
        schedule_due()
        job = claim_next() if len(running) < slots else None
        if job is None:
            stop.wait(poll_seconds if not running else min(poll_seconds, 0.2))
            continue
        running.append(sandbox.start(job))
    for child in running:  # stopping: let the children finish within their budget
        while not sandbox.poll(child):
            time.sleep(0.2)
