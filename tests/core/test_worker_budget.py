"""End to end with the real `jingzhun worker` on a real database (issue 15 #9): the worker is killed and
started again by the supervisor of `jingzhun serve`, and the restarted worker runs a queued import of a
tiny zip holding two million CSV rows — refused with the row limit's Chinese message, nothing written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import zipfile
from pathlib import Path

from jingzhun.server import WorkerSupervisor
from tests.core.scratch import Scratch

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "valid_utf8"


def _enqueue_rows_bomb(scratch: Scratch) -> int:
    imports = scratch.data_dir / "media" / "imports"
    imports.mkdir(parents=True, exist_ok=True)
    header, first = (GOLDEN / "成员.csv").read_text(encoding="utf-8-sig").splitlines()[:2]
    with zipfile.ZipFile(imports / "rows.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("户.csv", (GOLDEN / "户.csv").read_bytes())
        z.writestr("成员.csv", (header + "\n" + (first + "\n") * 2_000_000).encode())
    done = scratch.python(
        "from jingzhun.accounts.models import User\n"
        "from jingzhun.jobs.queue import enqueue\n"
        "job = enqueue(kind='registry_import', params={'path': 'rows.zip', 'filename': 'rows.zip'},"
        " created_by=User.objects.get(username='fpb'))\n"
        "print(job.pk)\n"
    )
    return int(done.stdout.strip().splitlines()[-1])


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_killed_worker_is_restarted_and_the_next_one_refuses_a_rows_bomb(scratch: Scratch):
    job_id = _enqueue_rows_bomb(scratch)
    env = {**scratch.env, "JINGZHUN_UPLOAD_MAX_ROWS": "100000"}

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(scratch.argv("worker"), env=env)

    # the first worker is stopped before it can claim anything (SIGSTOP), then killed
    supervisor = WorkerSupervisor(start, interval=0.1, max_backoff=1)
    supervisor.start()
    try:
        first = supervisor.process
        assert first is not None
        os.kill(first.pid, signal.SIGSTOP)
        os.kill(first.pid, signal.SIGKILL)
        assert _wait(lambda: supervisor.restarts >= 1, 15), "the killed worker was not restarted"

        def row() -> tuple[str, str, str]:
            return scratch.query("SELECT status, error, result FROM jobs_job WHERE id = ?", (job_id,))[0]

        started = time.monotonic()
        assert _wait(lambda: row()[0] in ("succeeded", "failed"), 120), row()
        assert time.monotonic() - started < 60  # refused in seconds, not minutes
        # the import job ends with the refusal as its (only) error: the job itself did its work
        status, error, result = row()
        assert status == "succeeded", error
        summary = result if isinstance(result, dict) else json.loads(result)  # psycopg decodes jsonb
        assert summary["written"] is False and summary["total_errors"] == 1
        text = json.dumps(summary["errors"], ensure_ascii=False)
        assert "超过上限 100,000 行" in text and "未导入任何内容" in text
        assert scratch.query("SELECT COUNT(*) FROM registry_household")[0][0] == 0
        assert scratch.query("SELECT COUNT(*) FROM registry_member")[0][0] == 0
    finally:
        supervisor.stop()
