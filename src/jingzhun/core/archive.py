"""Audit archive (审计归档): `jingzhun audit archive OUT --before DATE` and `audit verify --archive FILE`.

An archive is gzip-compressed JSON lines: a header, one line per entry — the chain's prefix from its first
entry up to (not including) the first entry written on or after DATE — and a trailer with the count and
the last hash. Each entry line holds the values exactly as they are hashed (core.chain), so the archive
verifies on its own, with no database: the same walk as the live chain, from GENESIS.

Archiving deletes nothing from the live table (docs/decisions.md §12): the trail is kept whole, so the
live chain and every archive verify from the same first entry.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

from jingzhun.core import chain
from jingzhun.core.verify import Verdict, rows, verdict

KIND = "jingzhun-audit-archive"
_N = len(chain.FIELDS)
_AT, _BEFORE, _AFTER = 1, 9, 10  # positions in a row (id first)


class ArchiveError(Exception):
    """Not an audit archive, or not one this version reads; the message is Chinese."""


def _line(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def export(
    out: str | Path, *, before: datetime, progress: Callable[[int, int, str], Any] | None = None
) -> Verdict:
    """Write the archive of the entries before `before` (aware); returns the verdict of what it wrote
    (the live entries are checked as they are copied: a broken chain is not archived as if whole)."""
    walk = chain.Walk()
    path = Path(out)
    tmp = path.with_name(path.name + ".part")
    with gzip.open(tmp, "wb") as handle:
        handle.write(
            _line(
                {
                    "kind": KIND,
                    "chain": chain.FORMAT,
                    "before": before.isoformat(),
                    "created_at": timezone.now().isoformat(),
                }
            )
        )
        cut = chain.at_text(before)
        for row in rows():
            at = chain.at_text(row[_AT])
            if at >= cut:
                break
            values = [*row[1 : 1 + _N]]
            values[0] = at
            values[_BEFORE - 1] = _json(values[_BEFORE - 1])
            values[_AFTER - 1] = _json(values[_AFTER - 1])
            prev, digest = row[1 + _N], row[2 + _N]
            if not walk.step(row[0], values, prev, digest):
                break
            handle.write(_line([row[0], *values, prev, digest]))
            if progress and walk.count % 50_000 == 0:
                progress(walk.count, walk.count, "写出归档")
        result = verdict(walk)
        handle.write(
            _line({"end": True, "count": walk.count, "last_id": walk.last_id, "last_hash": result.last_hash})
        )
    if not result.ok:
        tmp.unlink()
        return result
    tmp.replace(path)
    return result


def verify_archive(path: str | Path) -> Verdict:
    """Walk an archive file: every entry's link, then its trailer (a cut-off file has none)."""
    walk = chain.Walk()
    trailer: dict[str, Any] | None = None
    try:
        with gzip.open(path, "rb") as handle:
            header = json.loads(handle.readline() or b"null")
            if not isinstance(header, dict) or header.get("kind") != KIND:
                raise ArchiveError("不是审计归档文件")
            if header.get("chain") != chain.FORMAT:
                raise ArchiveError(f"不支持的审计链格式：{header.get('chain')}")
            for raw in handle:
                item = json.loads(raw)
                if isinstance(item, dict):
                    trailer = item
                    break
                if not walk.step(item[0], item[1 : 1 + _N], item[1 + _N], item[2 + _N]):
                    return verdict(walk)
            if trailer is not None and handle.readline():
                return _broken(walk, "归档结尾之后还有内容")
    except (OSError, EOFError, ValueError, IndexError, TypeError) as exc:
        return _broken(walk, f"文件损坏（{exc.__class__.__name__}）")
    if trailer is None:
        return _broken(walk, "缺少归档结尾（文件不完整）")
    if trailer.get("count") != walk.count or (walk.count and trailer.get("last_hash") != walk.prev):
        return _broken(walk, "归档结尾的条数或哈希与内容不符（末尾的记录被删除）")
    return verdict(walk)


def _broken(walk: chain.Walk, reason: str) -> Verdict:
    result = verdict(walk)
    result.ok = False
    result.broken_id = "（文件末尾）" if walk.last_id is None else f"{walk.last_id} 之后"
    result.reason = f"：{reason}"
    return result
