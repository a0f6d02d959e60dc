"""The database-backed job queue: claimed with a conditional UPDATE, failures recorded."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection, connections

from jingzhun.jobs import queue, runner
from jingzhun.jobs.models import Job, JobStatus


@queue.handler("test_ok")
def _ok(job, progress):
    progress(1, 2, "一半", force=True)
    return {"echo": job.params["value"]}


@queue.handler("test_fail")
def _fail(job, progress):
    raise ValueError("第3行证件号码错误")


@pytest.mark.django_db
def test_it_never_hands_the_same_job_to_two_claims():
    jobs = [queue.enqueue(kind="test_ok", params={"value": i}) for i in range(3)]
    claimed = [runner.claim_next() for _ in range(4)]
    assert [j.pk for j in claimed[:3]] == [j.pk for j in jobs]
    assert claimed[3] is None
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.RUNNING}


@pytest.mark.django_db
def test_it_skips_a_job_another_worker_claimed_in_between():
    """The candidate list can be stale; the conditional UPDATE is what decides."""
    first = queue.enqueue(kind="test_ok", params={"value": 1})
    second = queue.enqueue(kind="test_ok", params={"value": 2})
    assert Job.objects.filter(pk=first.pk).update(status=JobStatus.RUNNING) == 1  # another worker won it
    claimed = runner.claim_next()
    assert claimed.pk == second.pk


@pytest.mark.django_db(transaction=True)
def test_it_gives_each_job_to_one_of_many_concurrent_workers():
    total = 12
    for i in range(total):
        queue.enqueue(kind="test_ok", params={"value": i})
    claimed: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def claim():
        # The SQLite test database is in memory with a shared cache, which answers a concurrent
        # writer with "table is locked" at once (the production WAL file waits instead); retry that.
        while True:
            try:
                return runner.claim_next()
            except OperationalError as exc:
                if "locked" not in str(exc):
                    raise

    def worker():
        try:
            start.wait()
            while True:
                job = claim()
                if job is None:
                    break
                with lock:
                    claimed.append(job.pk)
        except BaseException as exc:  # reported below, so a thread's failure fails the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(claimed) == total
    assert len(set(claimed)) == total
    assert Job.objects.filter(status=JobStatus.RUNNING).count() == total
    connection.close()


@pytest.mark.django_db
def test_it_runs_a_job_and_keeps_its_result_and_progress():
    queue.enqueue(kind="test_ok", params={"value": 7})
    job = runner.claim_next()
    done = runner.run(job)
    assert done.status == JobStatus.SUCCEEDED
    assert done.result == {"echo": 7}
    assert (done.progress_done, done.progress_total, done.message) == (1, 2, "一半")
    assert done.finished_at is not None
    assert done.percent == 100


@pytest.mark.django_db
def test_it_marks_a_job_failed_when_its_handler_raises():
    queue.enqueue(kind="test_fail", params={})
    job = runner.run(runner.claim_next())
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("第3行证件号码错误")
    assert "Traceback" in job.error
    assert job.finished
    assert runner.claim_next() is None


@pytest.mark.django_db
def test_it_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="unknown job kind"):
        queue.enqueue(kind="no_such_kind", params={})
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_it_fails_jobs_left_running_by_a_dead_worker():
    queue.enqueue(kind="test_ok", params={"value": 1})
    stale = runner.claim_next()
    fresh_job = queue.enqueue(kind="test_ok", params={"value": 2})
    assert runner.recover_stale(max_age_seconds=3600) == 0
    assert runner.recover_stale(max_age_seconds=0) == 1
    stale.refresh_from_db()
    fresh_job.refresh_from_db()
    assert stale.status == JobStatus.FAILED
    assert "重新提交" in stale.error
    assert fresh_job.status == JobStatus.QUEUED


@pytest.mark.django_db
def test_it_reports_progress_as_a_percentage():
    job = Job(kind="x", progress_done=1, progress_total=3)
    assert job.percent == 33
    assert Job(kind="x").percent == 0
    assert Job(kind="x", progress_done=5, progress_total=5).percent == 99


def test_it_shows_a_job_to_its_creator_and_the_county_admin_only(
    county_admin, village_cadre, other_village_cadre
):
    from django.http import Http404

    from jingzhun.accounts.access import actor_for
    from jingzhun.jobs.selectors import job_get

    job = queue.enqueue(kind="test_ok", params={"value": 1}, created_by=village_cadre)
    assert job_get(actor_for(village_cadre), job.pk) == job
    assert job_get(actor_for(county_admin), job.pk) == job
    for actor, pk in [(actor_for(other_village_cadre), job.pk), (actor_for(village_cadre), job.pk + 1)]:
        with pytest.raises(Http404):
            job_get(actor, pk)
