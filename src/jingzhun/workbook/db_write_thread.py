"""A write transaction on a thread of its own (PostgreSQL), so an import stores rows while it still reads.

An import of a county spends about as long reading and checking its file (Python, on one core) as
PostgreSQL spends storing the rows (the server, on the other core). One after the other, each waits for
the other. With `WriteThread`, the import's main thread goes on reading the 成员 sheet while the rows it
has already checked — the members, incomes and 新识别 events of new households — go through COPY on this
thread's own connection. Everything happens in ONE transaction that commits only at the end, after every
check of the file and the registry has passed; any error, or a killed process, rolls it back, so the
import stays all-or-nothing (docs/decisions.md §11).

The thread's connection cannot see a caller's uncommitted rows, so the importer uses it only outside a
transaction (as `jingzhun registry import` and the job runner call it), never for --dry-run, and only on
PostgreSQL (SQLite has one writer at a time: holding its lock while reading would block every cadre).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, transaction

from jingzhun.workbook.db_bulk import BATCH, Table

log = logging.getLogger(__name__)
_COMMIT, _ROLLBACK, _END = object(), object(), object()
ProgressFn = Callable[[int, int, str], Any]


class _RolledBack(Exception):
    """Raised on the writer thread to leave its transaction without committing (rollback asked for, or
    the import abandoned); it ends the thread quietly, unlike any other exception."""


class RowStream:
    """Rows for one COPY, handed over from the reading thread in batches (at most a few in flight)."""

    def __init__(self, writer: WriteThread):
        self._writer = writer
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=8)
        self._batch: list[tuple[Any, ...]] = []
        self._closed = False

    def add(self, row: Any) -> None:
        self._batch.append(row)
        if len(self._batch) >= BATCH:
            self._put(self._batch)
            self._batch = []

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._batch:
            self._put(self._batch)
            self._batch = []
        self._put(_END)

    def _put(self, item: Any) -> None:
        # a failed or abandoned writer stops reading the queue: drop the rows instead of waiting forever
        writer = self._writer
        while not (writer.failed.is_set() or writer.abandoned.is_set()):
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """Consumed on the writer thread, by `Table.insert`; ends at `close`. When the import is abandoned it
        raises at once, which aborts the COPY (and skips whatever would follow it) and rolls back."""
        abandoned = self._writer.abandoned
        while True:
            if abandoned.is_set():
                raise _RolledBack
            try:
                batch = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if batch is _END:
                return
            yield from batch


class WriteThread:
    """Runs submitted functions in order on its own thread, inside one transaction on its own connection.

    `finish(commit=True)` commits after the last one and re-raises on the calling thread whatever a
    function raised (the transaction is then rolled back); `finish(commit=False)` rolls back."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._streams: list[RowStream] = []
        self.failed = threading.Event()
        self.abandoned = threading.Event()
        self.error: BaseException | None = None
        self.progress: tuple[int, int, str] | None = None
        self._finished = False
        self.committed = False
        self._thread = threading.Thread(target=self._run, name="jingzhun-import-writer", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[], Any]) -> None:
        self._jobs.put(fn)

    def stream(self, table: Table, *, row: Callable[[Any], tuple[Any, ...]] | None = None) -> RowStream:
        """A COPY into `table`, queued after what was submitted before; feed it with `add`, end it with
        `close` (or `finish`). With `row`, each item added becomes its row on this thread, as it is written
        (after the jobs submitted before, whose results it may use)."""
        rows = RowStream(self)
        self._streams.append(rows)
        self.submit(lambda: table.insert(rows.rows() if row is None else map(row, rows.rows())))
        return rows

    def report(self, done: int, total: int, message: str) -> None:
        """Progress of the writer's work, shown by the thread that waits in `finish` (a progress row written
        from here would sit invisible inside this transaction until the commit)."""
        self.progress = (done, total, message)

    def finish(self, *, commit: bool, progress: ProgressFn | None = None) -> bool:
        """Commit (or roll back) and wait for the thread; returns whether the transaction committed.

        Returns only once the thread has ended, so the caller's lock outlives the transaction. If the wait
        itself is interrupted (Ctrl-C), the commit is called off when it has not happened yet."""
        if self._finished:
            return self.committed
        if not commit:
            self.abandoned.set()
        for rows in self._streams:
            rows.close()
        self._jobs.put(_COMMIT if commit else _ROLLBACK)
        try:
            self._wait(progress)
        except BaseException:
            self.abandoned.set()  # the writer checks it before committing
            while self._thread.is_alive():
                self._thread.join(0.3)
            raise
        finally:
            self._finished = True
        if commit and self.error is not None:
            raise self.error
        return self.committed

    def _wait(self, progress: ProgressFn | None) -> None:
        shown = None
        while self._thread.is_alive():
            self._thread.join(0.3)
            if progress is not None and self.progress is not None and self.progress != shown:
                shown = self.progress
                try:
                    progress(*shown)
                except Exception:  # a progress row that cannot be written must not stop the import
                    log.warning("import progress not recorded", exc_info=True)

    def _run(self) -> None:
        try:
            with transaction.atomic():
                while (job := self._jobs.get()) is not _COMMIT:
                    if job is _ROLLBACK:
                        raise _RolledBack
                    job()
                if self.abandoned.is_set():
                    raise _RolledBack
            self.committed = True
        except _RolledBack:
            self.committed = False  # rolled back on purpose: nothing to report
        except BaseException as exc:  # re-raised by finish() on the importing thread
            self.error = exc
            self.failed.set()
        finally:
            connection.close()
