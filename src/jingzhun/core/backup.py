"""Backup, restore and a content digest of the database (备份与恢复).

- SQLite: `backup` copies the live database with SQLite's online backup API (consistent while others write);
  `restore` copies a backup file back over the database the same way.
- PostgreSQL: `pg_dump --format=custom` and `pg_restore` from the machine's binaries (PATH), with the
  connection of JINGZHUN_DATABASE_URL.
- `digest`: per table, the row count and a SHA-256 over the rows in primary-key order, and one digest over
  all tables — a restored database whose digest equals the original's holds the same content.

`restore` refuses a database that holds any row unless `force` is given.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
BACKUP_NAME = re.compile(r"^jingzhun-\d{8}-\d{6}(-\d+)?\.(sqlite3|dump)$")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is Chinese."""


# --- digest -----------------------------------------------------------------------------------------


@dataclass
class TableDigest:
    table: str
    rows: int
    sha256: str


def _plain(value: Any) -> Any:
    if isinstance(value, memoryview | bytes | bytearray):
        return "b:" + bytes(value).hex()
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _rows(cursor: Any, table: str) -> Iterator[tuple[Any, ...]]:
    qn = connection.ops.quote_name
    pk = connection.introspection.get_primary_key_column(cursor, table)
    if pk:
        order = qn(pk)
    else:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
        order = ", ".join(qn(c) for c in columns)
    cursor.execute(f"SELECT * FROM {qn(table)} ORDER BY {order}")
    while page := cursor.fetchmany(2000):
        yield from page


def digest_tables() -> list[TableDigest]:
    """Every table of the database, by name, with its row count and the hash of its rows in key order."""
    out = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            h = hashlib.sha256()
            count = 0
            for row in _rows(cursor, table):
                h.update(json.dumps([_plain(v) for v in row], ensure_ascii=False, default=str).encode())
                h.update(b"\n")
                count += 1
            out.append(TableDigest(table, count, h.hexdigest()))
    return out


def total_digest(tables: list[TableDigest]) -> str:
    h = hashlib.sha256()
    for t in tables:
        h.update(f"{t.table}\t{t.rows}\t{t.sha256}\n".encode())
    return h.hexdigest()


def has_rows() -> bool:
    """Any table holds a row (a database `jingzhun init` has prepared does: the divisions)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT 1 FROM {qn(table)} LIMIT 1")
            if cursor.fetchone():
                return True
    return False


# --- backup and restore -----------------------------------------------------------------------------


def backup(out: str | Path) -> Path:
    """Write a backup of the whole database to `out` (not overwritten: a backup is never lost by mistake)."""
    path = Path(out)
    if path.exists():
        raise BackupError(f"{path} 已存在，不覆盖（请换一个文件名）")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        if connection.vendor == "sqlite":
            _sqlite_backup(tmp)
        elif connection.vendor == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(tmp)])
        else:  # pragma: no cover - the two databases the product supports
            raise BackupError(f"不支持的数据库：{connection.vendor}")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _sqlite_backup(target: Path) -> None:
    connection.ensure_connection()
    with sqlite3.connect(target) as dest:
        connection.connection.backup(dest)
    dest.close()


def restore(source: str | Path, *, force: bool = False) -> None:
    """Replace the database's content with the backup at `source`."""
    path = Path(source)
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path}")
    head = _head(path)
    if connection.vendor == "sqlite" and not head.startswith(SQLITE_MAGIC):
        raise BackupError(f"{path} 不是 SQLite 备份文件")
    if connection.vendor == "postgresql" and not head.startswith(PG_MAGIC):
        raise BackupError(f"{path} 不是 pg_dump 自定义格式（-Fc）的备份文件")
    if not force and has_rows():
        raise BackupError("目标数据库不是空的，恢复会覆盖其中全部数据；确认无误请加 --force")
    if connection.vendor == "sqlite":
        _sqlite_restore(path)
    else:
        _pg_restore(path)
    connection.close()


def _pg_restore(path: Path) -> None:
    """Replay the backup's SQL with psql in ONE transaction that first empties the schema.

    `pg_restore --clean` cannot drop the constraints a partition inherits (the departmental records are
    partitioned, verification 0007), so the schema is dropped instead. The transaction is committed only
    after pg_restore has written the whole script: a failed pg_restore, an SQL error or a crash rolls it
    back and the database is as it was."""
    for tool in ("pg_restore", "psql"):
        if shutil.which(tool) is None:
            raise BackupError(f"找不到 {tool}（请安装 PostgreSQL 客户端程序）")
    env = _pg_env()
    name = str(connection.settings_dict["NAME"])
    connection.close()  # nothing of ours holds a lock on the schema while it is dropped
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        psql = subprocess.Popen(
            ["psql", "--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1", "--dbname", name, "--file=-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_err,
            env=env,
        )
        assert psql.stdin is not None
        dumped = -1  # pg_restore's exit code; -1: it never ran (psql stopped first)
        with contextlib.suppress(BrokenPipeError):  # psql stopped at an SQL error: its message says which
            psql.stdin.write(b"BEGIN;\nDROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n")
            psql.stdin.flush()
            dumped = subprocess.run(
                ["pg_restore", "--no-owner", "--file=-", str(path)],
                stdout=psql.stdin,
                stderr=restore_err,
                env=env,
                check=False,
            ).returncode
            if dumped == 0:
                psql.stdin.write(b"COMMIT;\n")
        with contextlib.suppress(BrokenPipeError):
            psql.stdin.close()
        code = psql.wait()
        for handle in (restore_err, psql_err):
            handle.seek(0)
        if dumped > 0:  # pg_restore's own failure first: psql then saw a cut-off script
            raise BackupError(
                f"pg_restore 失败：{restore_err.read().decode(errors='replace').strip()[-2000:]}"
            )
        if code != 0:
            raise BackupError(f"psql 失败：{psql_err.read().decode(errors='replace').strip()[-2000:]}")


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(16)


def _sqlite_restore(path: Path) -> None:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as src:
        try:
            ok = src.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:  # cut off or not a database at all: said, not a traceback
            raise BackupError(f"备份文件已损坏：{exc}") from exc
        if ok != "ok":
            raise BackupError(f"备份文件已损坏：{ok}")
        connection.ensure_connection()
        src.backup(connection.connection)
    src.close()


def _pg_env() -> dict[str, str]:
    s = connection.settings_dict
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if s.get(key):
            env[name] = str(s[key])
    env["PGDATABASE"] = str(s["NAME"])
    return env


def _run(argv: list[str], *, db: bool = False) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"找不到 {argv[0]}（请安装 PostgreSQL 客户端程序）")
    if db:
        argv = [*argv[:-1], "--dbname", str(connection.settings_dict["NAME"]), argv[-1]]
    done = subprocess.run(argv, env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{argv[0]} 失败：{done.stderr.strip()[-2000:]}")


# --- scheduled backups ------------------------------------------------------------------------------


def backup_name(now: datetime) -> str:
    suffix = "sqlite3" if connection.vendor == "sqlite" else "dump"
    return f"jingzhun-{now:%Y%m%d-%H%M%S}.{suffix}"


def rotate(directory: Path, keep: int) -> list[str]:
    """Delete all but the `keep` newest backups this module named in `directory`; returns what went."""
    if keep < 1:
        raise BackupError("至少保留 1 份备份")
    ours = sorted(
        (p for p in directory.iterdir() if p.is_file() and BACKUP_NAME.match(p.name)),
        key=lambda p: (p.stat().st_mtime_ns, p.name),
    )
    doomed = ours[:-keep]
    for p in doomed:
        p.unlink()
    return [p.name for p in doomed]
