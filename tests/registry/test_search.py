"""Household list filters, search (name, ID, 户编号, pinyin initials) and keyset pagination."""

from __future__ import annotations

from datetime import date

import pytest

from jingzhun.accounts.access import actor_for
from jingzhun.registry.selectors import (
    HouseholdFilter,
    filter_households,
    households_visible,
    page_households,
)
from jingzhun.registry.services.members import member_remove
from tests.factories import OTHER_VILLAGE, VILLAGE, member_row, register


def _family(head: str, spouse: str, born: date = date(1970, 5, 1)):
    return [member_row(head, "户主", born), member_row(spouse, "配偶", date(1972, 3, 9), male=False)]


@pytest.fixture
def people(admin_actor):
    return {
        "张三": register(admin_actor, members=_family("张三", "李四")),
        "赵四": register(
            admin_actor,
            members=_family("赵四", "钱芳"),
            exit_status="已脱贫",
            exit_year="2017",
            attribute="低保贫困户",
        ),
        "张山峰": register(
            admin_actor, members=_family("张山峰", "孙丽"), main_cause="因学", planned_exit_year="2019"
        ),
        "王五": register(admin_actor, village=OTHER_VILLAGE, members=_family("王五", "张三丰")),
    }


def _search(actor, **kwargs) -> set[str]:
    query = filter_households(households_visible(actor), HouseholdFilter(**kwargs), actor=actor)
    return set(query.values_list("head_name", flat=True))


def test_it_finds_zhang_san_by_pinyin_initials(admin_actor, people):
    assert "张三" in _search(admin_actor, q="zs")
    assert _search(admin_actor, q="zs") == {"张三", "赵四", "张山峰"}  # 赵四 is zs too; 张山峰 starts with zs
    assert _search(admin_actor, q="ZS") == _search(admin_actor, q="zs")
    assert _search(admin_actor, q="z") == {"张三", "赵四", "张山峰"}
    assert _search(admin_actor, q="zsf") == {"张山峰"}


def test_it_finds_by_name_prefix_of_the_head_or_any_member(admin_actor, people):
    assert _search(admin_actor, q="张") == {"张三", "张山峰", "王五"}  # 王五's wife is 张三丰
    assert _search(admin_actor, q="张山") == {"张山峰"}
    assert _search(admin_actor, q="钱芳") == {"赵四"}
    assert _search(admin_actor, q="三") == set()


def test_it_ignores_removed_members_in_a_name_search(admin_actor, people):
    member_remove(actor=admin_actor, member=people["赵四"].members.get(name="钱芳"), reason="死亡")
    assert _search(admin_actor, q="钱芳") == set()


def test_it_finds_by_id_number_prefix_of_the_head_or_a_member(admin_actor, people):
    spouse = people["赵四"].members.get(relation="配偶")
    assert _search(admin_actor, q=spouse.id_number) == {"赵四"}
    assert _search(admin_actor, q=spouse.id_number[:14]) >= {"赵四"}
    head_id = people["张三"].head_id_number
    assert "张三" in _search(admin_actor, q=head_id[:10])
    assert _search(admin_actor, q=head_id[:17] + head_id[17].lower()) == {"张三"}


def test_it_finds_by_household_code(admin_actor, people):
    code = people["王五"].code
    assert code.startswith("T") and code[1:].isdigit()
    assert _search(admin_actor, q=code) == {"王五"}
    numeric = register(admin_actor, code="4308211022040007", members=_family("刘一", "陈二"))
    dashed = register(admin_actor, code="XK-2018-0001", members=_family("周一", "吴二"))
    assert _search(admin_actor, q="430821102204") == {numeric.head_name}
    assert _search(admin_actor, q="XK-2018") == {dashed.head_name}


def test_it_searches_only_inside_the_actors_scope(village_cadre, people):
    actor = actor_for(village_cadre)
    assert _search(actor, q="张") == {"张三", "张山峰"}
    assert _search(actor, q="ws") == set()
    assert _search(actor, region=OTHER_VILLAGE) == set()


def test_it_filters_by_region_status_attribute_cause_and_plan_year(admin_actor, people):
    assert _search(admin_actor, region=OTHER_VILLAGE) == {"王五"}
    assert _search(admin_actor, region=VILLAGE[:9] + "000") == {"张三", "赵四", "张山峰"}
    assert _search(admin_actor, region="430821000000") == {"张三", "赵四", "张山峰", "王五"}
    assert _search(admin_actor, exit_status="已脱贫") == {"赵四"}
    assert _search(admin_actor, attribute="低保贫困户") == {"赵四"}
    assert _search(admin_actor, main_cause="因学") == {"张山峰"}
    assert _search(admin_actor, planned_exit_year=2019) == {"张山峰"}
    assert _search(admin_actor, q="z", exit_status="未脱贫") == {"张三", "张山峰"}


def test_it_pages_through_every_household_exactly_once(admin_actor):
    for i in range(23):
        born = date(1950 + i, 1 + i % 12, 1 + i % 28)
        register(admin_actor, members=[member_row(f"张{i}", "户主", born)])
    query = filter_households(households_visible(admin_actor), HouseholdFilter(q="张"), actor=admin_actor)
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        rows, after = page_households(query, after=after, size=5)
        seen.extend(h.pk for h in rows)
        pages += 1
        if after is None:
            break
    assert pages == 5
    assert len(seen) == 23
    assert seen == sorted(set(seen))
    assert set(seen) == set(query.values_list("id", flat=True))


def test_it_has_no_next_page_when_the_last_page_is_full(admin_actor, people):
    rows, after = page_households(households_visible(admin_actor), after=None, size=4)
    assert len(rows) == 4
    assert after is None
    rows, after = page_households(households_visible(admin_actor), after=None, size=3)
    assert after == rows[-1].pk
    rest, after = page_households(households_visible(admin_actor), after=after, size=3)
    assert [h.head_name for h in rest] == ["王五"] and after is None


def _page_search(user, q: str) -> set[str]:
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get("/households/", {"q": q})
    assert response.status_code == 200
    return {name for name in ("张三", "赵四", "张山峰", "王五") if f"{name}</a>" in response.content.decode()}


def _api_search(user, q: str) -> set[str]:
    from tests.api.conftest import ApiClient

    response = ApiClient(user).get("/households", q=q)
    assert response.status_code == 200
    return {h["head_name"] for h in response.json()["items"]}


@pytest.mark.parametrize("search", [_page_search, _api_search], ids=["page", "api"])
def test_a_masked_role_finds_a_person_only_by_the_whole_id_number(county_leader, people, search):
    """Issue 15 #7: an ID prefix must not answer a 县领导 (it would reveal the hidden birth date digit by
    digit); the whole number still finds the head or a member."""
    head_id = people["张三"].head_id_number
    spouse = people["赵四"].members.get(relation="配偶")
    for prefix in (head_id[:6], head_id[:10], head_id[:14], head_id[:17]):
        assert search(county_leader, prefix) == set(), prefix
    assert search(county_leader, spouse.id_number[:14]) == set()
    assert search(county_leader, head_id) == {"张三"}
    assert search(county_leader, head_id.lower()) == {"张三"}
    assert search(county_leader, spouse.id_number) == {"赵四"}
    assert search(county_leader, "张") == {"张三", "张山峰", "王五"}  # names still search by prefix


def test_a_role_that_sees_id_numbers_still_searches_by_prefix(county_admin, people):
    head_id = people["张三"].head_id_number
    assert "张三" in _page_search(county_admin, head_id[:14])
    assert "张三" in _api_search(county_admin, head_id[:14])
