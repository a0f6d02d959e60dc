"""The daily escalation pass (督办升级): every overdue open item climbs the ladder's rungs it has reached.

Set-based: one INSERT … SELECT per rung (four statements for the default ladder, never one per item);
the unique (item, rung) constraint and a NOT EXISTS make the pass idempotent — running it twice, or on
an earlier date after a later one, adds nothing. Each new rung is a recorded action with its audit row,
written in the same transaction. The ladder is configuration: JINGZHUN_LEDGER_LADDER, e.g.
`提醒:0,督办:7,通报:15,约谈:30`."""

from __future__ import annotations

import os
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from jingzhun.core import audit
from jingzhun.ledger import clock, kinds
from jingzhun.ledger.models import Escalation

CLOSED = kinds.CLOSED_STATES  # the same list: kinds registered later count too


def ladder() -> tuple[clock.Rung, ...]:
    text = os.environ.get("JINGZHUN_LEDGER_LADDER", "").strip()
    return clock.parse_ladder(text) if text else clock.DEFAULT_LADDER


def overdue_sql() -> str:
    """The open, running (not paused), overdue items as of %s — the pass's candidate set, as plain SQL."""
    marks = ", ".join(["%s"] * len(CLOSED))
    return (
        "SELECT id FROM ledger_item WHERE status NOT IN (" + marks + ") "
        "AND paused_since IS NULL AND due_on < %s"
    )


@transaction.atomic
def escalate(*, as_of: date | None = None, rungs: tuple[clock.Rung, ...] | None = None) -> dict[str, int]:
    """Record every rung reached as of D that is not yet recorded; returns new rows per rung label."""
    as_of = as_of or date.today()
    rungs = rungs or ladder()
    now = timezone.now()
    marks = ", ".join(["%s"] * len(CLOSED))
    counts: dict[str, int] = {}
    ops = connection.ops
    stamp, day = ops.adapt_datetimefield_value(now), ops.adapt_datefield_value(as_of)
    with connection.cursor() as cursor:
        for rung in rungs:
            cursor.execute(
                "INSERT INTO ledger_escalation (item_id, rung, label, as_of, created_at) "
                "SELECT i.id, %s, %s, %s, %s FROM ledger_item i "
                "WHERE i.status NOT IN (" + marks + ") AND i.paused_since IS NULL AND i.due_on <= %s "
                "AND NOT EXISTS (SELECT 1 FROM ledger_escalation e WHERE e.item_id = i.id AND e.rung = %s)",
                [
                    rung.code,
                    rung.label,
                    day,
                    stamp,
                    *CLOSED,
                    ops.adapt_datefield_value(clock.rung_cutoff(rung, as_of)),
                    rung.code,
                ],
            )
            counts[rung.label] = cursor.rowcount
    # One audit row per new rung, in the same transaction. The rows of this pass carry its timestamp; the
    # entries are built in Python because each carries the hash of the one before it (core.chain), which
    # SQL cannot compute on SQLite. Still one read and one bulk write, never a query per item.
    new = (
        Escalation.objects.filter(created_at=now, as_of=as_of)
        .order_by("id")
        .values_list("item_id", "rung", "label", "item__kind", "item__code", "item__household_id")
    )
    audit.record_many(
        [
            audit.entry(
                actor=None,
                action=f"ledger.escalate.{rung}",
                object_type="ledger_item",
                object_id=item_id,
                object_label=f"{kinds.LABELS.get(kind, '')} {code}".strip(),
                household_id=household_id,
                after={"as_of": as_of.isoformat()},
                note=f"逾期{label}",
            )
            for item_id, rung, label, kind, code, household_id in new.iterator(chunk_size=5000)
        ]
    )
    return counts
