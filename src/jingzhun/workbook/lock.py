"""Import lock (导入锁): two imports touching the same township never run at once.

An import takes one `ImportLock` row per township (9-digit prefix) its file touches, in code order (so two
imports cannot deadlock), before it reads the registry to validate, and releases them after its
transaction ends. The rows are written in autocommit, outside the import's own transaction, so other
processes see them at once.

A killed import cannot leave a township locked forever. A lock is *stale*, and is taken over, when:
- its holder ran on this machine and that process no longer exists (SQLite: one machine); or
- on PostgreSQL, the holder's database session is gone (a killed process's connection closes); or
- its heartbeat is older than `STALE_AFTER` (last resort, e.g. a holder on another machine that froze).
The second import waits up to `wait_seconds` and is then refused with a Chinese message naming who holds
the lock and since when.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from jingzhun.workbook.models import ImportLock

STALE_AFTER = timedelta(hours=6)


class ImportBusy(Exception):
    """Another import holds a township this import needs; the message is Chinese."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _db_session() -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _session_alive(session: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [session])
        return cursor.fetchone() is not None


def is_stale(lock: ImportLock) -> bool:
    if lock.heartbeat_at < timezone.now() - STALE_AFTER:
        return True
    if connection.vendor == "postgresql" and lock.db_session is not None:
        return not _session_alive(lock.db_session)
    if lock.host == socket.gethostname():
        return not _pid_alive(lock.pid)
    return False


def _describe(lock: ImportLock) -> str:
    since = timezone.localtime(lock.acquired_at).strftime("%H:%M:%S")
    source = f"（文件 {lock.source}）" if lock.source else ""
    return f"{lock.holder} 自 {since} 起正在导入该区域{source}"


class Held:
    def __init__(self, keys: list[str], token: str):
        self.keys = keys
        self.token = token

    def heartbeat(self) -> None:
        """Outside a transaction only (autocommit): refreshes the holder's heartbeat."""
        if connection.in_atomic_block:
            return
        ImportLock.objects.filter(key__in=self.keys, token=self.token).update(heartbeat_at=timezone.now())


def _try_take(key: str, fields: dict[str, object]) -> ImportLock | None:
    """Take `key`; return the live lock that blocks it, or None when taken."""
    try:
        with transaction.atomic():
            ImportLock.objects.create(key=key, **fields)
    except IntegrityError:
        # Someone holds the key: look at the holder below (it may be dead, or gone meanwhile).
        current = ImportLock.objects.filter(key=key).first()
    else:
        return None
    if current is None:
        return _try_take(key, fields)
    if is_stale(current):
        # Conditional take-over: only if nobody else took it over in between.
        taken = ImportLock.objects.filter(key=key, token=current.token).update(**fields)
        if taken:
            return None
        return ImportLock.objects.filter(key=key).first()
    return current


def acquire(keys: Iterable[str], *, holder: str, source: str = "", wait_seconds: float = 0) -> Held:
    ordered = sorted(set(keys))
    token = uuid.uuid4().hex
    now = timezone.now()
    fields: dict[str, object] = {
        "holder": holder[:100],
        "source": source[-200:],
        "host": socket.gethostname()[:100],
        "pid": os.getpid(),
        "db_session": _db_session(),
        "token": token,
        "acquired_at": now,
        "heartbeat_at": now,
    }
    deadline = time.monotonic() + wait_seconds
    while True:
        taken: list[str] = []
        blocker: ImportLock | None = None
        try:
            for key in ordered:
                blocker = _try_take(key, fields)
                if blocker is not None:
                    break
                taken.append(key)
        except OperationalError as exc:  # SQLite: another import is writing and holds the database
            ImportLock.objects.filter(key__in=taken, token=token).delete()
            raise ImportBusy("数据库正被另一个导入写入，请稍后再试") from exc
        if blocker is None:
            return Held(ordered, token)
        ImportLock.objects.filter(key__in=taken, token=token).delete()
        if time.monotonic() >= deadline:
            raise ImportBusy(
                f"另一个导入正在进行：{_describe(blocker)}。为保证数据一致，请等它完成后再导入。"
            )
        time.sleep(0.5)


def release(held: Held) -> None:
    ImportLock.objects.filter(key__in=held.keys, token=held.token).delete()


@contextmanager
def locked(keys: Iterable[str], *, holder: str, source: str = "", wait_seconds: float = 0) -> Iterator[Held]:
    held = acquire(keys, holder=holder, source=source, wait_seconds=wait_seconds)
    try:
        yield held
    finally:
        release(held)
