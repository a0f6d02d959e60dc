"""Scheduled and recurring jobs: not claimed before run_at, one pending occurrence per schedule."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from jingzhun.jobs import queue, runner, schedule
from jingzhun.jobs.models import Job, JobStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")


@queue.handler("test_nightly")
def _nightly(job, progress):
    return {"ran": True}


@pytest.fixture
def only_test_schedules(monkeypatch):
    """The apps' own schedules (escalation, audit check, backup) set aside: each test sees its own only."""
    monkeypatch.setattr(schedule, "_SCHEDULES", {})


@pytest.fixture
def nightly(only_test_schedules):
    return schedule.recurring("test_nightly", daily_at=time(2, 0))


def test_it_knows_every_apps_job_kinds_without_a_view_importing_them():
    # Registered by autodiscovery of each app's `jobs` module at start-up.
    assert {"assessment", "registry_import"} <= set(queue.known_kinds())


@pytest.mark.django_db
def test_it_does_not_claim_a_job_before_its_run_at():
    later = queue.enqueue(kind="test_nightly", params={}, run_at=timezone.now() + timedelta(hours=1))
    assert runner.claim_next() is None
    Job.objects.filter(pk=later.pk).update(run_at=timezone.now() - timedelta(seconds=1))
    assert runner.claim_next().pk == later.pk


@pytest.mark.django_db
def test_it_claims_due_jobs_in_queue_order_past_a_waiting_one():
    waiting = queue.enqueue(kind="test_nightly", params={}, run_at=timezone.now() + timedelta(days=1))
    due = queue.enqueue(kind="test_nightly", params={})
    assert runner.claim_next().pk == due.pk
    assert Job.objects.get(pk=waiting.pk).status == JobStatus.QUEUED


def test_a_daily_schedule_plans_the_next_local_occurrence(nightly):
    before = datetime(2026, 12, 1, 1, 59, tzinfo=SHANGHAI)
    at = datetime(2026, 12, 1, 2, 0, tzinfo=SHANGHAI)
    assert nightly.next_after(before) == datetime(2026, 12, 1, 2, 0, tzinfo=SHANGHAI)
    assert nightly.next_after(at) == datetime(2026, 12, 2, 2, 0, tzinfo=SHANGHAI)


def test_a_schedule_needs_exactly_one_rhythm(only_test_schedules):
    with pytest.raises(ValueError):
        schedule.recurring("test_bad", daily_at=time(1, 0), every=timedelta(hours=1))
    with pytest.raises(ValueError):
        schedule.recurring("test_bad")
    with pytest.raises(ValueError):
        schedule.recurring("test_bad", every=timedelta(0))


@pytest.mark.django_db
def test_it_keeps_exactly_one_pending_occurrence_per_schedule(nightly, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    now = datetime(2026, 12, 1, 12, 0, tzinfo=SHANGHAI)
    first = schedule.schedule_due(now)
    assert [j.run_at for j in first] == [datetime(2026, 12, 2, 2, 0, tzinfo=SHANGHAI)]
    assert schedule.schedule_due(now) == []  # one is pending already
    assert Job.objects.filter(kind="test_nightly").count() == 1


@pytest.mark.django_db
def test_after_a_run_it_queues_the_next_occurrence(nightly, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    (job,) = schedule.schedule_due(datetime(2026, 12, 1, 12, 0, tzinfo=SHANGHAI))
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED)
    (following,) = schedule.schedule_due(datetime(2026, 12, 2, 2, 1, tzinfo=SHANGHAI))
    assert following.run_at == datetime(2026, 12, 3, 2, 0, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_a_worker_down_for_days_runs_the_missed_occurrence_once_now(nightly, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    (job,) = schedule.schedule_due(datetime(2026, 12, 1, 12, 0, tzinfo=SHANGHAI))
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED)
    back = datetime(2026, 12, 5, 9, 30, tzinfo=SHANGHAI)
    (catch_up,) = schedule.schedule_due(back)
    assert catch_up.run_at == back
    assert Job.objects.filter(kind="test_nightly", status=JobStatus.QUEUED).count() == 1


@pytest.mark.django_db
def test_an_interval_schedule_counts_from_the_last_planned_time(only_test_schedules):
    schedule.recurring("test_nightly", every=timedelta(hours=6))
    start = datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI)
    (job,) = schedule.schedule_due(start)
    assert job.run_at == start + timedelta(hours=6)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)  # a failed run still moves the clock on
    (following,) = schedule.schedule_due(start + timedelta(hours=6, minutes=1))
    assert following.run_at == start + timedelta(hours=12)


def test_the_nightly_work_of_the_apps_is_scheduled():
    planned = {s.kind: s.daily_at for s in schedule.schedules()}
    assert planned["ledger_escalate"] == time(0, 30)  # 督办升级 for the new day
    assert planned["audit_verify"] == time(2, 0)  # the audit chain
    assert planned["backup"] == time(3, 0)
