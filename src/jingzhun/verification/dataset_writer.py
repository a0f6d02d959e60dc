"""The bulk writer of departmental records: the rows of `verification.dataset_rows` (database-ready
text, in `rules.datasets.RECORD_COLUMNS` order) streamed into `DatasetRecord`, inside the import's
transaction.

- PostgreSQL: one `COPY … FROM STDIN` per sheet (the server parses and stores the rows on its own core
  while this process reads the file), then ANALYZE when the copy is a good part of the table.
- SQLite: `executemany` of batches on a writer thread of the same connection (`_sqlite`), or — a big
  import checked by worker processes — the workers' scratch files copied in (`scratch`, `absorb`);
  while the import runs, a bigger page cache (index builds sort in it), given back at the end.
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from itertools import count
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection

from jingzhun.rules.datasets import RECORD_COLUMNS
from jingzhun.verification.dataset_workers import Scratch
from jingzhun.verification.models import DatasetRecord
from jingzhun.workbook.db_bulk import ANALYZE_MIN, analyze, batched

SQLITE_CACHE_KIB = 256 * 1024
BATCH = 5000  # rows per executemany on SQLite
QUEUED = 4  # batches checked ahead of the writer at most (memory stays a few batches)
SCRATCH_PREFIX = "jingzhun-import-"  # the private folder of an import's scratch files (SQLite)
SCRATCH_ALIAS = "jingzhun_scratch"  # the schema name a scratch file is attached as


# The columns the queries over the records filter, join and group on: ANALYZE after an import collects
# only theirs. On the partitioned table (PostgreSQL) ANALYZE samples every partition as well as the whole,
# so the wide columns nothing filters on (the row's JSON, its fingerprint, the ID as given, the row
# number) would double its time (1,000,000 rows in 11 partitions: 2.35 s for every column); autovacuum
# still analyses each partition in full later.
ANALYZED = (
    "dataset_id", "id", "id18", "id_kind", "name", "birth_date", "gender",
    "date1", "date2", "kind", "status", "amount", "year",
)  # fmt: skip


def _table() -> str:
    return connection.ops.quote_name(DatasetRecord._meta.db_table)


def max_record_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {_table()}")
        value = cursor.fetchone()[0]
    return int(value or 0)


@contextmanager
def sqlite_foreign_keys_by_the_import() -> Iterator[bool]:
    """SQLite, an import not inside another transaction: the foreign keys off for it (True), on again
    after its commit or rollback. Checked row by row, the record's key to its dataset costs ≈ 1.8 µs of
    every inserted row's 8 (1,000,000 rows: 8.2 → 6.4 s, docs/benchmarks.md); the import writes only
    rows of the datasets it has just stamped in the same transaction, and `check_foreign_keys` checks
    those once before the commit. PRAGMA foreign_keys cannot change inside a transaction, so within one
    (a caller's atomic block) they stay on and are checked row by row (False)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield False
        return
    connection.ensure_connection()
    off = connection.disable_constraint_checking()
    try:
        yield off
    finally:
        if off:
            connection.enable_constraint_checking()


def _scratch_parent() -> str | None:
    """Where the scratch files go: next to the database file (its disk holds the rows anyway), or the
    system's temporary folder for a database in memory."""
    if connection.is_in_memory_db():  # type: ignore[attr-defined]  # the SQLite backend's own
        return None
    return str(Path(str(connection.settings_dict["NAME"])).resolve().parent)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def sweep_scratch(parent: str | None) -> None:
    """Remove the scratch folders of imports whose process is gone (killed before it could clean up:
    the folder's name carries its pid)."""
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        pid = folder.name[len(SCRATCH_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


SQLITE_MAX_ATTACHED = 10  # SQLite's default SQLITE_MAX_ATTACHED


def free_attach_slots() -> int:
    """SQLite: how many more databases this connection can attach. Each check worker's scratch file is
    attached once; inside a caller's transaction the files of its earlier imports stay attached until it
    ends (`detach_scratch`), so an import inside a long transaction may have fewer slots than workers."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        attached = [name for _, name, _ in cursor.fetchall() if name not in ("main", "temp")]
    return max(0, SQLITE_MAX_ATTACHED - len(attached))


def detach_scratch() -> None:
    """Detach the scratch files an import attached (SQLite detaches a database only outside the
    transaction that read it: after the import's commit or rollback, or — an import inside a caller's
    transaction — at the next import). Their files are gone already (`RecordWriter.absorb`)."""
    if connection.vendor != "sqlite" or connection.connection is None:
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        for _, name, _ in cursor.fetchall():
            if name.startswith(SCRATCH_ALIAS):
                with suppress(DatabaseError):  # still in the transaction that read it: the next time
                    cursor.execute(f"DETACH DATABASE {name}")


def check_foreign_keys(dataset_ids: Iterable[int]) -> None:
    """With the foreign keys off (`sqlite_foreign_keys_by_the_import`): every dataset the import wrote
    rows of exists, and the datasets' own keys (who imported them) hold; raises IntegrityError if not."""
    from django.db import IntegrityError

    from jingzhun.verification.models import Dataset

    ids = sorted(set(dataset_ids))
    if Dataset.objects.filter(pk__in=ids).count() != len(ids):
        raise IntegrityError("部门数据记录的数据集不存在")
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA foreign_key_check({connection.ops.quote_name(Dataset._meta.db_table)})")
        if cursor.fetchall():
            raise IntegrityError("部门数据集的导入人不存在")


class RecordWriter:
    """`write(rows)` per sheet; `finish()` once everything is in (not called when rolling back)."""

    def __init__(self) -> None:
        qn = connection.ops.quote_name
        fields: list[Any] = [DatasetRecord._meta.get_field(name) for name in RECORD_COLUMNS]
        self.columns = ", ".join(qn(f.column) for f in fields)
        self.written = 0
        self.cache: int | None = None
        self.threads = 0
        self.lock = threading.Lock()  # the connection, while the SQLite writer thread may use it
        self.copying = False  # PostgreSQL: a COPY is open on the connection (nothing else may run on it)
        self.pending: tuple[Callable[..., Any], tuple[Any, ...]] | None = None

    def __enter__(self) -> RecordWriter:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size")
                self.cache = int(cursor.fetchone()[0])
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
                # the index builds' sorts on SQLite's worker threads (one per core, at most 4)
                cursor.execute("PRAGMA threads")
                self.threads = int(cursor.fetchone()[0])
                cursor.execute(f"PRAGMA threads = {min(os.cpu_count() or 1, 4)}")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.cache is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {self.cache}")
                cursor.execute(f"PRAGMA threads = {self.threads}")

    def report(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run `fn(*args)` — a job's progress row, written through the import's connection — now, or,
        while a COPY holds the connection on PostgreSQL (any other statement would wait for it for ever),
        as soon as the writer has ended that COPY; the writer then opens the next one."""
        if self.copying:
            self.pending = (fn, args)
            return
        with self.lock:
            fn(*args)

    def _run_pending(self) -> None:
        if self.pending is not None:
            fn, args = self.pending
            self.pending = None
            fn(*args)

    def write(self, rows: Iterable[Sequence[Any]], table: str | None = None) -> None:
        """Stream `rows` in (into `table`, PostgreSQL: a dataset's new partition, or the records table);
        the caller counts them (and adds them to `written`). On PostgreSQL one COPY until a `report`
        waits (then it runs, and the next COPY takes the rest)."""
        if connection.vendor == "postgresql":
            sql = (
                f"COPY {connection.ops.quote_name(table) if table else _table()} ({self.columns}) FROM STDIN"
            )
            it = iter(rows)
            with connection.cursor() as cursor, connection.wrap_database_errors:
                while True:
                    with cursor.cursor.copy(sql) as copy:
                        self.copying = True
                        try:
                            write = copy.write_row
                            for row in it:
                                write(row)
                                if self.pending is not None:
                                    break
                        finally:
                            self.copying = False
                    if self.pending is None:
                        return
                    self._run_pending()
        self._sqlite(rows)

    @contextmanager
    def stream(self) -> Iterator[Callable[..., None]]:
        """A function `put(batch, table=None)` taking the batches of the check workers
        (`verification.dataset_workers`) until the block ends: on PostgreSQL COPY text (`copy_text`)
        through one `COPY … FROM STDIN` per run of batches into the same table (a dataset's new
        partition, or the records table; ended and opened again where a `report` waits); on SQLite
        lists of rows, each one `executemany`."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor, connection.wrap_database_errors:
                open_copy: list[Any] = []  # [its context manager, the copy, its table] while one is open

                def end(exc: BaseException | None = None) -> None:
                    if open_copy:
                        manager = open_copy[0]
                        open_copy.clear()
                        self.copying = False
                        manager.__exit__(type(exc) if exc else None, exc, exc.__traceback__ if exc else None)

                def put(payload: Any, table: str | None = None) -> None:
                    if open_copy and open_copy[2] != table:
                        end()
                    if not open_copy:
                        target = connection.ops.quote_name(table) if table else _table()
                        manager = cursor.cursor.copy(f"COPY {target} ({self.columns}) FROM STDIN")
                        open_copy[:] = [manager, manager.__enter__(), table]
                        self.copying = True
                    open_copy[1].write(payload)
                    if self.pending is not None:
                        end()
                        self._run_pending()

                try:
                    yield put
                except BaseException as exc:
                    end(exc)  # the server is told the COPY failed
                    raise
                end()
                self._run_pending()
            return
        marks = ", ".join(["?"] * len(RECORD_COLUMNS))
        sql = f"INSERT INTO {_table()} ({self.columns}) VALUES ({marks})"
        connection.ensure_connection()
        raw = connection.connection

        def insert(rows: Any, table: str | None = None) -> None:
            with self.lock, connection.wrap_database_errors:
                raw.executemany(sql, rows)

        yield insert

    @contextmanager
    def scratch(self) -> Iterator[Scratch]:
        """SQLite: the scratch files of the check workers (`dataset_workers.Scratch`) in a private folder
        of this import (mode 0700), removed with everything in it when the block ends, however it ends
        (a process killed outright leaves it: the next import removes it, `sweep_scratch`);
        the workers' ids follow the greatest id the records table has had (AUTOINCREMENT's own rule)."""
        table = DatasetRecord._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
            create = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            seq = cursor.fetchone()
        first = max(max_record_id(), int(seq[0]) if seq else 0) + 1
        parent = _scratch_parent()
        sweep_scratch(parent)
        folder = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=parent)
        try:
            yield Scratch(folder, create, _table(), self.columns, first)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def absorb(self, scratch: Scratch, worker: int) -> None:
        """Copy a worker's scratch file into the records table with one `INSERT … SELECT *`:
        the same table definition, no foreign key checked row by row (`sqlite_foreign_keys_by_the_import`)
        and no index the file lacks (a big import's are dropped) let SQLite move the stored records as
        they are (its transfer optimisation), ids included; otherwise it inserts them column by column,
        with the same outcome. A file is deleted as soon as it is copied (it stays attached, readable by
        no one else, until `detach_scratch`)."""
        with self.lock, connection.cursor() as cursor, connection.wrap_database_errors:
            cursor.execute("PRAGMA database_list")
            taken = {name for _, name, _ in cursor.fetchall()}
            alias = next(a for a in (f"{SCRATCH_ALIAS}{n}" for n in count()) if a not in taken)
            path = scratch.path(worker)
            cursor.execute(f"ATTACH DATABASE %s AS {alias}", [path])
            cursor.execute(f"INSERT INTO main.{scratch.table} SELECT * FROM {alias}.{scratch.table}")
            os.unlink(path)

    def _sqlite(self, rows: Iterable[Sequence[Any]]) -> None:
        """Batches of rows through `executemany` on a thread of the import's own connection (inside its
        transaction): SQLite stores a batch — the driver lets go of the GIL while it does — while this
        thread checks the next one, so the two halves of the work share the machine's two cores. Anything
        else that uses the connection meanwhile (a job's progress row) takes `lock` first."""
        marks = ", ".join(["?"] * len(RECORD_COLUMNS))
        sql = f"INSERT INTO {_table()} ({self.columns}) VALUES ({marks})"
        connection.ensure_connection()
        raw = connection.connection
        batches: queue.Queue[list[Sequence[Any]] | None] = queue.Queue(maxsize=QUEUED)
        failed: list[BaseException] = []

        def store() -> None:
            try:
                while (batch := batches.get()) is not None:
                    with self.lock, connection.wrap_database_errors:
                        raw.executemany(sql, batch)
            except BaseException as exc:  # noqa: BLE001 - handed to the reading thread, raised there
                failed.append(exc)
                while batches.get() is not None:  # let the reading thread finish its puts
                    pass

        thread = threading.Thread(target=store, name="dataset-writer", daemon=True)
        thread.start()
        try:
            for batch in batched(rows, BATCH):
                if failed:
                    break
                batches.put(batch)
        finally:
            batches.put(None)
            thread.join()
        if failed:
            raise failed[0]

    def finish(self) -> None:
        """Fresh planner statistics on PostgreSQL when the rows copied are a good part of the table
        (see `workbook.db_bulk.Table._analyze`: without them the queries after an import misplan; on
        the partitioned table ANALYZE also updates every partition's own)."""
        if connection.vendor != "postgresql" or self.written < ANALYZE_MIN:
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [_table()])
            before = float(cursor.fetchone()[0])
        if self.written * 10 >= before:
            analyze([f"{_table()} ({', '.join(ANALYZED)})"])
