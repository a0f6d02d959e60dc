"""Crash safety (kill -9): an import killed while it writes leaves the database as it was and its lock
takeable; a worker killed in the middle of a job leaves the job failed, never "running" for ever."""

from __future__ import annotations

import os
import signal
import sqlite3
import time

import pytest

from tests.core.scratch import POSTGRES, Scratch

HOUSEHOLDS = 12_000  # large enough that writing takes seconds on either database
# The lock rows are written outside the import's transaction on purpose (workbook.lock), so they are left
# out of the comparison, and so is the total over all tables.
LOCKS = ("workbook_importlock", "digest")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory, scratch_template) -> str:
    path = tmp_path_factory.mktemp("book") / "county.xlsx"
    scratch_template.scratch.run("generate", str(path), "--households", str(HOUSEHOLDS), "--seed", "7")
    return str(path)


def _writing(db: Scratch) -> bool:
    """The import is inside its write transaction, seen from outside."""
    if POSTGRES:
        rows = db.query(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_xid IS NOT NULL AND state = 'active' AND query ILIKE 'COPY %%'"
        )
        return bool(rows)
    conn = sqlite3.connect(db.path, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:  # "database is locked": a writer holds it
        return True
    else:
        conn.rollback()
        return False
    finally:
        conn.close()


def _wait_until_writing(db: Scratch, proc) -> None:
    deadline = time.monotonic() + 300
    seen = 0
    while time.monotonic() < deadline:
        assert proc.poll() is None, (
            f"the import ended before it could be killed mid-write:\n{proc.stderr.read()}"
        )
        seen = seen + 1 if _writing(db) else 0
        if seen >= 3:  # for 0.3 s in a row: the write transaction, not a lock row's quick autocommit
            return
        time.sleep(0.1)
    raise AssertionError("the import never started writing")


def test_an_import_killed_mid_write_changes_nothing_and_the_next_one_takes_its_lock(scratch, workbook):
    before = scratch.digest(skip=LOCKS)
    proc = scratch.start("registry", "import", workbook)
    _wait_until_writing(scratch, proc)
    time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL

    assert scratch.digest(skip=LOCKS) == before  # not one row of the import remains
    locks = scratch.query("SELECT pid, db_session FROM workbook_importlock")
    assert locks and {pid for pid, _ in locks} == {proc.pid}  # the dead import's lock is still there
    if POSTGRES:
        # Give the lock a live process on this machine as holder: only the database-session check
        # (pg_stat_activity) can now tell that its holder is gone.
        scratch.query("UPDATE workbook_importlock SET pid = ?", (os.getpid(),))
        sessions = {session for _, session in locks}
        assert None not in sessions
        deadline = time.monotonic() + 30
        while (
            scratch.query("SELECT 1 FROM pg_stat_activity WHERE pid = ANY(?)", (list(sessions),))
            and time.monotonic() < deadline
        ):
            time.sleep(0.2)  # the server notices the closed connection and rolls back

    done = scratch.run("registry", "import", workbook)
    assert f"新增 {HOUSEHOLDS}" in done.stdout
    assert scratch.query("SELECT count(*) FROM registry_household")[0][0] == HOUSEHOLDS
    assert not scratch.query("SELECT 1 FROM workbook_importlock")
    assert scratch.run("audit", "verify").returncode == 0


ENQUEUE = """
import shutil, sys
from django.conf import settings
from jingzhun.accounts.models import User
from jingzhun.jobs.queue import enqueue
from jingzhun.workbook.upload_store import import_dir
import_dir().mkdir(parents=True, exist_ok=True)
shutil.copy(sys.argv[1], import_dir() / "county.xlsx")
job = enqueue(kind="registry_import", params={"path": "county.xlsx", "filename": "county.xlsx"},
              created_by=User.objects.get(username="fpb"))
print(job.pk)
"""


def _job(db: Scratch, pk: int) -> tuple[str, str]:
    return db.query("SELECT status, error FROM jobs_job WHERE id = ?", (pk,))[0]


def test_a_worker_killed_mid_job_leaves_the_job_failed_not_running(scratch, workbook, tmp_path):
    script = tmp_path / "enqueue.py"
    script.write_text("import django\ndjango.setup()\n" + ENQUEUE)
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, str(script), workbook], env=scratch.env, capture_output=True, text=True, check=True
    )
    pk = int(done.stdout.strip())
    before = scratch.digest(skip=(*LOCKS, "jobs_job"))
    worker = scratch.start("worker")
    _wait_until_writing(scratch, worker)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(30)
    assert _job(scratch, pk)[0] == "running"  # what the killed worker left behind
    assert scratch.digest(skip=(*LOCKS, "jobs_job")) == before

    again = scratch.start("worker")  # a restarted worker recovers what the dead one left
    deadline = time.monotonic() + 60
    while _job(scratch, pk)[0] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    again.terminate()
    again.wait(30)
    status, error = _job(scratch, pk)
    assert status == "failed" and "任务进程中断" in error
    assert scratch.query("SELECT count(*) FROM registry_household")[0][0] == 0
