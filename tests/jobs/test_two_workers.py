"""A second worker starting (a restart beside a live one, or two servers on one database) must not fail the
jobs the first one is running — the old start-up `recover_stale(0)` failed every running job. Only orphans
are failed: jobs whose worker process is gone (this host) or that nobody noted alive for STALE_SECONDS."""

from __future__ import annotations

import socket
import subprocess
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from jingzhun.jobs import queue, runner, worker
from jingzhun.jobs.models import Job, JobStatus


@queue.handler("test_two_workers")
def _noop(job, progress):
    return {}


def _running(worker: str, *, age_seconds: float = 0) -> Job:
    job = queue.enqueue(kind="test_two_workers", params={})
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        worker=worker,
        started_at=timezone.now(),
        heartbeat_at=timezone.now() - timedelta(seconds=age_seconds),
    )
    return job


def _start_a_second_worker() -> None:
    """What a worker does when it starts, and then stops at once (no job is claimed)."""
    stop = threading.Event()
    stop.set()
    worker.work_forever(stop, poll_seconds=0.01)


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.mark.django_db
def test_a_second_worker_starting_leaves_a_live_workers_job_running():
    live = _running(runner.worker_id())  # claimed by this (live) process, beating
    _start_a_second_worker()
    live.refresh_from_db()
    assert live.status == JobStatus.RUNNING
    assert live.error == ""


@pytest.mark.django_db
def test_a_job_of_a_worker_that_died_on_this_host_fails_at_once():
    orphan = _running(f"{socket.gethostname()}:{_dead_pid()}")  # heartbeat fresh, process gone
    live = _running(runner.worker_id())
    _start_a_second_worker()
    orphan.refresh_from_db()
    live.refresh_from_db()
    assert orphan.status == JobStatus.FAILED and "重新提交" in orphan.error
    assert live.status == JobStatus.RUNNING


@pytest.mark.django_db
def test_another_hosts_job_fails_only_once_its_heartbeat_is_stale():
    quiet = _running("other-host:4242", age_seconds=runner.STALE_SECONDS + 5)
    beating = _running("other-host:4243", age_seconds=1)
    _start_a_second_worker()
    quiet.refresh_from_db()
    beating.refresh_from_db()
    assert quiet.status == JobStatus.FAILED
    assert beating.status == JobStatus.RUNNING


@pytest.mark.django_db
def test_the_workers_heartbeat_keeps_a_long_silent_job_alive():
    """A job that reports no progress for longer than STALE_SECONDS stays running while its worker beats."""
    job = _running("other-host:4244", age_seconds=runner.STALE_SECONDS + 5)
    runner.beat([job.pk])
    assert runner.recover_stale() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert runner.recover_stale(max_age_seconds=0) == 1  # with no grace at all it would be taken


@pytest.mark.django_db
def test_a_claimed_job_names_its_worker():
    queue.enqueue(kind="test_two_workers", params={})
    claimed = runner.claim_next()
    assert claimed is not None and claimed.worker == runner.worker_id()
