"""Registry workbook import (登记簿导入): all-or-nothing.

1. `upload_reader.parse_workbook` reads and checks every row and the cross-sheet rules: the 户 and 村 sheets,
   then the 成员 sheet. In between, the townships the file touches are locked (`workbook.lock`);
2. `plan.build_plan` compares the file with the registry and adds the rules that need the database;
3. only when there is no error at all, `db_writer.Writer` writes everything in ONE transaction, in bulk.
On PostgreSQL, outside a caller's transaction and not for --dry-run, that transaction starts on a thread of
its own once the 户 sheet is read (`workbook.db_write_thread`): new households' members, incomes and events are
written while the 成员 sheet is still being read, and the transaction commits only after step 2 found no
error — otherwise it rolls back. A national person list (one sheet: its households are known only after
its last row) takes the lock of every township in the importer's scope before its first row, and streams
the members of its new households to that thread while it is read (`_NationalStream`).
Any error → nothing is written. A process killed at any point leaves its transaction uncommitted, so the
database stays as it was; its lock rows are recognised as stale and taken over (see workbook.lock).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction

from jingzhun.accounts.access import Actor
from jingzhun.assistance.sheets import ImportExtension
from jingzhun.jobs import outbox
from jingzhun.jobs.models import Job
from jingzhun.registry.models import Household, HouseholdEvent, IncomeRecord, Member
from jingzhun.registry.services.common import IMPORTED
from jingzhun.workbook.db_bulk import analyze, batched, reserve_ids
from jingzhun.workbook.db_write_thread import WriteThread
from jingzhun.workbook.db_writer import EVENT_INSERT, HH_INSERT, INCOME_INSERT, MEMBER_INSERT, Writer
from jingzhun.workbook.exitcheck import check_exits, villages_before
from jingzhun.workbook.file_reader import Workbook, WorkbookError
from jingzhun.workbook.issues import ImportResult
from jingzhun.workbook.lock import ImportBusy, locked
from jingzhun.workbook.plan import Plan, build_plan
from jingzhun.workbook.upload_reader import parse_workbook
from jingzhun.workbook.validate import HH, MemberSink, Parsed

__all__ = ["ImportResult", "import_path"]

log = logging.getLogger(__name__)
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
    year: int | None = None,
    header_map: dict[str, str] | None = None,
) -> ImportResult:
    """Import the workbook at `path` (.xlsx, folder of CSVs, or .zip; or a national person list, .xlsx or
    .csv, docs/national-list.md) with `actor`'s scope. `year` and `header_map` (normalised header → key of
    `national_layout`) apply to a national list only."""
    started = time.monotonic()
    result = ImportResult(source=Path(path).name, dry_run=dry_run)

    def report(done: int, total: int, message: str) -> None:
        if progress:
            progress(done, total, message)

    try:
        with ExitStack() as stack:
            stack.enter_context(_cyclic_gc_paused())
            run = _Run(
                actor=actor,
                job=job,
                result=result,
                dry_run=dry_run,
                report=report,
                lock_wait_seconds=lock_wait_seconds,
                stack=stack,
            )
            with Workbook(path) as book:
                parsed = parse_workbook(
                    book,
                    actor=actor,
                    result=result,
                    progress=_reading(report),
                    after_households=run.after_households,
                    before_national_rows=run.before_national_rows,
                    year=year,
                    header_map=header_map,
                )
                assistance = ImportExtension(book, result)  # sheets 帮扶责任人, 帮扶措施 (docs/assistance.md)
            if result.ok:
                run.check_and_write(parsed, assistance)
    except WorkbookError as exc:
        result.error("", None, "", "", str(exc))
    except ImportBusy as exc:
        result.error("", None, "", "", str(exc))
    result.seconds = time.monotonic() - started
    return result


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while an import holds its rows (a million members are some ten
    million tracked tuples, dicts and lists): each full collection walks all of them, and at that size they
    add up to a minute of a one-million-person import (measured, docs/benchmarks.md). The rows hold no
    reference cycles — reference counting frees them when the import returns; what few cycles the framework
    made meanwhile are collected by the next automatic collection."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Run:
    """One import between its sheets: the township lock, taken once the 户 and 村 sheets are read; and on
    PostgreSQL the write thread (`workbook.db_write_thread`) that stores new households' rows while the 成员 sheet
    is still being read."""

    def __init__(
        self,
        *,
        actor: Actor,
        job: Job | None,
        result: ImportResult,
        dry_run: bool,
        report: Callable[[int, int, str], None],
        lock_wait_seconds: float,
        stack: ExitStack,
    ):
        self.actor, self.job, self.result, self.dry_run = actor, job, result, dry_run
        self.report, self.lock_wait_seconds, self.stack = report, lock_wait_seconds, stack
        self.held: Any = None
        self.thread: WriteThread | None = None
        self.writer: Writer | None = None
        self.streamed_ids: dict[str, int] = {}
        self.national: _NationalStream | None = None

    def before_national_rows(self, parsed: Parsed) -> _NationalStream | None:
        """A national person list, before its first row: its households are known only once its last row is
        read, so the lock covers every township of the importer's scope, taken now (on either database, so
        that the lock an import of a national list takes does not depend on the backend; a dry run locks what
        it touches once it is read, as the workbook's); then (`can_stream`) the members of new households go to
        the write thread as they are read (`_NationalStream`)."""
        if not self.result.ok or self.dry_run:
            return None
        self._lock_townships({code[:9] for code in parsed.village_names if self.actor.covers_code(code)})
        if not can_stream():
            return None
        thread = self._thread()
        writer = self._writer(parsed, Plan(), progress=thread.report, analyze_later=set())
        self.thread, self.writer = thread, writer
        self.national = _NationalStream(parsed, self.result, thread, writer)
        return self.national

    def after_households(self, parsed: Parsed) -> MemberSink | None:
        """With the 户 and 村 sheets read (a national list: with all its rows read): start writing, when this
        import can (`can_stream`)."""
        if self.national is not None:  # a national list whose members were streamed while it was read
            self.streamed_ids = self.national.finish()
            return None
        if not self.result.ok or self.dry_run or not can_stream():
            return None  # an import with errors fails whatever follows; the 成员 sheet is still checked
        self._lock(parsed)
        codes = new_household_codes(parsed)
        if not codes:
            return None
        return self._start_streaming(parsed, codes)

    def _lock(self, parsed: Parsed) -> None:
        if self.held is not None:  # a national list's lock, taken before its first row
            return
        townships = {values[HH["village_code"]][:9] for _, values in parsed.households.values()}
        townships |= {values[0][:9] for _, values in parsed.villages}
        self._lock_townships(townships)

    def _lock_townships(self, townships: set[str]) -> None:
        self.held = self.stack.enter_context(
            locked(
                townships,
                holder=_holder(self.actor, self.job),
                source=self.result.source,
                wait_seconds=self.lock_wait_seconds,
            )
        )
        self.held.heartbeat()

    def _start_streaming(self, parsed: Parsed, codes: list[str]) -> MemberSink:
        # the new households' ids are reserved on the write thread, its first job (a third of a million
        # `nextval` take seconds): the 成员 sheet is read meanwhile, its members queued as (户编号, member)
        # and given their household's id as the thread writes them, after the reservation
        ids: dict[str, int] = dict.fromkeys(codes, 0)
        thread = self._thread()
        writer = self._writer(parsed, Plan(), progress=thread.report, analyze_later=set())

        def reserve_and_write() -> None:
            ids.update(zip(codes, reserve_ids(Household, len(codes)), strict=True))
            writer.insert_incomes_and_events(codes, ids)

        thread.submit(reserve_and_write)
        member_row = writer.member_row
        stream = thread.stream(
            writer.table(Member, MEMBER_INSERT), row=lambda item: member_row(ids[item[0]], item[1])
        )
        self.thread, self.writer, self.streamed_ids = thread, writer, ids
        result = self.result

        def sink(code: str, member: tuple[Any, ...]) -> None:
            if code in ids and result.ok:  # after an error nothing will be committed
                stream.add((code, member))

        return sink

    def _thread(self) -> WriteThread:
        thread = WriteThread()
        self.stack.callback(thread.finish, commit=False)  # unless committed in check_and_write
        return thread

    def _writer(
        self,
        parsed: Parsed,
        plan: Plan,
        *,
        progress: Callable[..., Any],
        analyze_later: set[str] | None = None,
    ) -> Writer:
        return Writer(
            parsed=parsed,
            plan=plan,
            user=self.actor.user,
            job_id=self.job.pk if self.job else None,
            source=self.result.source,
            progress=progress,
            analyze_later=analyze_later,
        )

    def check_and_write(self, parsed: Parsed, assistance: ImportExtension) -> None:
        """Compare with the registry under the lock, then write (or, with any error, roll back)."""
        result = self.result
        if self.held is None:
            self._lock(parsed)
        self.report(0, 1, "核对登记簿")
        plan = build_plan(parsed, actor=self.actor, result=result, progress=self.report)
        assistance.check(file_codes=set(parsed.households), actor=self.actor, result=result)
        for code in self.streamed_ids.keys() & plan.existing.keys():
            number = parsed.households[code][0]
            result.error(
                parsed.sheet,
                number,
                "户编号",
                code,
                "导入期间该户编号已由他人登记，未写入任何数据，请重新导入",
            )
        self.held.heartbeat()
        if not result.ok or self.dry_run:
            return
        total = len(parsed.households)
        self.report(0, total, "写入数据库")
        job_id = self.job.pk if self.job else None
        villages_were = villages_before(parsed)

        def exits_checked() -> None:  # in the import's transaction, after its rows (workbook.exitcheck)
            check_exits(
                parsed=parsed,
                plan=plan,
                villages_were=villages_were,
                actor=self.actor,
                result=result,
                job_id=job_id,
            )

        reactions: list[int] = []

        def imported() -> (
            None
        ):  # in the import's transaction: its reactions exist iff it commits (jobs.outbox)
            jobs = outbox.publish(
                IMPORTED,
                {"prefixes": list(self.actor.prefixes), "label": f"导入后重新评估：{result.source}"},
                created_by=self.actor.user,
            )
            reactions.extend(job.pk for job in jobs)

        with _write_conflicts_as_errors(result):
            if self.thread is not None and self.writer is not None:
                writer = self.writer
                writer.plan = plan

                def write_rest() -> None:
                    if self.national is not None:  # its new households are written already
                        writer.audit_created(self.streamed_ids)
                    else:
                        writer.insert_households_with_ids(self.streamed_ids)
                    writer.update_existing()
                    result.villages_updated = writer.update_villages()
                    assistance.write(actor=self.actor, job_id=job_id)
                    exits_checked()
                    imported()
                    writer.flush_audit()  # last: see workbook.write

                self.thread.submit(write_rest)
                result.written = self.thread.finish(commit=True, progress=self.report)
            else:
                with transaction.atomic():
                    writer = self._writer(parsed, plan, progress=self.report)
                    writer.insert_new()
                    writer.update_existing()
                    result.villages_updated = writer.update_villages()
                    assistance.write(actor=self.actor, job_id=job_id)
                    exits_checked()
                    imported()
                    writer.flush_audit()
                result.written = True
        if not result.written:
            return
        outbox.note(reactions)  # written on the write thread: run by this thread's reactions_run()
        if self.writer is not None and self.writer.analyze_later:
            _refresh_statistics(self.writer.analyze_later)
        self.report(total, total, "完成")


class _NationalStream:
    """A national list's new households, written on the write thread while the list is read (PostgreSQL).

    Rows of one 户编号 need not be next to each other (the spec does not say they are), so a household is
    classified when its first row is read, in batches of `CLASSIFY_BATCH` first-seen 户编号: those not in
    the registry get an id reserved (`db_bulk.reserve_ids`, in the order of their first rows). A new
    household is written once it is complete — as many rows as its 人数 and one 户主 (`national.RowSink`;
    a later row of the same 户编号 is an error of 人数, and nothing is committed) — or, if never complete,
    after the last row: its household row, then its members, income and 新识别 event, in COPY batches of
    `FLUSH_BATCH` households queued on the write thread (at most `IN_FLIGHT` batches waiting: the reading
    never gets far ahead of the database). The foreign keys are checked as the rows arrive
    (`SET CONSTRAINTS ALL IMMEDIATE`: every row follows the rows it refers to), so the server checks them
    while the list is still read instead of all at the commit. A 户编号 already in the registry is never
    written here: it is compared and updated after the reading, as in the registry workbook; the audit
    entries are written last, after every check (`Writer.audit_created`, `flush_audit`). After the first
    error nothing more is written (the transaction will be rolled back); `check_and_write` reports a
    streamed 户编号 that another import registered meanwhile."""

    CLASSIFY_BATCH = 2000
    FLUSH_BATCH = 2000
    IN_FLIGHT = 4

    def __init__(self, parsed: Parsed, result: ImportResult, thread: WriteThread, writer: Writer):
        self.parsed, self.result, self.thread, self.writer = parsed, result, thread, writer
        self.ids: dict[str, int] = {}  # new households → reserved id, in order of their first row
        self.existing: set[str] = set()
        self.pending: dict[str, None] = {}  # first seen, not classified yet
        self.complete_pending: set[str] = set()  # complete before they were classified
        self.written: set[str] = set()
        self.batch: list[str] = []
        self.slots = threading.Semaphore(self.IN_FLIGHT)
        self.tables = (
            writer.table(Household, ("id", *HH_INSERT)),
            writer.table(Member, MEMBER_INSERT),
            writer.table(IncomeRecord, INCOME_INSERT),
            writer.table(HouseholdEvent, EVENT_INSERT),
        )
        thread.submit(_constraints_immediate)

    def add(self, code: str, member: tuple[Any, ...]) -> None:
        """One member row, already in `parsed.members`: classify its household when first seen."""
        if code in self.ids or code in self.existing or code in self.pending or not self.result.ok:
            return
        self.pending[code] = None
        if len(self.pending) >= self.CLASSIFY_BATCH:
            self._classify()

    def complete(self, code: str) -> None:
        if code in self.ids:
            self._write(code)
        elif code in self.pending:
            self.complete_pending.add(code)

    def _classify(self) -> None:
        codes, self.pending = list(self.pending), {}
        if not codes or not self.result.ok:
            return
        found = set(Household.objects.filter(code__in=codes).values_list("code", flat=True))
        self.existing |= found
        new = [code for code in codes if code not in found]
        if new:
            self.ids.update(zip(new, reserve_ids(Household, len(new)), strict=True))
            for code in new:
                if code in self.complete_pending:
                    self._write(code)
        self.complete_pending.clear()

    def _write(self, code: str) -> None:
        if code in self.written or not self.result.ok:
            return
        self.written.add(code)
        self.batch.append(code)
        if len(self.batch) >= self.FLUSH_BATCH:
            self._flush()

    def _flush(self) -> None:
        codes, self.batch = self.batch, []
        if not codes or not self.result.ok:
            return
        writer, ids, members = self.writer, self.ids, self.parsed.members
        households = [(ids[code], *writer.household_row(code)) for code in codes]
        member_rows = [writer.member_row(ids[code], m) for code in codes for _, m in members.get(code, ())]
        incomes = [row for code in codes if (row := writer.income_row(code, ids[code])) is not None]
        events = [writer.event_row(code, ids[code]) for code in codes]
        thread = self.thread
        while not self.slots.acquire(timeout=0.1):
            if thread.failed.is_set() or thread.abandoned.is_set():
                return  # nothing will be committed: stop queueing
        slots, tables = self.slots, self.tables

        def write() -> None:
            try:
                for table, rows in zip(tables, (households, member_rows, incomes, events), strict=True):
                    table.insert(rows)
            finally:
                slots.release()

        thread.submit(write)

    def finish(self) -> dict[str, int]:
        """Every row read: the last batch classified, the households never complete (no 人数) written, the
        last batch queued; the new households' reserved ids."""
        self._classify()
        for code in self.ids:
            self._write(code)
        self._flush()
        return self.ids


def _constraints_immediate() -> None:
    """On the write thread: foreign keys checked row by row as the COPY goes (see `_NationalStream`)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _refresh_statistics(tables: set[str]) -> None:
    """ANALYZE after a streamed import's commit (db_bulk.analyze). Statistics only speed up the queries that
    follow; if they cannot be gathered now, autovacuum gathers them later, and the import stands."""
    try:
        analyze(tables)
    except DatabaseError:
        log.warning("ANALYZE after import failed", exc_info=True)


def can_stream() -> bool:
    """Rows may go to the database while the file is read (`workbook.db_write_thread`): PostgreSQL, called outside
    any transaction (whose uncommitted rows another connection could not see)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def new_household_codes(parsed: Parsed) -> list[str]:
    """The file's 户编号 not yet in the registry, in file order."""
    if not Household.objects.exists():
        return list(parsed.households)
    existing: set[str] = set()
    for codes in batched(parsed.households.keys(), 2000):
        existing.update(Household.objects.filter(code__in=codes).values_list("code", flat=True))
    return [code for code in parsed.households if code not in existing]


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
