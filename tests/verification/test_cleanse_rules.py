"""Every Q-* rule of spec/verification.md §1 at its boundaries, on both engines (Python per household,
set-based SQL): ages exactly at the limits at the reference date, the full-date comparisons of the
age-gap rules (29 February included), income years, 计划脱贫年度 = Y vs Y−1, removed members and
households 清退/注销 out of scope."""

from __future__ import annotations

from datetime import date

from tests.verification import builders as b
from tests.verification.conftest import run_engine

Y = 2018


def _rule(engine: str, code: str, year: int = Y) -> set[tuple]:
    return {(h, m, text) for rule, h, m, text in run_engine(engine, year) if rule == code}


def test_it_flags_a_spouse_of_the_heads_gender(engine):
    hh = b.household()
    b.head(hh, male=False, name="王桂兰")
    same = b.member(hh, "李秀英", "配偶", date(1972, 1, 1), male=False)
    other = b.household()
    b.head(other)
    b.member(other, "刘芳", "配偶", date(1972, 1, 1), male=False)
    assert _rule(engine, "Q-SPOUSE-SEX") == {(hh.pk, same.pk, "配偶 李秀英 与户主同为女性")}


def test_it_flags_every_spouse_when_there_are_two(engine):
    hh = b.household()
    b.head(hh)
    first = b.member(hh, "李秀英", "配偶", date(1972, 1, 1), male=False)
    second = b.member(hh, "刘芳", "配偶", date(1975, 1, 1), male=False)
    one = b.household()
    b.head(one)
    b.member(one, "陈红", "配偶", date(1972, 1, 1), male=False)
    text = "户内登记配偶 2 人：李秀英、刘芳"
    assert _rule(engine, "Q-SPOUSE-COUNT") == {(hh.pk, first.pk, text), (hh.pk, second.pk, text)}


def test_a_removed_spouse_is_not_counted(engine):
    hh = b.household()
    b.head(hh)
    b.member(hh, "李秀英", "配偶", date(1972, 1, 1), male=False)
    b.member(hh, "刘芳", "配偶", date(1975, 1, 1), male=False, is_active=False, removed_reason="婚出")
    assert _rule(engine, "Q-SPOUSE-COUNT") == set()


def test_parent_age_compares_full_dates(engine):
    hh = b.household()
    b.head(hh, date(1990, 6, 15), name="户主甲")
    b.member(hh, "刚好十五", "之父", date(1975, 6, 15))  # + 15 years = the 户主's birth date: not after
    late = b.member(hh, "晚一天", "之母", date(1975, 6, 16), male=False)  # + 15 years is after
    assert _rule(engine, "Q-PARENT-AGE") == {
        (hh.pk, late.pk, "之母 晚一天 仅比户主 户主甲 年长 14 岁（应至少年长 15 岁）")
    }


def test_parent_born_after_the_head(engine):
    hh = b.household()
    b.head(hh, date(1990, 6, 15), name="户主乙")
    young = b.member(hh, "岳母", "之岳母", date(1991, 1, 1), male=False)
    assert _rule(engine, "Q-PARENT-AGE") == {
        (hh.pk, young.pk, "之岳母 岳母 出生晚于户主 户主乙（应至少年长 15 岁）")
    }


def test_a_parent_born_on_29_february(engine):
    # born 1980-02-29: + 15 years is 1995-03-01 (a birthday on 29 February comes on 1 March in a common
    # year), which is after a 户主 born 1995-02-28 and not after one born 1995-03-01.
    flagged = b.household()
    b.head(flagged, date(1995, 2, 28), name="甲")
    leap = b.member(flagged, "闰日父", "之父", date(1980, 2, 29))
    fine = b.household()
    b.head(fine, date(1995, 3, 1), name="乙")
    b.member(fine, "闰日父二", "之父", date(1980, 2, 29))
    assert _rule(engine, "Q-PARENT-AGE") == {
        (flagged.pk, leap.pk, "之父 闰日父 仅比户主 甲 年长 14 岁（应至少年长 15 岁）")
    }


def test_child_age_compares_full_dates(engine):
    hh = b.household()
    b.head(hh, date(1980, 3, 10), name="户主丙")
    b.member(hh, "刚好", "之子", date(1995, 3, 10))  # 户主 + 15 years = the child's birth: not after
    early = b.member(hh, "早一天", "之女", date(1995, 3, 9), male=False)
    older = b.member(hh, "更早", "之子", date(1979, 1, 1))
    assert _rule(engine, "Q-CHILD-AGE") == {
        (hh.pk, early.pk, "之女 早一天 出生时户主 户主丙 仅 14 岁（应至少 15 岁）"),
        (hh.pk, older.pk, "之子 更早 出生早于户主 户主丙（户主应至少年长 15 岁）"),
    }


def test_grandchild_age_with_a_head_born_on_29_february(engine):
    hh = b.household()
    b.head(hh, date(1960, 2, 29), name="闰日户主")
    b.member(hh, "孙甲", "之孙子", date(1990, 3, 1))  # the 户主 turns 30 on 1990-03-01: not after
    early = b.member(hh, "孙乙", "之外孙女", date(1990, 2, 28), male=False)
    assert _rule(engine, "Q-GRANDCHILD-AGE") == {
        (hh.pk, early.pk, "之外孙女 孙乙 出生时户主 闰日户主 仅 29 岁（应至少 30 岁）")
    }


def test_head_minor_at_exactly_16(engine):
    sixteen = b.household()
    b.head(sixteen, date(2002, 12, 31), name="十六岁")  # 16 on 2018-12-31
    fifteen = b.household()
    minor = b.head(fifteen, date(2003, 1, 1), name="十五岁")
    assert _rule(engine, "Q-HEAD-MINOR") == {(fifteen.pk, minor.pk, "户主 十五岁 年龄 15 岁，不满 16 岁")}


def test_child_labour_only_for_labour_skills(engine):
    hh = b.household()
    b.head(hh)
    b.member(hh, "十六", "之子", date(2002, 12, 31), labour_skill="普通劳动力")
    kid = b.member(hh, "十五", "之子", date(2003, 1, 1), labour_skill="技能劳动力")
    b.member(hh, "无劳", "之女", date(2008, 1, 1), male=False, labour_skill="无劳动力")
    assert _rule(engine, "Q-CHILD-LABOUR") == {
        (hh.pk, kid.pk, "十五 年龄 15 岁（不满 16 岁），劳动技能登记为技能劳动力")
    }


def test_preschool_old_at_exactly_7(engine):
    hh = b.household()
    b.head(hh)
    seven = b.member(hh, "七岁", "之子", date(2011, 12, 31), school_status="学前教育", education="学龄前儿童")
    b.member(
        hh, "六岁", "之女", date(2012, 1, 1), male=False, school_status="学前教育", education="学龄前儿童"
    )
    edu = b.member(hh, "九岁", "之子", date(2009, 5, 5), school_status="小学", education="学龄前儿童")
    assert _rule(engine, "Q-PRESCHOOL-OLD") == {
        (hh.pk, seven.pk, "七岁 年龄 7 岁，仍登记在校生状况为学前教育、文化程度为学龄前儿童"),
        (hh.pk, edu.pk, "九岁 年龄 9 岁，仍登记文化程度为学龄前儿童"),
    }


def test_infant_school_at_exactly_5(engine):
    hh = b.household()
    b.head(hh)
    five = b.member(hh, "五岁", "之子", date(2013, 12, 31), school_status="小学", education="学龄前儿童")
    b.member(hh, "六岁", "之子", date(2012, 12, 31), school_status="小学", education="学龄前儿童")
    b.member(
        hh, "学前", "之女", date(2015, 1, 1), male=False, school_status="学前教育", education="学龄前儿童"
    )
    assert _rule(engine, "Q-INFANT-SCHOOL") == {(hh.pk, five.pk, "五岁 年龄 5 岁，在校生状况登记为小学")}


def test_age_extreme_over_105(engine):
    hh = b.household()
    b.head(hh)
    b.member(hh, "一百零五", "之父", date(1913, 12, 31))  # 105 on the reference date
    old = b.member(hh, "一百零六", "之母", date(1912, 12, 31), male=False)
    assert _rule(engine, "Q-AGE-EXTREME") == {(hh.pk, old.pk, "一百零六 年龄 106 岁，超过 105 岁")}


def test_work_without_wage_reads_the_latest_income(engine):
    hh = b.household()
    b.head(hh)
    worker = b.member(hh, "务工三月", "之子", date(1995, 1, 1), work_months=3)
    b.member(hh, "务工两月", "之子", date(1996, 1, 1), work_months=2)
    b.income(hh, 2017, wage="0", business="5000")
    b.income(hh, 2019, wage="8000")  # after Y: not the latest income of 2018
    paid = b.household()
    b.head(paid)
    b.member(paid, "有工资", "之子", date(1995, 1, 1), work_months=12)
    b.income(paid, 2018, wage="0.01")
    none = b.household()
    b.head(none)
    b.member(none, "无收入记录", "之子", date(1995, 1, 1), work_months=12)
    assert _rule(engine, "Q-WORK-NO-WAGE") == {
        (hh.pk, worker.pk, "务工三月 务工 3 个月，而2017年收入的工资性收入为 0")
    }


def test_income_zero_of_the_latest_record(engine):
    zero = b.household()
    b.head(zero)
    b.income(zero, 2016, wage="100")
    b.income(zero, 2018, expense="300")  # expenses are not income
    some = b.household()
    b.head(some)
    b.income(some, 2018, transfer="0.01")
    later = b.household()
    b.head(later)
    b.income(later, 2019)  # no record ≤ Y
    assert _rule(engine, "Q-INCOME-ZERO") == {
        (zero.pk, None, "2018年收入的工资性、生产经营性、财产性、转移性收入合计为 0")
    }


def test_income_high_exactly_three_times_the_line(engine):
    # 2018 line 3535 元: 3 × 3535 × 2 people = 21210 元 is not above; 21210.01 is.
    at = b.household()
    b.head(at)
    b.member(at, "配偶甲", "配偶", date(1972, 1, 1), male=False)
    b.income(at, 2018, wage="21210")
    above = b.household()
    b.head(above)
    b.member(above, "配偶乙", "配偶", date(1972, 1, 1), male=False)
    b.income(above, 2018, wage="21310.01", expense="100")
    assert _rule(engine, "Q-INCOME-HIGH") == {
        (above.pk, None, "2018年人均纯收入 10,605.01 元（2人），超过2018年扶贫标准 3,535.00 元的 3 倍")
    }


def test_income_jump_needs_both_years(engine):
    jump = b.household()
    b.head(jump)
    b.income(jump, 2017, wage="1000")
    b.income(jump, 2018, wage="3000.01")
    flat = b.household()
    b.head(flat)
    b.income(flat, 2017, wage="1000")
    b.income(flat, 2018, wage="3000")  # exactly 3×: not more
    gap = b.household()
    b.head(gap)
    b.income(gap, 2016, wage="1000")
    b.income(gap, 2018, wage="9000")  # no 2017 record
    zero = b.household()
    b.head(zero)
    b.income(zero, 2017)
    b.income(zero, 2018, wage="9000")  # 2017 is 0
    assert _rule(engine, "Q-INCOME-JUMP") == {
        (jump.pk, None, "人均纯收入由2017年的 1,000.00 元增至2018年的 3,000.01 元，超过上年的 3 倍")
    }


def test_dibao_and_tekun_attributes(engine):
    dibao_none = b.household(attribute="低保贫困户")
    b.head(dibao_none, dibao=False)
    general = b.household()
    b.head(general)
    b.member(general, "低保甲", "配偶", date(1972, 1, 1), male=False, dibao=True)
    b.member(general, "低保乙", "之子", date(1995, 1, 1), dibao=True, tekun=True)
    ok = b.household(attribute="低保贫困户")
    b.head(ok, dibao=True)
    tekun = b.household(attribute="特困供养贫困户")
    b.head(tekun, dibao=True)  # 特困 with 低保: not a Q-DIBAO-ATTR case
    assert _rule(engine, "Q-DIBAO-ATTR") == {
        (dibao_none.pk, None, "贫困户属性为低保贫困户，但没有成员登记低保"),
        (general.pk, None, "贫困户属性为一般贫困户，但成员 低保甲、低保乙 登记低保"),
    }
    assert _rule(engine, "Q-TEKUN-ATTR") == {
        (general.pk, None, "贫困户属性为一般贫困户，但成员 低保乙 登记特困供养"),
        (tekun.pk, None, "贫困户属性为特困供养贫困户，但没有成员登记特困供养"),
    }


def test_duplicate_person_across_households(engine):
    first = b.household(code="A0001")
    b.head(first)
    one = b.member(first, "王小明", "之子", date(2001, 4, 4), sequence=11)
    second = b.household(code="A0002")
    b.head(second, date(1965, 1, 1), name="李大山")
    two = b.member(second, "王小明", "之孙子", date(2001, 4, 4), sequence=13)
    b.member(second, "王小明", "其他", date(2001, 4, 4), male=False, sequence=12)  # other gender
    third = b.household(code="A0003")
    b.head(third, date(1966, 1, 1), name="赵一")
    b.member(third, "王小明", "之子", date(2001, 4, 5), sequence=15)  # other birth date
    assert _rule(engine, "Q-DUP-PERSON") == {
        (first.pk, one.pk, "与户 A0002的 王小明 姓名、性别、出生日期相同而证件号码不同"),
        (second.pk, two.pk, "与户 A0001的 王小明 姓名、性别、出生日期相同而证件号码不同"),
    }


def test_exit_without_income_of_its_exit_year(engine):
    missing = b.household(exit_status="已脱贫", exit_year=2017)
    b.head(missing)
    b.income(missing, 2018, wage="9000")
    present = b.household(exit_status="已脱贫", exit_year=2017)
    b.head(present)
    b.income(present, 2017, wage="9000")
    no_year = b.household(exit_status="已脱贫", exit_year=None)
    b.head(no_year)
    assert _rule(engine, "Q-EXIT-NO-INCOME") == {
        (missing.pk, None, "已脱贫（脱贫年度 2017），但没有2017年的收入记录"),
        (no_year.pk, None, "已脱贫，但未填写脱贫年度，无从核对该年度的收入记录"),
    }


def test_plan_overdue_is_strictly_before_y(engine):
    this_year = b.household(planned_exit_year=Y)
    b.head(this_year)
    last_year = b.household(planned_exit_year=Y - 1, exit_status="返贫")
    b.head(last_year)
    exited = b.household(planned_exit_year=Y - 1, exit_status="已脱贫", exit_year=2017)
    b.head(exited)
    assert _rule(engine, "Q-PLAN-OVERDUE") == {
        (last_year.pk, None, "脱贫状态为返贫，计划脱贫年度 2017 早于2018年")
    }


def test_removed_members_and_households_off_the_register_are_out_of_scope(engine):
    purged = b.household(registry_status="已清退", planned_exit_year=2010)
    b.head(purged, date(2005, 1, 1))
    cancelled = b.household(registry_status="已注销", planned_exit_year=2010)
    b.head(cancelled, date(2005, 1, 1))
    kept = b.household()
    b.head(kept)
    b.member(kept, "已故老人", "之父", date(1900, 1, 1), is_active=False, removed_reason="死亡")
    b.member(kept, "婚出", "之女", date(2015, 1, 1), male=False, school_status="小学", is_active=False)
    assert run_engine(engine, Y) == set()


def test_the_head_is_the_first_active_head(engine):
    # A removed 户主 is not compared against; the active one is.
    hh = b.household()
    b.head(hh, date(1940, 1, 1), name="老户主", is_active=False)
    b.head(hh, date(1990, 1, 1), name="新户主")
    child = b.member(hh, "孩子", "之子", date(2000, 1, 1))
    assert _rule(engine, "Q-CHILD-AGE") == {
        (hh.pk, child.pk, "之子 孩子 出生时户主 新户主 仅 10 岁（应至少 15 岁）")
    }


def test_duplicates_are_sought_within_the_runs_scope(standard, rules):
    from jingzhun.verification.cleanse import run_cleanse
    from tests.factories import OTHER_VILLAGE, VILLAGE

    here = b.household(code="D0001")
    b.head(here)
    mine = b.member(here, "王小明", "之子", date(2001, 4, 4), sequence=11)
    there = b.household(code="D0002", village=OTHER_VILLAGE)
    b.head(there, date(1960, 1, 1), name="李大山")
    b.member(there, "王小明", "之孙子", date(2001, 4, 4), sequence=13)
    county = [(h.household_id, h.member_id) for h in run_cleanse(Y) if h.rule == "Q-DUP-PERSON"]
    assert (here.pk, mine.pk) in county and len(county) == 2
    assert [h for h in run_cleanse(Y, VILLAGE[:9]) if h.rule == "Q-DUP-PERSON"] == []


def test_an_income_known_only_per_capita_is_unknown_to_the_income_rules(engine):
    """A national person list gives 人均纯收入 only (components unknown, docs/national-list.md): the rules
    summing components find nothing for that year on either engine — unknown is not 0 — and the record
    still counts as the exit year's income."""
    from decimal import Decimal

    from jingzhun.registry.models import IncomeRecord

    hh = b.household(exit_status="已脱贫", exit_year=2018)
    b.head(hh)
    b.member(hh, "务工一年", "之子", date(1995, 1, 1), work_months=12)
    b.income(hh, 2017, wage="100")  # a jump from 100 would be found if the unknown year were summed
    IncomeRecord.objects.create(
        household=hh,
        year=2018,
        wage=None,
        business=None,
        property_income=None,
        transfer=None,
        business_expense=None,
        per_capita_net=Decimal("90000"),
    )
    found = {rule for rule, h, _, _ in run_engine(engine, 2018) if h == hh.pk}
    assert not found & {
        "Q-WORK-NO-WAGE",
        "Q-INCOME-ZERO",
        "Q-INCOME-HIGH",
        "Q-INCOME-JUMP",
        "Q-EXIT-NO-INCOME",
    }
