"""The audit hash chain (痕迹防篡改): every entry carries the hash of the one before it.

`row_hash = SHA-256(prev_hash + "\\n" + canonical(entry))`, where `canonical` is a compact JSON array of
the entry's fields in a fixed order (FIELDS), and the first entry of a database links to GENESIS. The chain
order is the id order: writers take the chain lock (`lock_tail`) before they read the tail and hold it
until their transaction ends — a PostgreSQL transaction-level advisory lock; SQLite transactions start
with BEGIN IMMEDIATE (config.parse_database_url), so a writer holds the database's write lock already —
and the ids they get afterwards are larger than every committed one, so two writers cannot fork the chain.

The canonical form is computed from what the database gives back, so it must not depend on how a value
was stored: times are UTC with microseconds, JSON columns are parsed from their text and written again
sorted and compact, with numbers that are whole (1.0, 1e20) as integers (PostgreSQL's jsonb turns 1e20
into 100000000000000000000). FORMAT names this serialisation;
changing it means a new FORMAT, with old entries still verified under theirs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection

FORMAT = "jz-audit-1"
GENESIS = "0" * 64
# The advisory lock key of the chain tail (PostgreSQL): any constant unique within this database.
LOCK_KEY = 0x6A7A_6175_6474  # "jzaudt"
# The hashed fields, in hashing order; `at` is the entry's time, actor_id its user (or None).
FIELDS = (
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "household_id",
    "before",
    "after",
    "job_id",
    "note",
)
_AT, _BEFORE, _AFTER = 0, 8, 9
# FIELDS by the model's field names (the user as `actor`), for bulk writers that insert by field name, and
# with the two hashes `chain_rows` appends; ROW_POSITIONS: a row in exactly this order
MODEL_FIELDS = tuple("actor" if name == "actor_id" else name for name in FIELDS)
CHAINED_MODEL_FIELDS = (*MODEL_FIELDS, "prev_hash", "row_hash")
ROW_POSITIONS = tuple(range(len(FIELDS)))
_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode
_dumps_ordered = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def at_text(value: datetime | str) -> str:
    """An entry's time as hashed: ISO 8601 in UTC with microseconds (naive values are UTC, as SQLite gives
    them back)."""
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        return value.isoformat(timespec="microseconds") + "+00:00"
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")


def _number(text: str) -> int | float:
    """JSON floats as the databases give them back: whole ones as ints (jsonb prints 1e20 in full)."""
    value = float(text)
    return int(value) if value.is_integer() else value


_LEAVES = (str, int, bool, type(None))
_LEAF_TYPES = frozenset(_LEAVES)
_NESTED = (dict, list, tuple)
_STR_ONLY = {str}
_ALLOWED = _LEAF_TYPES | frozenset(_NESTED)


def _as_is(value: Any) -> bool:
    """Plain dicts with str keys, lists and leaves other than floats: already what the database gives back
    (the importer's values). The types of a container's items are collected at C speed (`map(type, …)`),
    and only nested containers are looked into: a flat dict of twenty leaves costs about a microsecond."""
    t = type(value)
    if t is dict:
        if value and set(map(type, value)) != _STR_ONLY:
            return False
        items: Any = value.values()
    elif t is list or t is tuple:
        items = value
    else:
        return t in _LEAF_TYPES
    types = set(map(type, items))
    if types <= _LEAF_TYPES:
        return True
    if not types <= _ALLOWED:
        return False
    return all(_as_is(v) for v in items if type(v) in _NESTED)


def _json(value: Any) -> Any:
    """A JSON column's value in its canonical form: parsed from its text (as the database stores it, or as
    Django would write it), with whole floats as ints and keys as strings."""
    if value is None:
        return None
    if not isinstance(value, str | bytes):
        if _as_is(value):
            return value
        value = json.dumps(value)
    return json.loads(value, parse_float=_number)


def canonical(values: Sequence[Any]) -> str:
    """The canonical text of an entry given as FIELDS values (JSON columns as values or as stored text)."""
    out = list(values)
    out[_AT] = at_text(out[_AT])
    out[_BEFORE] = _json(out[_BEFORE])
    out[_AFTER] = _json(out[_AFTER])
    return _dumps([FORMAT, *out])


def link(prev_hash: str, values: Sequence[Any]) -> str:
    """The hash of an entry (FIELDS values) that follows `prev_hash`."""
    return hashlib.sha256(f"{prev_hash}\n{canonical(values)}".encode()).hexdigest()


def lock_tail(table: str = "core_auditentry") -> str:
    """Take the chain lock for the rest of the transaction and return the hash of the last entry.

    Must run inside the writing transaction (the lock, and the right to append, end with it)."""
    if not connection.in_atomic_block:
        raise RuntimeError("the audit chain is appended to inside the write's transaction only")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute(f"SELECT row_hash FROM {table} ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    return row[0] if row and row[0] else GENESIS


def chain_rows(
    rows: Iterable[Sequence[Any]],
    positions: Sequence[int],
    *,
    encoded: Callable[[str], Any] | None = None,
) -> Iterator[tuple[Any, ...]]:
    """Bulk writers: each row with (prev_hash, row_hash) appended, in order, after the current tail.

    `positions` gives, for each of FIELDS, the index of that value in a row. The lock is taken when the
    first row is asked for, so a writer whose rows are generated late holds it only from then on.

    With `encoded` (a writer whose JSON columns take text as it is, e.g. `workbook.json_text.PreEncoded`),
    a `before` / `after` value that is plain (`_as_is`: what the database gives back already) is encoded
    ONCE, with the canonical encoder: that text is both its part of the canonical array and, wrapped by
    `encoded`, the value stored in the row (on PostgreSQL; SQLite stores the text with the writer's key
    order, a second encoding). Parsed back from the database it is the same value, so the
    canonical form computed at verification (`link` on what the database gives back) is the same text. A
    value that is not plain (floats, other key types) is stored as given and hashed as `link` hashes it."""
    if encoded is None:
        prev: str | None = None
        for row in rows:
            if prev is None:
                prev = lock_tail()
            digest = link(prev, [row[i] for i in positions])
            yield (*row, prev, digest)
            prev = digest
        return
    yield from _chain_encoded(rows, positions, encoded)


def _chain_encoded(
    rows: Iterable[Sequence[Any]], positions: Sequence[int], encoded: Callable[[str], Any]
) -> Iterator[tuple[Any, ...]]:
    head_at = positions[:_BEFORE]
    before_at, after_at = positions[_BEFORE], positions[_AFTER]
    tail_at = positions[_AFTER + 1 :]
    dumps, sha256, as_is, ordered = _dumps, hashlib.sha256, _as_is, _dumps_ordered
    # PostgreSQL's jsonb keeps keys in an order of its own whatever the text, so the canonical (sorted) text
    # serves as the stored one; SQLite keeps the text, and with it the order of the keys as the writer gave
    # them (the order the history page shows the fields in): there the stored text is encoded on its own
    sorted_ok = connection.vendor == "postgresql"
    last_at: Any = None
    last_at_text = ""
    tails: dict[tuple[Any, ...], str] = {}
    prev: str | None = None
    for row in rows:
        if prev is None:
            prev = lock_tail()
        out = list(row)
        texts = []
        for i in (before_at, after_at):
            value = row[i]
            if value is None:
                texts.append("null")
            elif as_is(value):
                text = dumps(value)
                texts.append(text)
                out[i] = encoded(text if sorted_ok else ordered(value))
            else:
                texts.append(dumps(_json(value)))
        at = row[head_at[0]]
        if at is not last_at:
            last_at, last_at_text = at, at_text(at)
        head = dumps([FORMAT, last_at_text, *(row[i] for i in head_at[1:])])
        key = tuple(row[i] for i in tail_at)
        tail = tails.get(key)
        if tail is None:
            tail = dumps(list(key))
            if len(tails) < 64:
                tails[key] = tail
        canonical_text = f"{head[:-1]},{texts[0]},{texts[1]},{tail[1:]}"
        digest = sha256(f"{prev}\n{canonical_text}".encode()).hexdigest()
        out.append(prev)
        out.append(digest)
        yield tuple(out)
        prev = digest


class Break:
    """The first entry where the chain does not hold, and why (Chinese)."""

    def __init__(self, entry_id: Any, reason: str):
        self.entry_id = entry_id
        self.reason = reason

    def __str__(self) -> str:
        return f"第 #{self.entry_id} 条记录：{self.reason}"


class Walk:
    """Verify entries in chain order: feed (id, FIELDS values, prev_hash, row_hash) to `step`."""

    def __init__(self, anchors: dict[int, str] | None = None):
        self.prev = GENESIS
        self.count = 0
        self.last_id: Any = None
        self.broken: Break | None = None
        self.anchors = dict(anchors or {})

    def step(self, entry_id: Any, values: Sequence[Any], prev_hash: str, row_hash: str) -> bool:
        """False (and `broken` set) at the first entry that breaks the chain."""
        if not row_hash:
            self.broken = Break(entry_id, "没有哈希（未经系统写入的记录）")
        elif prev_hash != self.prev:
            self.broken = Break(entry_id, "前一条哈希不符（此前的记录被删除、插入或改写）")
        elif link(prev_hash, values) != row_hash:
            self.broken = Break(entry_id, "内容与哈希不符（记录被修改）")
        elif entry_id in self.anchors and self.anchors.pop(entry_id) != row_hash:
            self.broken = Break(entry_id, "与上次校验记下的哈希不符（链被整体重算）")
        if self.broken is not None:
            return False
        self.prev = row_hash
        self.count += 1
        self.last_id = entry_id
        return True

    def finish(self) -> None:
        """Anchors never reached: entries seen by an earlier verification are gone."""
        if self.broken is None and self.anchors:
            missing = min(self.anchors)
            self.broken = Break(missing, "上次校验时存在的记录已不存在（记录被删除）")
