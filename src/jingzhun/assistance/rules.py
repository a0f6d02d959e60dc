"""Pure rules of help and responsibility, over plain data.

五天四夜 (five days and four nights in the village each week), as evaluated here:
- the week is a calendar week, Monday to Sunday (dates in the county's local time);
- a *day* counts when the cadre has a check-in (驻村签到) dated that day — at most one per day;
- a *night* counts when that day's check-in is marked 住村 (stayed the night following that day in the
  village); Sunday's night belongs to the week of that Sunday;
- the week passes when days ≥ `min_days` and nights ≥ `min_nights` (defaults 5 and 4; configurable,
  默认口径，可配置).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def last_week_start(today: date) -> date:
    return week_start(today) - timedelta(days=7)


@dataclass(frozen=True)
class WeekResult:
    week_start: date
    days: int
    nights: int
    passed: bool
    reasons: list[str] = field(default_factory=list)


def five_days_four_nights(
    check_ins: Iterable[tuple[date, bool]], *, start: date, min_days: int = 5, min_nights: int = 4
) -> WeekResult:
    """Evaluate one cadre's week from (day, overnight) pairs; pairs outside the week are ignored."""
    end = start + timedelta(days=6)
    days: set[date] = set()
    nights: set[date] = set()
    for day, overnight in check_ins:
        if start <= day <= end:
            days.add(day)
            if overnight:
                nights.add(day)
    reasons = []
    if len(days) < min_days:
        reasons.append(f"在村 {len(days)} 天，少于 {min_days} 天")
    if len(nights) < min_nights:
        reasons.append(f"住村 {len(nights)} 夜，少于 {min_nights} 夜")
    return WeekResult(
        week_start=start, days=len(days), nights=len(nights), passed=not reasons, reasons=reasons
    )


def not_visited_since(today: date, interval_days: int) -> date:
    """A household counts as visited when its latest visit is on or after this date (today − N days):
    a visit exactly N days ago still counts; N + 1 days ago does not."""
    return today - timedelta(days=interval_days)
