"""`jingzhun serve`: gunicorn for the web UI and API, plus one background-job worker process, restarted
whenever it dies (issue 15 #9: a worker killed by the kernel or a crash must not stop all background work)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from jingzhun.wsgi import application

        return application


def start_worker() -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    return subprocess.Popen([sys.executable, "-m", "jingzhun.cli", "worker"], env=env)


log = logging.getLogger(__name__)


class WorkerSupervisor:
    """Keeps one worker process alive: a watcher thread starts a new one when it exits, waiting a little
    longer after each quick death (up to `max_backoff` s) so a worker that cannot start does not spin."""

    def __init__(
        self,
        start: Callable[[], subprocess.Popen[bytes]] = start_worker,
        *,
        interval: float = 1.0,
        max_backoff: float = 30.0,
    ):
        self._start = start
        self.interval = interval
        self.max_backoff = max_backoff
        self.restarts = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        self.process = self._start()
        self._thread.start()

    def _watch(self) -> None:
        backoff = 0.0
        started = time.monotonic()
        while not self._stop.wait(self.interval):
            process = self.process
            if process is None or process.poll() is None:
                continue
            log.error("background worker exited with %s; restarting", process.returncode)
            # a worker that ran a while restarts at once; one that keeps dying waits longer each time
            backoff = 0.0 if time.monotonic() - started > 60 else min(self.max_backoff, backoff * 2 or 1)
            if backoff and self._stop.wait(backoff):
                return
            self.process = self._start()
            self.restarts += 1
            started = time.monotonic()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def serve(*, host: str, port: int, workers: int = 2) -> None:
    supervisor = WorkerSupervisor()
    supervisor.start()

    options = {
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 120,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "preload_app": True,
    }
    try:
        _Gunicorn(options).run()
    finally:
        supervisor.stop()
