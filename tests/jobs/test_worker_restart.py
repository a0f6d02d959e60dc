"""`jingzhun serve` restarts the background worker when it dies (issue 15 #9): kill it, a new one runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from jingzhun.server import WorkerSupervisor


def _stand_in() -> subprocess.Popen[bytes]:
    """A process standing in for `jingzhun worker` (which needs an initialised database)."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])


def _wait_for(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_killed_worker_is_started_again_and_stopped_at_shutdown():
    supervisor = WorkerSupervisor(_stand_in, interval=0.05, max_backoff=0.5)
    supervisor.start()
    try:
        first = supervisor.process
        assert first is not None and first.poll() is None
        os.kill(first.pid, signal.SIGKILL)
        assert _wait_for(lambda: supervisor.process is not first), "the dead worker was not replaced"
        second = supervisor.process
        assert second.poll() is None and supervisor.restarts == 1
        # and again: it keeps a worker alive, not only once
        os.kill(second.pid, signal.SIGKILL)
        assert _wait_for(lambda: supervisor.process is not second and supervisor.restarts == 2)
    finally:
        supervisor.stop()
    last = supervisor.process
    assert last.poll() is not None  # shutdown stops the worker
    time.sleep(0.3)
    assert supervisor.process is last  # and nothing restarts it after the stop
