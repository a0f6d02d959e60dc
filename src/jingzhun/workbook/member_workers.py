"""The 成员 rows of a big registry workbook cleaned in worker processes (PostgreSQL, CSV).

Cleaning a member row (`validate.MemberRowCleaner`: the field parsers, the Excel-mangled ID,
`validation.member_errors`) is ≈ 40 µs of Python a row, the import's bottleneck on one core while the
csv reading is ≈ 2 µs (docs/benchmarks.md "Workbook import and export"); a thread cannot share it out
(the GIL). So, as the departmental import does (`verification.dataset_workers`), an import of a CSV 成员
sheet of `MIN_ROWS` rows or more on PostgreSQL forks `workers()` processes once the 户 sheet is read (they
inherit `parsed.from_national`). Each opens the CSV itself and reads every row, and worker k cleans the
chunks of `CHUNK` rows whose index is k modulo the workers, handing each back as one list of
`validate.CleanedMember` (the cells only for a row with an error, or whose 户编号 or 证件号码 cell is not
its cleaned value). The importer's process takes the chunks strictly in file order and does the rest as
in-process (`validate._members`: the household exists, an ID seen before, the errors in row order,
`parsed.members`, the write thread's sink, progress), so the errors, their order and the result are the
in-process import's. A worker never touches the database.

A file that cannot be read (the row limit, a broken zip) is the worker's `WorkbookError` at the same row as
in-process; a worker that dies is a `WorkbookError` too (the import fails, nothing is written); a
worker's exception is raised here with its traceback. However the reading ends, every worker is ended and
reaped (`started`). xlsx stays in-process (one reader: its rows come from one zip stream). Set
`JINGZHUN_IMPORT_WORKERS` to a number of processes to override `workers()` (0: in-process).
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from jingzhun.workbook.columns import MEMBER_SHEET
from jingzhun.workbook.file_reader import SheetRows, Workbook, WorkbookError
from jingzhun.workbook.validate import MB, CleanedMember, MemberRowCleaner, Parsed, _SheetReader

MIN_ROWS = 20_000  # rows of the 成员 sheet from which it is cleaned in worker processes
CHUNK = 2000  # rows a worker cleans and hands back at once
QUEUED = 3  # chunks waiting for the importer at most, per worker
WORKERS_MAX = 2
VENDORS = ("postgresql",)
DIED = "成员表检查进程意外退出，未导入任何数据，请重新导入"


def workers() -> int:
    """Worker processes: one per core (at most WORKERS_MAX); 0 where processes cannot be forked."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    forced = os.environ.get("JINGZHUN_IMPORT_WORKERS", "")
    if forced.strip().isdigit():
        return int(forced)
    return min(os.cpu_count() or 1, WORKERS_MAX)


def _wanted(book: Workbook, reader: _SheetReader) -> int:
    return 0 if reader.rows is None else _wanted_rows(book, reader.rows)


def _wanted_rows(book: Workbook, rows: SheetRows) -> int:
    if book._xlsx is not None:  # noqa: SLF001 - xlsx: in-process
        return 0
    if rows.total < MIN_ROWS or connection.vendor not in VENDORS:
        return 0
    return workers()


@contextmanager
def started(book: Workbook, reader: _SheetReader, parsed: Parsed) -> Iterator[Iterator[CleanedMember] | None]:
    """The cleaned rows of the 成员 sheet of `reader` from worker processes, in file order, or None (the
    sheet is cleaned in-process). The workers run from here to the end of the block, ended either way."""
    count = _wanted(book, reader)
    if not count:
        yield None
        return
    pool = _Pool(
        book,
        MEMBER_SHEET,
        _registry_member(MemberRowCleaner(reader.columns, parsed.from_national)),
        count,
        limit=True,
    )
    try:
        yield pool.rows()
    finally:
        pool.close()


@contextmanager
def started_national(
    book: Workbook | None, rows: SheetRows, clean_row: Callable[[int, list[Any]], Any]
) -> Iterator[Iterator[Any] | None]:
    """A national person list's rows cleaned by worker processes (`clean_row(number, cells)`, the pure
    part of `national.NationalParser._member`), in file order, or None (in-process). The importer still
    reads the list itself (its household columns, grouped by 户编号) and so counts the row limit itself."""
    count = _wanted_rows(book, rows) if book is not None else 0
    if not count or book is None:
        yield None
        return
    pool = _Pool(book, rows.name, clean_row, count, limit=False)
    try:
        yield pool.rows()
    finally:
        pool.close()


def _work(
    k: int,
    count: int,
    source: str,
    sheet_name: str,
    seen: int,
    rows_max: int,
    clean_row: Callable[[int, list[Any]], Any],
    out: Any,
) -> None:  # pragma: no cover - runs in the forked worker (its results are tested through the import)
    """Worker k of `count`: reads the sheet `sheet_name` of `source` and puts ("rows", chunk) for each of
    its chunks (`clean_row(number, cells)` of each row), then ("end",); or ("workbook", message, the rows
    of its chunk before the failing row) / ("crash", traceback)."""
    chunk: list[Any] = []
    try:
        book = Workbook(source)
        try:
            book._rows_seen, book._rows_max = seen, rows_max  # noqa: SLF001 - the limit counts every sheet
            sheet = book.sheet(sheet_name)
            if sheet is None:
                raise WorkbookError(f"无法读取 {sheet_name}")
            position = 0
            put = out.put
            for number, cells in sheet.rows:
                mine = (position // CHUNK) % count == k
                position += 1
                if not mine:
                    continue
                chunk.append(clean_row(number, cells))
                if position % CHUNK == 0:
                    put(("rows", chunk))
                    chunk = []
            if chunk:
                put(("rows", chunk))
            put(("end",))
        finally:
            book.close()
    except WorkbookError as exc:
        out.put(("workbook", str(exc), chunk))
    except BaseException:  # noqa: BLE001 - handed to the importer, raised there
        out.put(("crash", traceback.format_exc()))


def _registry_member(cleaner: MemberRowCleaner) -> Callable[[int, list[Any]], CleanedMember]:
    clean, cell = cleaner.row, cleaner.cell
    id_i = MB["id_number"]

    def row(number: int, cells: list[Any]) -> CleanedMember:
        code, member, errors = clean(cells)
        plain = (
            errors is None
            and cell(cells, "household_code") == code
            and cell(cells, "id_number") == member[id_i]
        )
        return (number, code, member, errors, None if plain else cells)

    return row


class _Pool:
    def __init__(
        self,
        book: Workbook,
        sheet_name: str,
        clean_row: Callable[[int, list[Any]], Any],
        count: int,
        *,
        limit: bool,
    ):
        ctx = multiprocessing.get_context("fork")
        self.book, self.count, self.limit = book, count, limit
        self.queues: list[Any] = [ctx.Queue(maxsize=QUEUED) for _ in range(count)]
        self.ended = [False] * count
        # `limit`: the workers count the upload's row limit (the importer does not read the sheet itself)
        seen, rows_max = (book._rows_seen, book._rows_max) if limit else (0, 1 << 62)  # noqa: SLF001
        self.processes = [
            ctx.Process(
                target=_work,
                args=(k, count, str(book.path), sheet_name, seen, rows_max, clean_row, self.queues[k]),
                name=f"member-clean-{k}",
                daemon=True,
            )
            for k in range(count)
        ]
        for p in self.processes:
            p.start()

    def _get(self, k: int) -> Any:
        q, p = self.queues[k], self.processes[k]
        while True:
            try:
                return q.get(timeout=1.0)
            except queue_module.Empty:
                if not p.is_alive():
                    try:  # what it put just before it ended
                        return q.get(timeout=0.5)
                    except queue_module.Empty:
                        raise WorkbookError(DIED) from None

    def rows(self) -> Iterator[CleanedMember]:
        index = 0
        book = self.book
        while True:
            k = index % self.count
            message = self._get(k)
            kind = message[0]
            if kind == "end":
                self.ended[k] = True
                return
            if kind == "crash":
                raise RuntimeError("成员表检查进程出错：\n" + message[1])
            chunk = message[1] if kind == "rows" else message[2]
            if self.limit:
                book._rows_seen += len(chunk)  # noqa: SLF001 - the rows read count against the upload's limit
            yield from chunk
            if kind == "workbook":
                raise WorkbookError(message[1])
            if len(chunk) < CHUNK:  # the last chunk of the sheet
                return
            index += 1

    def close(self) -> None:
        """Every worker ended and reaped: one that has said all it will (end) is joined; any other is killed
        (the import is failing or cancelled, or the sheet ended in another worker's chunk)."""
        for k, p in enumerate(self.processes):
            if not self.ended[k]:
                p.kill()
        for p in self.processes:
            p.join()
        for q in self.queues:
            q.close()
            q.cancel_join_thread()
