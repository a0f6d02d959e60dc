"""The row checks of a big departmental import in worker processes (部门数据导入, ≥ 100,000 rows/s).

The check of a row (`verification.dataset_rows`: ID, required cells, typed columns, fingerprint, JSON)
is Python, ≈ 6–10 µs of CPU a row: in one process it is the import's bottleneck, and a thread cannot
share it out (the GIL). So a big import forks worker processes, each of which opens the file itself
and checks whole sheets (the biggest first), handing back batches ready for the database — on
PostgreSQL the rows already as `COPY … FROM STDIN` text, which the importer's own process only passes
through the import's connection, in its one transaction. On SQLite the importer's process would have to
bind every row itself (≈ 6 µs a row, holding its GIL), so there each worker stores its rows itself, in a
scratch SQLite file of its own (`Scratch`: a copy of the records table, no journal, no sync), and the
importer copies each file into the records table with one `INSERT … SELECT *`, record by record in C
(SQLite's transfer optimisation: the stored records are not even decoded). The rows of a sheet reach
the database in the sheet's order (one worker per sheet, its batches in order; on SQLite the ids of a
batch are taken from one counter shared by the workers, so they rise with the rows as the importer's
own ids would).

All-or-nothing as before: a worker reports its errors (sheet, row, column) with every batch; after the
first error anywhere (a shared flag) no worker hands back or stores rows, every row is still checked so
the report lists every error, and the importer rolls the transaction back. A worker never touches the
database; its scratch file is in the import's private folder, removed by the importer whatever happens.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import sqlite3
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from jingzhun.rules.datasets import RECORD_COLUMNS, SPEC_BY_NAME
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


@dataclass(frozen=True)
class Scratch:
    """SQLite: where the workers store their rows. Worker n writes `path(n)`, one table made by `create`
    (the records table's own CREATE TABLE: the same columns, types and checks, so that the importer's
    `INSERT … SELECT *` copies the records as they are stored), with the ids of `next_id`, a counter
    shared by the workers (each batch takes its run of ids: they rise with the rows of a sheet)."""

    folder: str
    create: str
    table: str  # the records table's quoted name (the same in the scratch file)
    columns: str  # the quoted record columns, RECORD_COLUMNS order
    first_id: int  # the import's first record id

    def path(self, worker: int) -> str:
        return os.path.join(self.folder, f"records-{worker}.sqlite3")


class _ScratchFile:
    """A worker's scratch file (`Scratch`), one transaction while the worker runs, no journal, no sync:
    it only lives until the importer has copied it (a crash leaves nothing anyone reads)."""

    def __init__(self, scratch: Scratch, worker: int, next_id: Any):
        self.next_id = next_id
        self.path = scratch.path(worker)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "foreign_keys = OFF"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute(scratch.create)
        self.db.execute("BEGIN")
        marks = ", ".join(["?"] * len(RECORD_COLUMNS))
        self.insert_first = f"INSERT INTO {scratch.table} (id, {scratch.columns}) VALUES (?, {marks})"
        # the rest of a batch takes the ids after its first one (a rowid table: the greatest id + 1)
        self.insert = f"INSERT INTO {scratch.table} ({scratch.columns}) VALUES ({marks})"

    def write(self, batch: list[Any]) -> None:
        with self.next_id.get_lock():
            first = self.next_id.value
            self.next_id.value = first + len(batch)
        self.db.execute(self.insert_first, (first, *batch[0]))
        self.db.executemany(self.insert, batch[1:])

    def close(self) -> None:
        self.db.execute("COMMIT")
        self.db.close()


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
    tasks: Any, out: Any, failed: Any, copy: bool, scratch: Scratch | None, worker: int, next_id: Any
) -> None:  # pragma: no cover - runs in the forked worker (its results are tested through the import)
    """A worker: checks the sheets of `tasks` until it gets None, putting on `out`
    ("rows", order, rows read, rows checked good, rows-or-bytes or None, new errors, new error count)
    per batch, then ("stop", worker) (with `scratch`: once its file holds every row it stored); or
    ("workbook", message) / ("crash", traceback) and stops."""
    memos: dict[Any, Any] = {}
    try:
        sink = _ScratchFile(scratch, worker, next_id) if scratch is not None else None
        while (task := tasks.get()) is not None:
            _sheet(task, out, failed, copy, memos, sink)
        if sink is not None:
            sink.close()
        out.put(("stop", worker))
    except WorkbookError as exc:
        failed.set()
        out.put(("workbook", str(exc)))
    except BaseException:  # noqa: BLE001 - handed to the importer, raised there
        failed.set()
        out.put(("crash", traceback.format_exc()))


def _sheet(
    task: Task, out: Any, failed: Any, copy: bool, memos: dict[Any, Any], sink: _ScratchFile | None
) -> None:
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
            if sink is not None and payload:
                sink.write(payload)
                payload = None  # stored: only the counts go back
            read, seen = book._rows_seen - seen, book._rows_seen  # noqa: SLF001
            out.put(("rows", task.order, read, len(batch), payload, errors, result.total_errors - reported))
            sent, reported = len(result.errors), result.total_errors
            if len(batch) < BATCH:
                break
    finally:
        book.close()


class Pool:
    """The worker processes of one import: `run(tasks, on_batch, failed_now, on_stop)` feeds them the
    sheets and calls `on_batch(order, read, rows, rows_or_bytes, errors, error_count)` in this process
    for every batch (with `scratch`, rows_or_bytes is None when the worker has stored the rows in its
    scratch file), and `on_stop(worker)` when a worker is done (its scratch file complete) — the
    others may still be working meanwhile."""

    def __init__(self, workers: int, *, copy: bool, scratch: Scratch | None = None):
        self.context = multiprocessing.get_context("fork")
        self.workers = workers
        self.copy = copy
        self.scratch = scratch

    def run(
        self,
        tasks: list[Task],
        on_batch: Callable[..., None],
        failed_now: Callable[[], bool],
        on_stop: Callable[[int], None] | None = None,
    ) -> None:
        ctx = self.context
        todo: Any = ctx.Queue()
        # the batches waiting hold rows: a few per worker; with scratch files only counts (unbounded, so
        # that no worker waits while this process copies a finished worker's file)
        out: Any = ctx.Queue(maxsize=0 if self.scratch is not None else QUEUED_PER_WORKER * self.workers)
        failed = ctx.Event()
        next_id = ctx.Value("q", self.scratch.first_id if self.scratch is not None else 0)
        for task in tasks:
            todo.put(task)
        for _ in range(self.workers):
            todo.put(None)
        processes = [
            ctx.Process(
                target=_work,
                args=(todo, out, failed, self.copy, self.scratch, n, next_id),
                name=f"dataset-check-{n}",
                daemon=True,
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
                    if on_stop is not None:
                        on_stop(message[1])
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
