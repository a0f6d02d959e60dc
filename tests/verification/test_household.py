"""One household's hits for its page (Python engine): its own rules, Q-DUP-PERSON against members of
other households on the register, nothing for a household off the register — the same as the county run
finds for that household."""

from __future__ import annotations

from datetime import date

from jingzhun.registry.models import Household
from jingzhun.verification.cleanse import cleanse_household, run_cleanse
from tests.factories import OTHER_VILLAGE
from tests.verification import builders as b


def test_it_finds_the_households_hits_as_the_county_run_does(standard, rules):
    hh = b.household(code="C0001", planned_exit_year=2017)
    b.head(hh, date(1980, 1, 1))
    twin = b.member(hh, "王小明", "之子", date(2001, 4, 4), sequence=11)
    other = b.household(code="C0002", village=OTHER_VILLAGE)
    b.head(other, date(1960, 1, 1), name="李大山")
    b.member(other, "王小明", "之孙子", date(2001, 4, 4), sequence=13)
    gone = b.household(code="C0003", registry_status="已清退")
    b.head(gone, date(1961, 1, 1), name="钱")
    b.member(gone, "王小明", "之孙子", date(2001, 4, 4), sequence=15)
    page = cleanse_household(hh, 2018)
    assert [(h.rule, h.member_id, h.explanation) for h in page] == [
        ("Q-DUP-PERSON", twin.pk, "与户 C0002的 王小明 姓名、性别、出生日期相同而证件号码不同"),
        ("Q-PLAN-OVERDUE", None, "脱贫状态为未脱贫，计划脱贫年度 2017 早于2018年"),
    ]
    assert page == [h for h in run_cleanse(2018) if h.household_id == hh.pk]
    assert cleanse_household(Household.objects.get(pk=gone.pk), 2018) == []
