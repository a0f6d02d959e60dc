"""Import of departmental datasets (部门数据导入, spec/verification.md §2).

All-or-nothing over everything given at once: one transaction; any error (a missing required column,
an Excel-mangled ID, an unknown dataset, a date that does not parse, …) rolls it all back, and the
errors name the sheet, the row as Excel shows it and the column, as the registry's error report does.
Each dataset imported replaces the county's previous copy of it, keeping who imported it and when.

Sized for ten million rows (the issue's ≥ 100,000 rows/s, `bench/dept_import.py`), the load path is one
streaming pass per sheet: the reader's rows go through the sheet's compiled checks
(`verification.dataset_rows`: memoised parsers per typed column) straight into the bulk writer
(`verification.dataset_writer`: executemany on SQLite, COPY on PostgreSQL) — the file is never held; a
big import checks its sheets in worker processes (`verification.dataset_workers`; on SQLite each worker
stores its rows in a scratch file of its own, copied in by one statement). A
parse error stops the writing but not the checking, so the report lists every error, and the
transaction is rolled back at the end. On PostgreSQL the records are partitioned by dataset: each
dataset's new copy is copied into a fresh table of its own, indexed, and swapped in for the previous
copy's partition at the end (`verification.dataset_partitions`) — no row is deleted and no index is built
over any other rows. On SQLite a big import drops the record indexes and builds them once at the end;
the previous copies are deleted in one statement after the new rows are in (their rows are those of the
dataset with an id up to the table's greatest id when the import took the dataset)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from jingzhun.core import audit
from jingzhun.rules.datasets import SPEC_BY_NAME, SPECS
from jingzhun.verification.dataset_partitions import Partitions, partitioned
from jingzhun.verification.dataset_rows import SheetRows, digest
from jingzhun.verification.dataset_workers import Pool, Task, workers_for
from jingzhun.verification.dataset_writer import (
    RecordWriter,
    check_foreign_keys,
    detach_scratch,
    free_attach_slots,
    max_record_id,
    sqlite_foreign_keys_by_the_import,
)
from jingzhun.verification.models import Dataset, DatasetRecord
from jingzhun.verification.sources import rows_max, sheets
from jingzhun.workbook.columns import normalize_header
from jingzhun.workbook.file_reader import WorkbookError
from jingzhun.workbook.issues import ERROR_CAP, ImportResult
from jingzhun.workbook.upload_limits import rows_message

PROGRESS_EVERY = 20_000
ProgressFn = Callable[[int, int, str], Any]


class _Rollback(Exception):
    """Raised inside the transaction when the import found errors: nothing is kept."""


@dataclass
class DatasetImport:
    """Outcome: the errors (in the registry report's form) and the rows of each dataset written."""

    result: ImportResult = field(default_factory=ImportResult)
    datasets: dict[str, int] = field(default_factory=dict)  # 数据集 → rows

    @property
    def ok(self) -> bool:
        return self.result.ok

    def to_dict(self) -> dict[str, Any]:
        return {**self.result.to_dict(), "datasets": dict(self.datasets)}


def county_code(actor: Any = None) -> str:
    """The county whose copy is replaced: the importer's own county, or the installation's county."""
    from jingzhun.regions.home import home_county_code

    for prefix in getattr(actor, "prefixes", ()) or ():
        if len(prefix) >= 6:
            return prefix[:6]
    return home_county_code()[:6]


def fingerprint(dataset: str, values: dict[str, str]) -> str:
    """Stable across re-imports of the same row, whatever the column order of the file: the dataset's
    own columns in the spec's order, then any other columns by (normalised) header."""
    labels = [normalize_header(label) for label in SPEC_BY_NAME[dataset].labels]
    known = [values.get(label, "") for label in labels]
    extra = [f"{k}={values[k]}" for k in sorted(values) if k not in labels]
    return digest([dataset, *known, *extra])


def import_datasets(
    paths: list[str],
    *,
    actor: Any = None,
    user: Any = None,
    file_name: str = "",
    progress: ProgressFn | None = None,
    job_id: int | None = None,
) -> DatasetImport:
    """Import every dataset in `paths`; nothing is written when anything is wrong."""
    outcome = DatasetImport()
    result = outcome.result
    started = time.monotonic()
    county = county_code(actor)
    detach_scratch()  # an earlier import's, inside a transaction that has ended since
    try:
        with sqlite_foreign_keys_by_the_import() as unchecked, transaction.atomic(), ExitStack() as stack:
            _import(paths, stack, outcome, county, user, file_name, progress)
            if not result.ok:
                raise _Rollback
            if unchecked:
                check_foreign_keys(
                    Dataset.objects.filter(county_code=county, name__in=list(outcome.datasets)).values_list(
                        "pk", flat=True
                    )
                )
            for name, rows in outcome.datasets.items():
                audit.record(
                    actor=user,
                    action="verification.dataset_import",
                    object_type="dataset",
                    object_id=name,
                    object_label=name,
                    after={"rows": rows, "file": file_name or ", ".join(paths), "county": county},
                    job_id=job_id,
                )
    except _Rollback:
        outcome.datasets = {}
    except WorkbookError as exc:
        result.error("", None, "", "", str(exc))
        outcome.datasets = {}
    finally:
        detach_scratch()
    result.written = result.ok and bool(outcome.datasets)
    result.seconds = time.monotonic() - started
    return outcome


def _import(
    paths: list[str],
    stack: ExitStack,
    outcome: DatasetImport,
    county: str,
    user: Any,
    file_name: str,
    progress: ProgressFn | None,
) -> None:
    result = outcome.result
    writer = stack.enter_context(RecordWriter())
    seen: dict[str, str] = {}
    replaced: dict[int, int] = {}  # Dataset id → greatest record id of its previous copy (at most)
    now = timezone.now()
    done = 0
    indexes = _Indexes()
    planned: list[tuple[Any, SheetRows]] = []
    memos: dict[Any, Any] = {}  # the typed columns' parsers, shared by the sheets
    for sheet in sheets(paths, stack):  # every sheet's header first: the import's size is known
        spec = SPEC_BY_NAME.get(sheet.name)
        if spec is None:
            result.error(
                sheet.name,
                None,
                "",
                sheet.file,
                f"未知的数据集“{sheet.name}”（文件 {sheet.file}），工作表或 CSV 文件名应为："
                + "、".join(s.name for s in SPECS),
            )
            continue
        if spec.name in seen:
            result.error(
                spec.name,
                None,
                "",
                sheet.file,
                f"数据集“{spec.name}”重复出现（{seen[spec.name]} 和 {sheet.file}）",
            )
            continue
        seen[spec.name] = sheet.file
        plan = SheetRows(spec, sheet.rows.header, result, memos)
        if not plan.missing:
            planned.append((sheet, plan))
    incoming = sum(s.rows.total for s, _ in planned)
    # PostgreSQL: each dataset's new copy goes into a new table of its own, swapped in for the previous
    # copy's partition at the end (`verification.dataset_partitions`); SQLite: into the records table
    parts = Partitions() if result.ok and planned and partitioned() else None
    if result.ok and parts is None:
        indexes.maybe_drop([p.spec.name for _, p in planned], incoming, county)
    workers = 0
    if result.ok and incoming >= PARALLEL_MIN_ROWS and connection.vendor in PARALLEL_VENDORS:
        workers = workers_for(len(planned))
        if connection.vendor == "sqlite":  # one attached scratch file a worker; none left: in process
            workers = min(workers, free_attach_slots())
    if workers and all(s.source for s, _ in planned):
        tasks = []
        tables: dict[int, str | None] = {}
        bound = max_record_id() if parts is None else 0  # the previous copies' rows all have an id up to it
        for order, (sheet, plan) in enumerate(planned):
            dataset = _replace(county, plan.spec.name, plan.columns, user, file_name or sheet.file, now)
            replaced[dataset.pk] = bound
            tables[order] = parts.table(dataset.pk) if parts is not None else None
            tasks.append(
                Task(
                    order, sheet.source, sheet.name, plan.spec.name, dataset.pk, rows_max(), sheet.rows.total
                )
            )
        _write_parallel(tasks, workers, writer, outcome, progress, tables)
        planned = []  # written
    for sheet, plan in planned:
        spec = plan.spec
        dataset_id = 0
        table = None
        if result.ok:  # else only checked: nothing will be kept
            dataset = _replace(county, spec.name, plan.columns, user, file_name or sheet.file, now)
            dataset_id = dataset.pk
            if parts is not None:
                table = parts.table(dataset_id)
            else:
                replaced[dataset_id] = max_record_id()
        before = result.total_errors
        count = 0

        def counted(
            rows: Iterator[tuple[Any, ...]], total: int = sheet.rows.total
        ) -> Iterator[tuple[Any, ...]]:
            nonlocal count, done
            for row in rows:
                count += 1
                done += 1
                if progress is not None and not done % PROGRESS_EVERY:
                    # a job's progress row goes through the import's connection: between two COPYs
                    writer.report(progress, done, done + max(total - count, 0), f"已读取 {done:,} 条记录")
                yield row

        writer.write(counted(plan.records(sheet.rows.rows, dataset_id, lambda: result.ok)), table)
        writer.written += count
        if result.total_errors == before and result.ok:
            Dataset.objects.filter(pk=dataset_id).update(row_count=count)
            outcome.datasets[spec.name] = count
    if result.ok:
        if parts is not None:
            parts.swap()
        else:
            _delete_previous(replaced, bulk=indexes.dropped)
            indexes.restore()
        writer.finish()


# Checked in worker processes (`verification.dataset_workers`) from this many rows on: below it the
# processes' start costs more than the second core gives back.
PARALLEL_MIN_ROWS = 20_000
# Both databases. PostgreSQL: the server stores the rows on its own, so this process only passes the
# workers' COPY text on. SQLite: each worker also binds and stores its rows itself (≈ 6 µs a row, on
# its own GIL), in a scratch file of its own that this process copies in with one statement as soon as
# the worker is done (`RecordWriter.absorb`); handing the rows back to this process to insert was slower
# than the in-process path (the unpickling on top of the insert, docs/benchmarks.md).
PARALLEL_VENDORS = ("postgresql", "sqlite")


def _write_parallel(
    tasks: list[Task],
    workers: int,
    writer: RecordWriter,
    outcome: DatasetImport,
    progress: ProgressFn | None,
    tables: dict[int, str | None],
) -> None:
    """The sheets of `tasks` checked by `workers` processes (the biggest sheets first) and written here
    as their batches come back; the workers' errors join the import's report."""
    result = outcome.result
    total = sum(t.total for t in tasks)
    limit = tasks[0].rows_max if tasks else 0
    counts = [0] * len(tasks)
    failed = [False] * len(tasks)
    read_all = done = 0
    sqlite = connection.vendor == "sqlite"
    with writer.scratch() if sqlite else nullcontext() as scratch, writer.stream() as put:
        pool = Pool(workers, copy=not sqlite, scratch=scratch)

        def on_batch(order: int, read: int, good: int, payload: Any, errors: list[Any], n: int) -> None:
            nonlocal read_all, done
            read_all += read
            if read_all > limit:  # the upload's cap over all its sheets (each worker sees its own)
                raise WorkbookError(rows_message(limit))
            if n:
                room = ERROR_CAP - len(result.errors)
                result.errors.extend(errors[: max(room, 0)])
                result.total_errors += n
                failed[order] = True
            stored = payload is None  # SQLite: the worker has stored the batch in its scratch file
            if result.ok and (payload or (stored and good)):
                counts[order] += good
                before, done = done, done + good
                if progress is not None and before // PROGRESS_EVERY != done // PROGRESS_EVERY:
                    writer.report(progress, done, max(total, done), f"已读取 {done:,} 条记录")
                if not stored:
                    put(payload, tables.get(order))

        def on_stop(worker: int) -> None:  # SQLite: its rows copied in while the others still work
            if scratch is not None and result.ok:
                writer.absorb(scratch, worker)

        pool.run(sorted(tasks, key=lambda t: -t.total), on_batch, lambda: not result.ok, on_stop)
    if not result.ok:
        return
    for task in tasks:
        if not failed[task.order]:
            Dataset.objects.filter(pk=task.dataset_id).update(row_count=counts[task.order])
            outcome.datasets[task.dataset] = counts[task.order]
    writer.written += sum(counts)


def _delete_previous(replaced: dict[int, int], *, bulk: bool) -> None:
    """Delete the previous copies: the rows of each replaced dataset up to its bound. Without the record
    indexes (a big import) in ONE statement whose id range the database scans once; with them, one
    statement per dataset along its (dataset, id) index."""
    bounds = [(pk, bound) for pk, bound in replaced.items() if bound > 0]
    if not bounds:
        return
    table = connection.ops.quote_name(DatasetRecord._meta.db_table)
    with connection.cursor() as cursor:
        if bulk:
            where = " OR ".join(["(dataset_id = %s AND id <= %s)"] * len(bounds))
            cursor.execute(
                f"DELETE FROM {table} WHERE id <= %s AND ({where})",
                [max(b for _, b in bounds), *(v for pair in bounds for v in pair)],
            )
            return
        for pk, bound in bounds:
            cursor.execute(f"DELETE FROM {table} WHERE dataset_id = %s AND id <= %s", [pk, bound])


# A big import drops the record indexes and builds them again at the end, inside the transaction:
# building an index once over the table is several times faster than keeping three indexes up to date
# row by row (measured on SQLite: 300,000 rows 16.6 s → 3.8 s). Only when the rows coming in are many
# and at least half of what else is kept (rebuilding over a big table for a small import would not pay);
# decided once for the whole import, from every sheet's size (the copies it replaces do not count).
BULK_MIN_ROWS = 20_000


class _Indexes:
    def __init__(self) -> None:
        self.dropped = False
        self.foreign_keys: list[tuple[str, str]] = []  # PostgreSQL: (name, definition) dropped

    def maybe_drop(self, names: list[str], incoming: int, county: str) -> None:
        """Drop the indexes when the import's rows are many and at least half of the rows it keeps."""
        if self.dropped or incoming < BULK_MIN_ROWS:
            return
        others = (
            Dataset.objects.exclude(county_code=county, name__in=names).aggregate(n=Sum("row_count"))["n"]
            or 0
        )
        if incoming * 2 < others:
            return
        qn = connection.ops.quote_name
        table = qn(DatasetRecord._meta.db_table)
        with connection.cursor() as cursor:
            for index in DatasetRecord._meta.indexes:
                cursor.execute(f"DROP INDEX {qn(index.name)}")
            if connection.vendor == "postgresql":
                # the record's foreign key to its dataset: checked row by row, it queues one trigger
                # event per copied row (a million of them run one by one at the end); added again at
                # the end, it is checked by ONE join over the table. Same lock as dropping the indexes.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending events may stay
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f'",
                    [DatasetRecord._meta.db_table],
                )
                self.foreign_keys = list(cursor.fetchall())
                for name, _ in self.foreign_keys:
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
        self.dropped = True

    def restore(self) -> None:
        if not self.dropped:
            return
        qn = connection.ops.quote_name
        table = qn(DatasetRecord._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # the deferred FK checks of the rows copied run first
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                # the index builds sort in memory instead of in temporary files (this transaction only)
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for index in DatasetRecord._meta.indexes:  # plain column indexes, as the migration made them
                columns = ", ".join(qn(DatasetRecord._meta.get_field(f).column) for f in index.fields)  # type: ignore[union-attr, arg-type]  # concrete fields
                cursor.execute(f"CREATE INDEX {qn(index.name)} ON {table} ({columns})")
            for name, definition in self.foreign_keys:  # validated here, over the whole table at once
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}")
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        self.dropped = False
        self.foreign_keys = []


def _replace(county: str, name: str, columns: list[str], user: Any, file_name: str, now: Any) -> Dataset:
    """The county's copy of `name`, stamped with this import (inside the transaction; the row stays
    locked on PostgreSQL until the commit, so a concurrent import of the same dataset waits for it)."""
    dataset, _ = Dataset.objects.update_or_create(
        county_code=county,
        name=name,
        defaults={
            "columns": columns,
            "file_name": file_name[:255],
            "imported_at": now,
            "imported_by": user,
            "imported_by_name": (
                getattr(user, "display_name", "") or getattr(user, "username", "") or "命令行"
            )[:60],
            "row_count": 0,
        },
    )
    return dataset
