"""The row checks of a big departmental import in worker processes (部门数据导入, ≥ 100,000 rows/s).

The check of a row (`verification.dataset_rows`: ID, required cells, typed columns, fingerprint, JSON)
is Python, ≈ 6–10 µs of CPU a row: in one process it is the import's bottleneck, and a thread cannot
share it out (the GIL). So a big import forks worker processes, each of which opens the file itself
and checks whole sheets (the biggest first), handing back batches ready for the database — on
PostgreSQL the rows already as `COPY … FROM STDIN` text, on SQLite the rows as tuples — while the
importer's own process only writes them through the import's connection, in its one transaction. The
rows of a sheet reach the database in the sheet's order (one worker per sheet, its batches in order).

All-or-nothing as before: a worker reports its errors (sheet, row, column) with every batch; after the
first error anywhere (a shared flag) no worker hands back rows, every row is still checked so the report
lists every error, and the importer rolls the transaction back. A worker never touches the database.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from jingzhun.rules.datasets import SPEC_BY_NAME
from jingzhun.verification.dataset_rows import SheetRows
from jingzhun.workbook.file_reader import Workbook, WorkbookError
from jingzhun.workbook.issues import ImportResult

BATCH = 5000  # rows per batch handed back
QUEUED_PER_WORKER = 3  # batches waiting for the writer at most, per worker (memory stays a few MB)
WORKERS_MAX = 4


def workers_for(sheets: int) -> int:
    """Worker processes for an import of `sheets` sheets: one per core (at most WORKERS_MAX), no more
    than there are sheets; 0 where processes cannot be forked (the import then checks in-process)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return max(0, min(sheets, os.cpu_count() or 1, WORKERS_MAX))


@dataclass(frozen=True)
class Task:
    order: int  # the sheet's place in the import
    source: str  # what `Workbook` opens: the folder, the .xlsx or the .zip
    sheet: str  # the sheet's (normalised) name in it
    dataset: str  # the dataset it is (`rules.datasets.SPEC_BY_NAME`)
    dataset_id: int
    rows_max: int
    total: int = 0  # its rows, about (to give out the biggest sheets first)


_COPY_NULL = "\x00"  # stands for NULL while a line is built: a cell never holds NUL (csv and xlsx refuse it)


def _copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_text(rows: list[Any]) -> bytes:
    """`rows` as the text format of PostgreSQL's COPY: tab-separated, `\\N` for NULL, a backslash, tab,
    newline or carriage return inside a value escaped, a newline after every row. A row may already be
    its line (`SheetRows.records` with `copy`); a tuple with none of them is joined as it is, any other
    escaped value by value."""
    lines: list[str] = []
    append = lines.append
    null = _COPY_NULL
    for row in rows:
        if row.__class__ is str:
            append(row)
            continue
        parts = [null if v is None else v if v.__class__ is str else str(v) for v in row]
        line = "\t".join(parts)
        if "\\" in line or "\n" in line or "\r" in line or line.count("\t") != len(parts) - 1:
            line = "\t".join(["\\N" if v is None else _copy_escape(str(v)) for v in row])
        else:
            line = line.replace(null, "\\N")
        append(line + "\n")
    return "".join(lines).encode("utf-8")


def _work(
    tasks: Any, out: Any, failed: Any, copy: bool
) -> None:  # pragma: no cover - runs in the forked worker (its results are tested through the import)
    """A worker: checks the sheets of `tasks` until it gets None, putting on `out`
    ("rows", order, rows read, rows checked good, rows-or-bytes, new errors, new error count) per batch, then ("stop",); or ("workbook", message) / ("crash", traceback) and stops."""
    memos: dict[Any, Any] = {}
    try:
        while (task := tasks.get()) is not None:
            _sheet(task, out, failed, copy, memos)
        out.put(("stop",))
    except WorkbookError as exc:
        failed.set()
        out.put(("workbook", str(exc)))
    except BaseException:  # noqa: BLE001 - handed to the importer, raised there
        failed.set()
        out.put(("crash", traceback.format_exc()))


def _sheet(task: Task, out: Any, failed: Any, copy: bool, memos: dict[Any, Any]) -> None:
    book = Workbook(task.source)
    try:
        book._rows_max = task.rows_max  # noqa: SLF001 - the departmental cap, not the registry's
        sheet = book.sheet(task.sheet)
        if sheet is None:
            raise WorkbookError(f"无法读取 {task.sheet}")
        result = ImportResult()
        plan = SheetRows(SPEC_BY_NAME[task.dataset], sheet.header, result, memos)

        def writing() -> bool:
            return result.ok and not failed.is_set()

        records = plan.records(sheet.rows, task.dataset_id, writing, copy=copy)
        seen = 0  # rows read (the reader counts them)
        sent = reported = 0
        while True:  # a batch shorter than BATCH: the sheet is done
            batch = list(islice(records, BATCH))
            errors = result.errors[sent:]
            if errors:
                failed.set()
            payload: Any = [] if failed.is_set() else copy_text(batch) if copy else batch
            read, seen = book._rows_seen - seen, book._rows_seen  # noqa: SLF001
            out.put(("rows", task.order, read, len(batch), payload, errors, result.total_errors - reported))
            sent, reported = len(result.errors), result.total_errors
            if len(batch) < BATCH:
                break
    finally:
        book.close()


class Pool:
    """The worker processes of one import: `run(tasks, on_batch)` feeds them the sheets and calls
    `on_batch(order, read, rows, rows_or_bytes, errors, error_count)` in this process for every batch."""

    def __init__(self, workers: int, *, copy: bool):
        self.context = multiprocessing.get_context("fork")
        self.workers = workers
        self.copy = copy

    def run(self, tasks: list[Task], on_batch: Callable[..., None], failed_now: Callable[[], bool]) -> None:
        ctx = self.context
        todo: Any = ctx.Queue()
        out: Any = ctx.Queue(maxsize=QUEUED_PER_WORKER * self.workers)
        failed = ctx.Event()
        for task in tasks:
            todo.put(task)
        for _ in range(self.workers):
            todo.put(None)
        processes = [
            ctx.Process(
                target=_work, args=(todo, out, failed, self.copy), name=f"dataset-check-{n}", daemon=True
            )
            for n in range(self.workers)
        ]
        for p in processes:
            p.start()
        running = len(processes)
        try:
            while running:
                try:
                    message = out.get(timeout=1.0)
                except queue_module.Empty:
                    if not any(p.is_alive() for p in processes) and out.empty():
                        raise RuntimeError("部门数据检查进程意外退出") from None
                    continue
                kind = message[0]
                if kind == "rows":
                    on_batch(*message[1:])
                    if failed_now():
                        failed.set()
                elif kind == "stop":
                    running -= 1
                elif kind == "workbook":
                    raise WorkbookError(message[1])
                elif kind == "crash":
                    raise RuntimeError("部门数据检查进程出错：\n" + message[1])
        finally:
            failed.set()
            for p in processes:
                if p.is_alive() and running:
                    p.kill()  # an error here: the workers' rows are not wanted any more
            for p in processes:
                p.join()
            out.close()
            todo.close()
