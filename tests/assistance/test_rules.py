"""五天四夜 and the visit interval, as pure rules."""

from __future__ import annotations

from datetime import date, timedelta

from jingzhun.assistance.rules import five_days_four_nights, last_week_start, not_visited_since, week_start

MONDAY = date(2026, 11, 16)


def _week(days: int, nights: int) -> list[tuple[date, bool]]:
    return [(MONDAY + timedelta(days=i), i < nights) for i in range(days)]


def test_it_passes_five_days_and_four_nights_exactly():
    result = five_days_four_nights(_week(5, 4), start=MONDAY)
    assert result.passed and (result.days, result.nights) == (5, 4) and result.reasons == []


def test_it_fails_four_days():
    result = five_days_four_nights(_week(4, 4), start=MONDAY)
    assert not result.passed and result.reasons == ["在村 4 天，少于 5 天"]


def test_it_fails_three_nights():
    result = five_days_four_nights(_week(7, 3), start=MONDAY)
    assert not result.passed and result.reasons == ["住村 3 夜，少于 4 夜"]


def test_it_ignores_check_ins_outside_the_week_and_counts_sunday_night():
    rows = _week(4, 3) + [
        (MONDAY + timedelta(days=6), True),
        (MONDAY - timedelta(days=1), True),
        (MONDAY + timedelta(days=7), True),
    ]
    result = five_days_four_nights(rows, start=MONDAY)
    assert (result.days, result.nights, result.passed) == (5, 4, True)


def test_it_counts_a_day_once():
    rows = [(MONDAY, True), (MONDAY, False)] + _week(4, 4)
    assert five_days_four_nights(rows, start=MONDAY).days == 4


def test_it_uses_configured_thresholds():
    assert five_days_four_nights(_week(3, 2), start=MONDAY, min_days=3, min_nights=2).passed


def test_it_finds_weeks_and_the_visit_cutoff():
    assert week_start(date(2026, 11, 22)) == MONDAY  # a Sunday
    assert last_week_start(date(2026, 11, 23)) == MONDAY
    assert not_visited_since(date(2026, 11, 30), 30) == date(2026, 10, 31)
