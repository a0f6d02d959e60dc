"""The household list like a spreadsheet: 共 N 户, numbered pages with 上一页/下一页, sorting by the main
columns, 达标/未达标 and failing-indicator filters, the assessment status column — all within scope."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from jingzhun.registry.models import Household
from jingzhun.standards import services
from jingzhun.standards.defaults import ensure_defaults
from tests.factories import register, register_exit_plan

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _codes(html: str) -> list[str]:
    return re.findall(r'data-testid="row-([^"]+)"', html)


@pytest.fixture
def assessed(admin_actor):
    """E001 达标; E002 fails H-EDUCATION; E003 fails H-HOUSING and H-WATER (杜坪村); E004 fails H-WATER
    (琵琶村, another township)."""
    ensure_defaults()
    register_exit_plan(admin_actor)
    services.assess(year=2018)


def test_it_counts_all_households_and_pages_them_by_number(admin_actor, county_admin, monkeypatch):
    from jingzhun.registry.views import lists

    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    for i in range(5):
        register(admin_actor, code=f"P{i}")
    client = _client(county_admin)
    first = client.get("/households/").content.decode()
    assert "共 5 户，第 1–2 条" in first
    assert _codes(first) == ["P0", "P1"]
    assert 'data-testid="page-3"' in first and 'data-testid="page-4"' not in first
    third = client.get("/households/?page=3").content.decode()
    assert _codes(third) == ["P4"] and "共 5 户，第 5–5 条" in third
    assert 'href="?page=2" data-testid="prev-page"' in third
    assert 'class="page-item disabled"><a class="page-link" href="#" data-testid="next-page"' in third
    # a page past the end shows the last one; filters and sorting survive paging
    assert _codes(client.get("/households/?page=99").content.decode()) == ["P4"]
    desc = client.get("/households/?sort=-code&exit_status=未脱贫").content.decode()
    assert _codes(desc) == ["P4", "P3"]
    assert "exit_status=%E6%9C%AA%E8%84%B1%E8%B4%AB&amp;sort=-code&amp;page=2" in desc


def test_it_sorts_by_the_main_columns_both_ways(admin_actor, county_admin):
    register(admin_actor, code="S1", members=None)
    from datetime import date

    from tests.factories import member_row

    register(
        admin_actor,
        code="S2",
        members=[member_row("艾一", "户主", date(1970, 1, 1))],
        planned_exit_year="2019",
    )
    register(
        admin_actor,
        code="S3",
        members=[member_row("周一", "户主", date(1970, 1, 1))],
        planned_exit_year="2020",
    )
    client = _client(county_admin)
    assert _codes(client.get("/households/?sort=planned_exit_year").content.decode()) == ["S1", "S2", "S3"]
    assert _codes(client.get("/households/?sort=-planned_exit_year").content.decode()) == ["S3", "S2", "S1"]
    by_name = _codes(client.get("/households/?sort=head_name").content.decode())
    assert by_name.index("S2") < by_name.index("S1") < by_name.index("S3")  # pinyin: ay < zs < zy
    page = client.get("/households/?sort=code").content.decode()
    assert 'data-testid="sort-code">户编号▲' in page and 'href="?sort=-code" data-testid="sort-code"' in page
    assert _codes(client.get("/households/?sort=nonsense").content.decode()) == ["S1", "S2", "S3"]


def test_it_filters_by_the_verdict_and_a_failing_indicator_within_scope(
    assessed, county_admin, village_cadre
):
    admin = _client(county_admin)
    failing = admin.get("/households/?assessed=未达标").content.decode()
    assert sorted(_codes(failing)) == ["E002", "E003", "E004"] and "共 3 户" in failing
    # the export does not apply the verdict filters, and says so
    assert (
        "（不含评估筛选）" in failing and "（不含评估筛选）" not in admin.get("/households/").content.decode()
    )
    assert _codes(admin.get("/households/?assessed=达标").content.decode()) == ["E001"]
    assert sorted(_codes(admin.get("/households/?failing=H-WATER").content.decode())) == ["E003", "E004"]
    assert _codes(admin.get("/households/?failing=H-EDUCATION").content.decode()) == ["E002"]
    assert _codes(admin.get("/households/?failing=H-WATER&region=430821102204").content.decode()) == ["E003"]
    # the township → village picker: the township alone filters its villages
    by_township = admin.get(
        "/households/?failing=H-WATER&region_township=430821102000&region="
    ).content.decode()
    assert _codes(by_township) == ["E003"] and 'name="region_township"' in by_township
    assert "region=430821102000" in by_township  # kept in the sort and page links
    # an unknown code is ignored, not an error
    assert len(_codes(admin.get("/households/?failing=X-NOPE").content.decode())) == 4
    village = _client(village_cadre).get("/households/?assessed=未达标").content.decode()
    assert sorted(_codes(village)) == ["E002", "E003"] and "共 2 户" in village


def test_the_status_column_names_the_failing_indicators(assessed, county_admin):
    page = _client(county_admin).get("/households/?sort=code").content.decode()
    rows = dict(re.findall(r'data-testid="row-(E00\d)">(.*?)</tr>', page, re.S))
    assert '<span class="jz-check-pass">达标</span>' in rows["E001"]
    assert "未达标" in rows["E003"] and "住房安全有保障" in rows["E003"] and "饮水安全有保障" in rows["E003"]
    assert (
        'data-testid="filter-failing"' in page and '<option value="H-WATER" >饮水安全有保障</option>' in page
    )


def test_a_helper_sees_status_and_verdict_of_their_own_households_only(assessed, admin_actor, helper_user):
    from datetime import date

    from jingzhun.assistance.services import helper_assign

    helper_assign(
        actor=admin_actor,
        household=Household.objects.get(code="E003"),
        helper=helper_user,
        started_on=date(2018, 1, 1),
    )
    page = _client(helper_user).get("/households/").content.decode()
    assert _codes(page) == ["E003"] and "共 1 户" in page and "未达标" in page


def test_the_total_is_counted_once_and_recounted_after_a_write(admin_actor, county_admin, monkeypatch):
    from jingzhun.registry.views import lists

    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    for i in range(3):
        register(admin_actor, code=f"C{i}")
    client = _client(county_admin)
    calls = []
    real_count = lists.QuerySet.count

    def counting(self):
        if self.model is Household:  # other counts on the page (the nav's 我的待办) are not the list's
            calls.append(1)
        return real_count(self)

    monkeypatch.setattr(lists.QuerySet, "count", counting)
    assert "共 3 户" in client.get("/households/").content.decode()
    assert "共 3 户" in client.get("/households/?page=2").content.decode()
    assert len(calls) == 1  # paging reuses the total
    register(admin_actor, code="C3")  # a write (an audit row) counts afresh
    assert "共 4 户" in client.get("/households/?page=2").content.decode() and len(calls) == 2


def test_pages_past_the_middle_come_from_the_end_in_the_same_order(admin_actor, county_admin, monkeypatch):
    from jingzhun.registry.views import lists

    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    for i in range(5):
        register(admin_actor, code=f"R{i}")
    client = _client(county_admin)
    pages = [_codes(client.get(f"/households/?sort=code&page={n}").content.decode()) for n in (1, 2, 3)]
    assert pages == [["R0", "R1"], ["R2", "R3"], ["R4"]]
    back = [_codes(client.get(f"/households/?sort=-code&page={n}").content.decode()) for n in (1, 2, 3)]
    assert back == [["R4", "R3"], ["R2", "R1"], ["R0"]]
