"""The legal clock of a ledger item (时限、逾期、延期、暂停) and the escalation ladder — pure functions.

Overdue (逾期) as of a date D (spec/ledger.md): an item not closed whose 时限 < D, or one closed after its
时限 (逾期办结). 逾期天数 = (the earlier of D and the closing date) − 时限, in days, when positive, else 0.
时限 here is the *effective* deadline: the original one plus approved extensions (延期 is not a breach)
plus the days the clock was paused (暂停计时, where the kind allows it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from jingzhun.ledger import kinds


def overdue_days(
    due: date, as_of: date, closed_on: date | None = None, paused_since: date | None = None
) -> int:
    """逾期天数 as of D. While the clock is paused (since P) the count stands still at P − 时限."""
    end = as_of
    for stop in (closed_on, paused_since):
        if stop is not None and stop < end:
            end = stop
    return max(0, (end - due).days)


def is_overdue(
    due: date, as_of: date, closed_on: date | None = None, paused_since: date | None = None
) -> bool:
    return overdue_days(due, as_of, closed_on, paused_since) > 0


def paused_days(pauses: Iterable[tuple[date, date | None]], as_of: date) -> int:
    """Days the clock stood still up to D: each pause counts from its start to its end (or D)."""
    total = 0
    for start, end in pauses:
        if start >= as_of:
            continue
        stop = as_of if end is None or end > as_of else end
        total += max(0, (stop - start).days)
    return total


def effective_due(
    deadline: date, *, extension_days: int = 0, pauses: Iterable[tuple[date, date | None]] = (), as_of: date
) -> date:
    return deadline + timedelta(days=extension_days + paused_days(pauses, as_of))


def check_deadline(assigned_on: date, deadline: date) -> str | None:
    if deadline < assigned_on:
        return f"时限 {deadline.isoformat()} 不能早于交办日期 {assigned_on.isoformat()}"
    return None


def check_extension(kind: kinds.Kind, days: int, already: int) -> str | None:
    if kind.max_extension_days <= 0:
        return f"{kind.label}不允许延期"
    if already:
        return "只能延期一次"
    if days <= 0:
        return "延期天数必须是正整数"
    if days > kind.max_extension_days:
        return f"延期不得超过 {kind.max_extension_days} 天"
    return None


def petition_due(registered_on: date, accepted_on: date | None = None) -> date:
    """信访工作条例: accept or refuse within 15 days of registration; handle within 60 days of acceptance."""
    if accepted_on is None:
        return registered_on + timedelta(days=kinds.PETITION_ROUTE_DAYS)
    return accepted_on + timedelta(days=kinds.PETITION_HANDLE_DAYS)


def petition_import_due(registered_on: date) -> date:
    """The import's default 办理时限: 登记日期 + 15 + 60 days."""
    return registered_on + timedelta(days=kinds.PETITION_ROUTE_DAYS + kinds.PETITION_HANDLE_DAYS)


def review_due(requested_on: date) -> date:
    return requested_on + timedelta(days=kinds.PETITION_REVIEW_DAYS)


# --- escalation ladder (督办升级) --------------------------------------------------------------------
@dataclass(frozen=True)
class Rung:
    code: str
    label: str
    after_days: int  # reached when 逾期天数 ≥ after_days (and the item is overdue at all)


DEFAULT_LADDER: tuple[Rung, ...] = (
    Rung("remind", "提醒", 0),
    Rung("supervise", "督办", 7),
    Rung("notify", "通报", 15),
    Rung("interview", "约谈", 30),
)


def rungs_reached(days_overdue: int, ladder: Sequence[Rung] = DEFAULT_LADDER) -> list[Rung]:
    """Every rung an item with this many overdue days has reached. Day 0 is the first overdue day:
    an item due on D is not overdue on D, gets 提醒 on D+1, 督办 on D+7, 通报 on D+15, 约谈 on D+30."""
    if days_overdue <= 0:
        return []
    return [r for r in ladder if days_overdue >= max(r.after_days, 1)]


def rung_cutoff(rung: Rung, as_of: date) -> date:
    """The latest effective deadline that has reached `rung` as of D (for a set-based query)."""
    return as_of - timedelta(days=max(rung.after_days, 1))


def parse_ladder(text: str) -> tuple[Rung, ...]:
    """`提醒:0,督办:7,通报:15,约谈:30` → rungs (configuration, e.g. JINGZHUN_LEDGER_LADDER)."""
    codes = {r.label: r.code for r in DEFAULT_LADDER}
    rungs = []
    for part in text.split(","):
        if not part.strip():
            continue
        label, _, days = part.partition(":")
        label = label.strip()
        rungs.append(Rung(codes.get(label, label), label, int(days)))
    return tuple(sorted(rungs, key=lambda r: r.after_days))
