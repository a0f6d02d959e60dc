"""`JINGZHUN_TEST_STRICT` (set by scripts/test.sh on CI): nothing may be skipped.

A test that would skip because PostgreSQL, Chromium or LibreOffice is missing (or for any other reason)
fails instead, so a CI run cannot go green without running them; and a PostgreSQL pass that is not
actually talking to PostgreSQL stops at once. Loaded by tests/conftest.py; framework-free, so a test can
load it alone in a child pytest (tests/test_strict.py)."""

from __future__ import annotations

import os

import pytest


def strict() -> bool:
    return bool(os.environ.get("JINGZHUN_TEST_STRICT"))


def on_postgresql() -> bool:
    return os.environ.get("JINGZHUN_DATABASE_URL", "").startswith(("postgresql://", "postgres://"))


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("JINGZHUN_TEST_DB") == "postgresql" and not on_postgresql() and strict():
        raise pytest.UsageError(
            "JINGZHUN_TEST_DB=postgresql but JINGZHUN_DATABASE_URL is not a PostgreSQL URL: "
            "the PostgreSQL pass would run on SQLite (JINGZHUN_TEST_STRICT forbids it)"
        )


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and not on_postgresql():
        pytest.skip("needs PostgreSQL (JINGZHUN_DATABASE_URL=postgresql://…)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    outcome = yield
    report = outcome.get_result()
    if not (strict() and report.skipped) or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    report.outcome = "failed"
    report.longrepr = f"JINGZHUN_TEST_STRICT is set (CI): a skipped test fails instead — {reason}"
