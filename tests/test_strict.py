"""JINGZHUN_TEST_STRICT means something: on CI a skip is a failure (issue 15 #6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SAMPLE = """
import shutil
import pytest

def test_needs_libreoffice_like_the_real_one():
    if not shutil.which("no-such-libreoffice"):
        pytest.skip("LibreOffice is not installed")

@pytest.mark.postgres
def test_needs_postgresql():
    pass

def test_runs():
    assert True
"""


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("JINGZHUN_")}
    environ.update(env, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "tests.strict",
            "-p",
            "no:django",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        check=False,
    )


def test_without_strict_a_missing_tool_skips(tmp_path):
    run = _run(tmp_path)
    assert run.returncode == 0, run.stdout
    assert "1 passed, 2 skipped" in run.stdout


def test_with_strict_a_missing_tool_fails(tmp_path):
    run = _run(tmp_path, JINGZHUN_TEST_STRICT="true")
    assert run.returncode == 1, run.stdout
    # the skip in the test body fails it; the skip in setup (the postgres marker) is an error
    assert "1 failed, 1 passed" in run.stdout and "1 error" in run.stdout
    assert (
        "JINGZHUN_TEST_STRICT is set (CI): a skipped test fails instead — LibreOffice is not installed"
        in run.stdout
    )
    assert "needs PostgreSQL" in run.stdout


def test_with_strict_a_postgresql_pass_without_postgresql_stops(tmp_path):
    run = _run(tmp_path, JINGZHUN_TEST_STRICT="true", JINGZHUN_TEST_DB="postgresql")
    assert run.returncode == 4, run.stdout + run.stderr  # a usage error: nothing ran
    assert "would run on SQLite" in run.stderr
