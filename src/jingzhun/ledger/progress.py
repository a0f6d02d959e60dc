"""Task indicator progress (任务指标进度) and its traffic light (红黄绿) — pure functions.

Green: the target is met, or progress keeps pace with the time elapsed; yellow: within 80 % of that
pace; red: behind that, or the deadline passed with the target unmet."""

from __future__ import annotations

from datetime import date

GREEN, YELLOW, RED = "green", "yellow", "red"
LIGHT_LABELS = {GREEN: "绿", YELLOW: "黄", RED: "红"}


def elapsed_share(start: date, deadline: date, as_of: date) -> float:
    if as_of >= deadline or deadline <= start:
        return 1.0
    if as_of <= start:
        return 0.0
    return (as_of - start).days / (deadline - start).days


def light(value: int, target: int, *, start: date, deadline: date, as_of: date) -> str:
    if target <= 0 or value >= target:
        return GREEN
    if as_of > deadline:
        return RED
    pace = elapsed_share(start, deadline, as_of)
    share = value / target
    if share >= pace:
        return GREEN
    if share >= 0.8 * pace:
        return YELLOW
    return RED
