"""The legal clock and the ladder as pure functions (spec/ledger.md 逾期, 逾期天数)."""

from __future__ import annotations

from datetime import date

from jingzhun.ledger import clock

DUE = date(2018, 6, 30)


def test_it_counts_overdue_days_for_open_items():
    assert clock.overdue_days(DUE, date(2018, 6, 30)) == 0
    assert not clock.is_overdue(DUE, date(2018, 6, 30))
    assert clock.overdue_days(DUE, date(2018, 7, 1)) == 1
    assert clock.overdue_days(DUE, date(2018, 7, 31)) == 31
    assert clock.overdue_days(DUE, date(2018, 6, 1)) == 0


def test_it_stops_the_count_at_the_closing_date():
    assert clock.overdue_days(DUE, date(2018, 12, 31), closed_on=date(2018, 7, 5)) == 5  # 逾期办结
    assert clock.overdue_days(DUE, date(2018, 12, 31), closed_on=date(2018, 6, 20)) == 0
    # the earlier of D and the closing date
    assert clock.overdue_days(DUE, date(2018, 7, 3), closed_on=date(2018, 7, 10)) == 3


def test_an_extension_is_not_a_breach():
    due = clock.effective_due(DUE, extension_days=30, as_of=date(2018, 7, 20))
    assert due == date(2018, 7, 30)
    assert not clock.is_overdue(due, date(2018, 7, 20))
    assert clock.overdue_days(due, date(2018, 8, 2)) == 3


def test_a_pause_stops_the_clock():
    pauses = [(date(2018, 6, 10), date(2018, 6, 20))]
    assert clock.paused_days(pauses, date(2018, 7, 1)) == 10
    assert clock.effective_due(DUE, pauses=pauses, as_of=date(2018, 7, 1)) == date(2018, 7, 10)
    open_pause = [(date(2018, 6, 25), None)]
    assert clock.paused_days(open_pause, date(2018, 7, 5)) == 10
    # an item paused while already overdue keeps the days it had, no more
    assert clock.overdue_days(DUE, date(2018, 8, 1), paused_since=date(2018, 7, 3)) == 3


def test_extension_rules_follow_the_regulation():
    from jingzhun.ledger import kinds

    assert clock.check_extension(kinds.PETITION, 30, 0) is None
    assert "30" in clock.check_extension(kinds.PETITION, 31, 0)
    assert clock.check_extension(kinds.PETITION, 10, 10) == "只能延期一次"
    assert "不允许延期" in clock.check_extension(kinds.PROBLEM, 10, 0)


def test_petition_limits():
    reg = date(2018, 1, 1)
    assert clock.petition_due(reg) == date(2018, 1, 16)
    assert clock.petition_due(reg, date(2018, 1, 10)) == date(2018, 3, 11)
    assert clock.petition_import_due(reg) == date(2018, 3, 17)
    assert clock.review_due(date(2018, 5, 1)) == date(2018, 5, 31)


def test_deadline_before_assignment_is_refused():
    assert (
        clock.check_deadline(date(2018, 3, 1), date(2018, 2, 28))
        == "时限 2018-02-28 不能早于交办日期 2018-03-01"
    )
    assert clock.check_deadline(date(2018, 3, 1), date(2018, 3, 1)) is None


def test_the_ladder_at_its_boundaries():
    names = lambda days: [r.label for r in clock.rungs_reached(days)]  # noqa: E731
    assert names(0) == []  # due today: not overdue yet
    assert names(1) == ["提醒"]  # day 0 of the ladder: the first overdue day
    assert names(6) == ["提醒"]
    assert names(7) == ["提醒", "督办"]
    assert names(14) == ["提醒", "督办"]
    assert names(15) == ["提醒", "督办", "通报"]
    assert names(29) == ["提醒", "督办", "通报"]
    assert names(30) == ["提醒", "督办", "通报", "约谈"]


def test_the_ladder_is_configurable():
    rungs = clock.parse_ladder("督办:3,提醒:0")
    assert [(r.label, r.after_days) for r in rungs] == [("提醒", 0), ("督办", 3)]
    assert [r.label for r in clock.rungs_reached(3, rungs)] == ["提醒", "督办"]
    assert clock.rung_cutoff(rungs[1], date(2018, 7, 10)) == date(2018, 7, 7)
