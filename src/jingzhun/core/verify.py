"""`jingzhun audit verify`: walk the whole audit chain (core.chain) and name the first broken entry.

Streams the table in id order by keyset pages (WHERE id > last ORDER BY id LIMIT n) through a plain
cursor, so memory stays constant whatever the table's size, on both databases, without holding a
transaction open for the whole walk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection

from jingzhun.core import chain

PAGE = 5000
_COLUMNS = ("id", *(name for name in chain.FIELDS), "prev_hash", "row_hash")


@dataclass
class Verdict:
    """What a walk found: `ok`, the entries checked, the last one, and the first break (or None)."""

    ok: bool
    count: int
    last_id: Any
    last_hash: str
    broken_id: Any = None
    reason: str = ""

    @property
    def message(self) -> str:
        if self.ok:
            last = f"，最后一条 #{self.last_id}（{self.last_hash[:12]}…）" if self.count else ""
            return f"审计链完整：共 {self.count} 条记录{last}"
        return f"审计链断开：第 #{self.broken_id} 条记录{self.reason}；此前 {self.count} 条完整"

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "count": self.count,
            "last_id": self.last_id,
            "last_hash": self.last_hash,
            "broken_id": self.broken_id,
            "reason": self.reason,
            "message": self.message,
        }


def verdict(walk: chain.Walk) -> Verdict:
    walk.finish()
    broken = walk.broken
    return Verdict(
        ok=broken is None,
        count=walk.count,
        last_id=walk.last_id,
        last_hash=walk.prev if walk.count else "",
        broken_id=broken.entry_id if broken else None,
        reason=f"：{broken.reason}" if broken else "",
    )


def rows(table: str = "core_auditentry") -> Iterator[tuple[Any, ...]]:
    """Every entry as (id, *FIELDS, prev_hash, row_hash), in id order."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in _COLUMNS)
    sql = f"SELECT {columns} FROM {qn(table)} WHERE id > %s ORDER BY id LIMIT {PAGE}"
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [last])
            page = cursor.fetchall()
            if not page:
                return
            yield from page
            last = page[-1][0]


def verify_database(
    *, anchors: dict[int, str] | None = None, progress: Callable[[int, int, str], Any] | None = None
) -> Verdict:
    """Check every entry's link; `anchors` ({id: hash} seen by an earlier walk) must still be there."""
    total = _count() if progress else 0
    walk = chain.Walk(anchors)
    step = walk.step
    n_fields = len(chain.FIELDS)
    for n, row in enumerate(rows(), start=1):
        if not step(row[0], row[1 : 1 + n_fields], row[1 + n_fields], row[2 + n_fields]):
            break
        if progress and n % 50_000 == 0:
            progress(n, max(total, n), "校验审计链")
    result = verdict(walk)
    if progress:
        progress(result.count, max(total, result.count), "校验完成")
    return result


def _count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_auditentry")
        return int(cursor.fetchone()[0])
