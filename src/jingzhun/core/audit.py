"""Write audit rows. Services call `record` inside their own atomic block.

Every row is linked into the hash chain (core.chain) as it is written: the chain lock is taken and held
until the caller's transaction ends, so call `record` as late in the transaction as is natural."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from jingzhun.core import chain
from jingzhun.core.models import AuditEntry


def plain(value: Any) -> Any:
    """JSON-safe form of a field value for before/after snapshots."""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {f: plain(getattr(obj, f)) for f in fields}


def _actor_name(actor: Any) -> str:
    if actor is None:
        return "系统"
    return getattr(actor, "display_name", "") or getattr(actor, "username", "")


def entry(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: Any,
    object_label: str = "",
    household_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    job_id: int | None = None,
    note: str = "",
) -> AuditEntry:
    """Build an unsaved entry (for bulk writers)."""
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_label=object_label[:200],
        household_id=household_id,
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        job_id=job_id,
        note=note[:500],
        at=timezone.now(),
    )


def hashed_values(item: AuditEntry) -> list[Any]:
    """The entry's values in chain.FIELDS order."""
    return [getattr(item, name) for name in chain.FIELDS]


def record(**kwargs: Any) -> AuditEntry:
    """Save one audit row; must run inside the caller's transaction so both land or neither."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the write's transaction")
    item = entry(**kwargs)
    item.save()  # linked into the chain by AuditEntry.save
    return item


def audited_update(
    obj: Any,
    values: Mapping[str, Any],
    *,
    fields: Iterable[str],
    actor: Any,
    action: str,
    label: str | Callable[[Any], str],
    household_id: int | None = None,
    object_type: str | None = None,
    only_changed: bool = False,
    on_change: Any = None,
    save: Any = None,
) -> bool:
    """The shape of every update service: snapshot `fields`, set `values`, save, and write the audit row
    when the snapshot changed (a new object, not yet saved, has no before). `on_change(obj)` runs before
    the save when something changed (e.g. bump the row's version); `save()` replaces `obj.save()` (e.g.
    to turn a unique-constraint race into a field error); `only_changed` keeps only the changed fields
    in before/after; `label` may be a function of the updated object (a renamed member is audited
    under its new name). `actor` is the acting accounts.access.Actor (its user is recorded). Inside the
    caller's transaction; returns whether anything changed."""
    fields = tuple(fields)
    adding = obj._state.adding
    before = None if adding else snapshot(obj, fields)
    for name, value in values.items():
        setattr(obj, name, value)
    after = snapshot(obj, fields)
    changed = before != after
    if changed and on_change is not None:
        on_change(obj)
    (save or obj.save)()
    if changed:
        if only_changed and before is not None:
            keys = [k for k in fields if before[k] != after[k]]
            before, after = {k: before[k] for k in keys}, {k: after[k] for k in keys}
        record(
            actor=actor.user,
            action=action,
            object_type=object_type or obj._meta.model_name,
            object_id=obj.pk,
            object_label=label(obj) if callable(label) else label,
            household_id=household_id,
            before=before,
            after=after,
        )
    return changed


def record_many(items: list[AuditEntry]) -> None:
    """Save unsaved entries (`entry`) in order, chained; inside the caller's transaction."""
    if not items:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many must be called inside the write's transaction")
    AuditEntry.objects.bulk_create(items, batch_size=2000)  # chained in order by the queryset
