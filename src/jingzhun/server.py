"""`jingzhun serve`: gunicorn for the web UI and API, plus one background-job worker process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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


def serve(*, host: str, port: int, workers: int = 2) -> None:
    worker = start_worker()

    def stop_worker(*_: Any) -> None:
        if worker.poll() is None:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()

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
        stop_worker()
