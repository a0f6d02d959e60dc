"""The 脱贫攻坚 page's chart data: handed to the page with json_script, from the same rows as its tables,
and absent (the tables' empty state instead) before the year has been assessed."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from jingzhun.standards import services
from tests.factories import LINGYANG, XIKOU, register_exit_plan

DATA = re.compile(r'<script id="exit-chart-data" type="application/json">(.*?)</script>', re.S)


@pytest.fixture
def exit_plan(standard, admin_actor):
    register_exit_plan(admin_actor)


def _page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _chart_data(html: str) -> dict:
    found = DATA.search(html)
    assert found, "no json_script chart data on the page"
    return json.loads(found.group(1))


def test_it_hands_the_county_charts_the_figures_of_the_tables(client, county_admin, exit_plan):
    services.assess(year=2018)
    html = _page(client, county_admin, reverse("standards:dashboard") + "?year=2018")
    charts = _chart_data(html)

    # 预脱贫 by township, in code order: 零阳街道 has E004 (not ready); 溪口镇 has E001 (ready),
    # E002 and E003 (not ready)
    assert charts["plan"] == {
        "level": "township",
        "codes": [LINGYANG, XIKOU],
        "names": ["零阳街道", "溪口镇"],
        "planned": [1, 3],
        "ready": [0, 1],
        "not_ready": [1, 2],
    }
    # 未达标原因 in the standard's rule order; E003 counts under both of its rules
    assert charts["rules"] == {
        "codes": ["H-EDUCATION", "H-HOUSING", "H-WATER"],
        "labels": ["义务教育有保障", "住房安全有保障", "饮水安全有保障"],
        "households": [1, 1, 2],
    }
    # 剩余贫困人口 leaves out E001 (planned and ready): 溪口镇 3 + 2 = 5 of 400 people, 零阳街道 3 of
    # 200; townships without 户籍人口 have no rate
    incidence = charts["incidence"]
    by_code = dict(zip(incidence["codes"], incidence["incidence"], strict=True))
    assert by_code[XIKOU] == 1.25 and by_code[LINGYANG] == 1.5
    assert sum(1 for v in incidence["incidence"] if v is not None) == 2
    assert len(incidence["codes"]) == 26  # every township of 慈利县, as in the table
    at = incidence["codes"].index(XIKOU)
    assert (incidence["remaining"][at], incidence["population"][at]) == (5, 400)
    assert incidence["threshold"] == 2.0  # C-INCIDENCE of the default standard

    labels = dict(re.findall(r'data-chart="(\w+)"[^>]*role="img"\s+aria-label="([^"]+)"', html))
    assert sorted(labels) == ["incidence", "plan", "rules"]
    assert "合计计划 4 户，已达标 1 户，未达标 3 户" in labels["plan"]
    assert "H-WATER 2 户" in labels["rules"]
    assert "摘帽标准 2%" in labels["incidence"]
    assert "echarts-5.6.0/echarts.min.js" in html and "jingzhun/exit-charts.js" in html
    # the tables stay, with the same figures
    assert 'data-testid="plan-rule-H-WATER"' in html and 'data-testid="townships"' in html


def test_it_draws_the_township_plan_by_village_without_an_incidence_chart(client, county_admin, exit_plan):
    services.assess(year=2018)
    html = _page(client, county_admin, reverse("standards:dashboard_region", args=[XIKOU]) + "?year=2018")
    charts = _chart_data(html)
    assert charts["plan"]["level"] == "village"
    assert charts["plan"]["names"] == ["杜坪村委会"]
    assert (charts["plan"]["planned"], charts["plan"]["ready"]) == ([3], [1])
    assert charts["rules"]["households"] == [1, 1, 1]  # 零阳街道's H-WATER household is out of scope
    assert "incidence" not in charts and 'data-chart="incidence"' not in html


def test_it_scopes_the_charts_to_the_township_cadre(client, township_cadre, exit_plan):
    services.assess(year=2018)
    charts = _chart_data(_page(client, township_cadre, reverse("standards:dashboard") + "?year=2018"))
    assert charts["plan"]["names"] == ["杜坪村委会"]
    assert "零阳街道" not in json.dumps(charts, ensure_ascii=False)


def test_it_shows_the_empty_state_and_no_charts_before_the_assessment(client, county_admin, exit_plan):
    html = _page(client, county_admin, reverse("standards:dashboard") + "?year=2018")
    assert 'data-testid="not-assessed"' in html
    assert "没有计划2018年脱贫的户" in html
    assert "exit-chart-data" not in html and "data-chart=" not in html
    assert "echarts.min.js" not in html
