"""The daily escalation pass (督办升级): every overdue open item climbs the ladder's rungs it has reached.

Set-based: one INSERT … SELECT per rung (four statements for the default ladder, never one per item);
the unique (item, rung) constraint and a NOT EXISTS make the pass idempotent — running it twice, or on
an earlier date after a later one, adds nothing. Each new rung is a recorded action with its audit row,
written in the same transaction. The ladder is configuration: JINGZHUN_LEDGER_LADDER, e.g.
`提醒:0,督办:7,通报:15,约谈:30`."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

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
    """Record every rung reached as of D that is not yet recorded; returns new rows per rung label.

    One INSERT … SELECT for the whole ladder: the open, running items are read once and joined with the
    rungs (a VALUES list of code, label and cutoff), the (item, rung) unique index answers the NOT EXISTS.
    The audit trail gets one entry per rung and pass naming every item it reached (the items' ids), plus
    one entry per escalated item that names a household, so the household's own trail shows it — not one
    hashed entry per item and rung, which made the pass per-row Python (280,000 entries at 100,000 items)."""
    as_of = as_of or date.today()
    rungs = rungs or ladder()
    now = timezone.now()
    marks = ", ".join(["%s"] * len(CLOSED))
    ops = connection.ops
    stamp, day = ops.adapt_datetimefield_value(now), ops.adapt_datefield_value(as_of)
    # PostgreSQL types a bare parameter in a UNION as text; SQLite's CAST AS DATE would turn the ISO text
    # into the number 2018, so the cast is PostgreSQL's only.
    cutoff = "CAST(%s AS DATE)" if connection.vendor == "postgresql" else "%s"
    values = " UNION ALL ".join(
        [f"SELECT %s AS code, %s AS label, {cutoff} AS cutoff, %s AS n" for _ in rungs]
    )
    params: list[Any] = []
    for n, rung in enumerate(rungs):
        params += [rung.code, rung.label, ops.adapt_datefield_value(clock.rung_cutoff(rung, as_of)), n]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM ledger_escalation")
        floor = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO ledger_escalation (item_id, rung, label, as_of, created_at) "
            "SELECT i.id, r.code, r.label, %s, %s FROM ledger_item i "
            "JOIN (" + values + ") r ON i.due_on <= r.cutoff "
            "WHERE i.status NOT IN (" + marks + ") AND i.paused_since IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM ledger_escalation e WHERE e.item_id = i.id AND e.rung = r.code) "
            "ORDER BY r.n, i.id",
            [day, stamp, *params, *CLOSED],
        )
    # The rows of this pass: above the id floor (a primary-key range, not a scan) and stamped by it.
    new = Escalation.objects.filter(id__gt=floor, created_at=now).order_by("id")
    by_rung: dict[str, list[int]] = {r.code: [] for r in rungs}
    for item_id, code in new.values_list("item_id", "rung").iterator(chunk_size=10000):
        by_rung[code].append(item_id)
    counts = {r.label: len(by_rung[r.code]) for r in rungs}
    entries = [
        audit.entry(
            actor=None,
            action=f"ledger.escalate.{r.code}",
            object_type="ledger_escalation",
            object_id=f"{as_of.isoformat()}:{r.code}",
            object_label=f"逾期{r.label} {as_of.isoformat()}",
            after={
                "as_of": as_of.isoformat(),
                "rung": r.label,
                "count": len(by_rung[r.code]),
                "items": by_rung[r.code],
            },
            note=f"逾期{r.label} {len(by_rung[r.code])} 件",
        )
        for r in rungs
        if by_rung[r.code]
    ]
    household_rows = new.filter(item__household_id__isnull=False).values_list(
        "item_id", "rung", "label", "item__kind", "item__code", "item__household_id"
    )
    entries += [
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
        for item_id, rung, label, kind, code, household_id in household_rows.iterator(chunk_size=5000)
    ]
    audit.record_many(entries)
    return counts
