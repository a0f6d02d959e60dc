"""Registry workbook import (登记簿导入): all-or-nothing.

1. `validate.parse_workbook` reads and checks every row and the cross-sheet rules (no writes);
2. the townships the file touches are locked (`workbook.lock`), and `plan.build_plan` compares the file with
   the registry and adds the rules that need the database;
3. only when there is no error at all, `write.Writer` writes everything in ONE transaction, in bulk.
Any error → nothing is written. A process killed during step 3 leaves its transaction uncommitted, so the
database stays as it was; its lock rows are recognised as stale and taken over (see workbook.lock).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import IntegrityError, OperationalError, transaction

from jingzhun.accounts.access import Actor
from jingzhun.assistance.sheets import ImportExtension
from jingzhun.jobs.models import Job
from jingzhun.workbook.issues import ImportResult
from jingzhun.workbook.lock import ImportBusy, locked
from jingzhun.workbook.plan import build_plan
from jingzhun.workbook.reader import Workbook, WorkbookError
from jingzhun.workbook.validate import HH, parse_workbook
from jingzhun.workbook.write import Writer

__all__ = ["ImportResult", "import_path"]

ProgressFn = Callable[..., Any]
LOCK_WAIT_SECONDS = 30.0


def _holder(actor: Actor, job: Job | None) -> str:
    user = actor.user
    name = (getattr(user, "display_name", "") or getattr(user, "username", "")) if user else "系统"
    return f"{name}（任务 #{job.pk}）" if job is not None else name


def import_path(
    path: str,
    *,
    actor: Actor,
    dry_run: bool = False,
    job: Job | None = None,
    progress: ProgressFn | None = None,
    lock_wait_seconds: float = LOCK_WAIT_SECONDS,
) -> ImportResult:
    """Import the workbook at `path` (.xlsx, folder of CSVs, or .zip) with `actor`'s scope."""
    started = time.monotonic()
    result = ImportResult(source=Path(path).name, dry_run=dry_run)

    def report(done: int, total: int, message: str) -> None:
        if progress:
            progress(done, total, message)

    try:
        with Workbook(path) as book:
            parsed = parse_workbook(book, actor=actor, result=result, progress=_reading(report))
            assistance = ImportExtension(book, result)  # sheets 帮扶责任人, 帮扶措施 (docs/assistance.md)
    except WorkbookError as exc:
        result.error("", None, "", "", str(exc))
        result.seconds = time.monotonic() - started
        return result
    if not result.ok:
        result.seconds = time.monotonic() - started
        return result
    townships = {values[HH["village_code"]][:9] for _, values in parsed.households.values()}
    townships |= {values[0][:9] for _, values in parsed.villages}
    try:
        with locked(
            townships, holder=_holder(actor, job), source=result.source, wait_seconds=lock_wait_seconds
        ) as held:
            held.heartbeat()
            report(0, 1, "核对登记簿")
            plan = build_plan(parsed, actor=actor, result=result, progress=report)
            assistance.check(file_codes=set(parsed.households), actor=actor, result=result)
            held.heartbeat()
            if result.ok and not dry_run:
                total = len(parsed.households)
                report(0, total, "写入数据库")
                with _write_conflicts_as_errors(result), transaction.atomic():
                    writer = Writer(
                        parsed=parsed,
                        plan=plan,
                        user=actor.user,
                        job_id=job.pk if job else None,
                        source=result.source,
                        progress=report,
                    )
                    writer.insert_new()
                    writer.update_existing()
                    result.villages_updated = writer.update_villages()
                    assistance.write(actor=actor, job_id=job.pk if job else None)
                result.written = result.ok
                report(total, total, "完成")
    except ImportBusy as exc:
        result.error("", None, "", "", str(exc))
    result.seconds = time.monotonic() - started
    return result


@contextmanager
def _write_conflicts_as_errors(result: ImportResult) -> Iterator[None]:
    """A write refused by the database (a concurrent import registered the same person or 户编号 first, or
    held the SQLite database too long) rolls everything back and becomes an error, not a crash."""
    try:
        yield
    except IntegrityError as exc:
        result.error(
            "",
            None,
            "",
            "",
            f"写入时与同时进行的另一次登记冲突（同一人或同一户编号），未写入任何数据，请重新导入：{exc}",
        )
    except OperationalError as exc:
        result.error(
            "", None, "", "", f"数据库正忙（另一个导入正在写入），未写入任何数据，请稍后重新导入：{exc}"
        )


def _reading(report: Callable[[int, int, str], None]) -> ProgressFn:
    """Reading progress: rows are counted as they stream (the total is not known in advance)."""

    def show(done: int, total: int, message: str) -> None:
        report(done, max(total, done), message)

    return show
