"""Whole-county assessment on SQLite, on every core.

SQLite runs one statement on one core, and the county run of a million households is one long
computation. Here the household id range is cut into contiguous parts, one per worker thread; each
worker has its own connection (SQLite releases the GIL while it works) and writes its verdicts into a
scratch database file of its own, ATTACHed to its connection — separate files have separate write locks,
so the workers never wait for each other. The scratch rows are then copied into the verdict table in one
transaction, in household order (each part is contiguous), replacing the older verdicts of the year and
standard (households that left the register lose theirs).

The computation is the same compiled SQL as `compiler.store_verdicts` (`Compiled.verdict_select`), so
both paths give the same verdicts (tests/standards/test_county_parallel.py).

A verdict written by a cadre's edit while the run is going (the registry's after-change hook) is newer
than the run's timestamp and is not overwritten with the run's older computation.
"""

from __future__ import annotations

import os
import queue
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from jingzhun.engines.sql.compiler import VERDICT_COLUMNS, VERDICT_TABLE, Compiled, Scope
from jingzhun.rules.spec import StandardSpec

CHUNK = 100_000
ProgressFn = Callable[..., Any]


def workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def available() -> bool:
    """On SQLite, outside a transaction (workers only see committed rows), with more than one core."""
    if connection.vendor != "sqlite" or connection.in_atomic_block or workers() < 2:
        return False
    name = str(connection.settings_dict["NAME"])
    return name != ":memory:" and not (name.startswith("file:") and "cache=shared" not in name)


def _connect(name: str) -> sqlite3.Connection:
    raw = sqlite3.connect(name, uri=name.startswith("file:"), timeout=60, isolation_level=None)
    raw.execute("PRAGMA cache_size=-64000")
    raw.execute("PRAGMA temp_store=MEMORY")
    return raw


def _worker(
    *,
    name: str,
    scratch: Path,
    statements: list[tuple[str, list[Any]]],
    events: queue.Queue[tuple[str, Any]],
) -> None:
    try:
        raw = _connect(name)
        try:
            raw.execute("ATTACH DATABASE ? AS scratch", (str(scratch),))
            raw.execute("PRAGMA scratch.journal_mode=OFF")
            raw.execute("PRAGMA scratch.synchronous=OFF")
            raw.execute(f"CREATE TABLE scratch.v ({', '.join(VERDICT_COLUMNS)})")
            for sql, params in statements:
                cursor = raw.execute(sql, params)
                events.put(("rows", cursor.rowcount))
        finally:
            raw.close()
        events.put(("done", None))
    except BaseException as exc:  # handed to the main thread, which raises it
        events.put(("error", exc))


def _statements(compiled: Compiled, low: int, high: int, stamp: datetime) -> list[tuple[str, list[Any]]]:
    out = []
    columns = ", ".join(VERDICT_COLUMNS)
    for start in range(low, high, CHUNK):
        select_sql, params = compiled.verdict_select(
            Scope.id_range(start, min(start + CHUNK, high)), assessed_at=stamp
        )
        # Django's %s placeholders → sqlite3's ? (the compiled SQL has no literal %)
        out.append((f"INSERT INTO scratch.v ({columns}) {select_sql.replace('%s', '?')}", params))
    return out


def store_county_verdicts(
    *,
    spec: StandardSpec,
    year: int,
    stamp: datetime,
    low: int,
    high: int,
    total: int,
    progress: ProgressFn | None,
) -> int:
    """Assess households with low ≤ id < high (the whole register) into the verdicts of (year, spec);
    returns the number of verdicts written."""
    compiled = Compiled(spec, year)
    name = str(connection.settings_dict["NAME"])
    count = workers()
    step = -(-(high - low) // count) if high > low else 1
    parts = [(start, min(start + step, high)) for start in range(low, high, step)] or [(low, high)]
    events: queue.Queue[tuple[str, Any]] = queue.Queue()
    written = 0
    with tempfile.TemporaryDirectory(prefix="jingzhun-assess-") as folder:
        scratches = [Path(folder) / f"part{i}.sqlite3" for i in range(len(parts))]
        threads = [
            threading.Thread(
                target=_worker,
                kwargs={
                    "name": name,
                    "scratch": scratch,
                    "statements": _statements(compiled, part_low, part_high, stamp),
                    "events": events,
                },
                name=f"assess-{i}",
                daemon=True,
            )
            for i, (scratch, (part_low, part_high)) in enumerate(zip(scratches, parts, strict=True))
        ]
        for thread in threads:
            thread.start()
        finished, failure = 0, None
        while finished < len(threads):
            kind, value = events.get()
            if kind == "rows":
                written += value
                if progress:
                    progress(min(written, total), total, f"已评估 {written} 户")
            elif kind == "done":
                finished += 1
            else:
                finished += 1
                failure = failure or value
        for thread in threads:
            thread.join()
        if failure is not None:
            raise failure
        _copy(scratches, year=year, spec=spec, stamp=stamp)
    return written


def _copy(scratches: list[Path], *, year: int, spec: StandardSpec, stamp: datetime) -> None:
    columns = ", ".join(VERDICT_COLUMNS)
    stamp_db = connection.ops.adapt_datetimefield_value(stamp)
    aliases = [f"assess_part{i}" for i in range(len(scratches))]
    with connection.cursor() as cursor:
        for alias, scratch in zip(aliases, scratches, strict=True):
            cursor.execute(f"ATTACH DATABASE %s AS {alias}", [str(scratch)])
        try:
            with transaction.atomic():
                # The run's rows replace every older verdict of (year, standard) — households that left the
                # register included. Deleting them and appending the new rows in household order is faster
                # than an in-place UPSERT of a million rows (measured: copy 2.6–3.3 s against 3.1–5.8 s);
                # a verdict newer than the run (a cadre's edit) survives the DELETE and wins the conflict.
                cursor.execute(
                    f"DELETE FROM {VERDICT_TABLE} WHERE year = %s AND standard_id = %s AND assessed_at < %s",
                    [year, spec.id, stamp_db],
                )
                for alias in aliases:
                    # "WHERE 1 = 1": SQLite needs it to tell the SELECT's end from the ON CONFLICT clause.
                    cursor.execute(
                        f"INSERT INTO {VERDICT_TABLE} ({columns}) SELECT {columns} FROM {alias}.v WHERE 1 = 1 "
                        f"ON CONFLICT (year, standard_id, household_id) DO NOTHING"
                    )
        finally:
            for alias in aliases:
                cursor.execute(f"DETACH DATABASE {alias}")
