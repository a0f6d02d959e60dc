"""Words a cadre understands (issue 11): names before rule codes, no developer notes, 默认口径 said once
per page, phrases instead of field=value, labels in the history, labels by level."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from jingzhun.regions.models import Region
from jingzhun.standards.defaults import ensure_defaults
from jingzhun.standards.loading import clear_cache
from jingzhun.standards.services import assess
from tests.factories import VILLAGE, register

pytestmark = pytest.mark.django_db
TOWNSHIP = VILLAGE[:9] + "000"
DEV_NOTES = ("未找到原文", "运算：", "户的字段满足条件", "待核查模块")


@pytest.fixture
def standard(db):
    clear_cache()
    return ensure_defaults()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _visible(page: str) -> str:
    """The page's text as read on screen (tooltips in attributes left out)."""
    return re.sub(r"<[^>]+>", "", page)


def _no_dev_notes(page: str) -> None:
    for note in DEV_NOTES:
        assert note not in page, note


def test_the_household_page_names_rules_first_and_says_default_once(standard, admin_actor, village_cadre):
    household = register(admin_actor, water_safe="否")
    page = _client(village_cadre).get(f"/households/{household.pk}/").content.decode()
    assert re.search(r"<strong>饮水安全有保障</strong> <span class=\"text-muted small\">H-WATER</span>", page)
    assert _visible(page).count("默认口径，可配置") == 1
    _no_dev_notes(page)


def test_the_exit_dashboard_speaks_names_and_has_no_developer_notes(standard, admin_actor, county_admin):
    register(admin_actor, water_safe="否")
    assess(year=2018)
    page = _client(county_admin).get("/exit/?year=2018").content.decode()
    badge = re.search(r'data-testid="plan-rule-H-WATER">(.*?)</span> 1 户', page)
    assert badge and badge.group(1).startswith("饮水安全有保障 <span")
    assert _visible(page).count("默认口径，可配置") == 1
    _no_dev_notes(page)


def test_a_village_exit_page_has_no_county_words(standard, admin_actor, village_cadre, township_cadre):
    register(admin_actor)
    assess(year=2018)
    village = _client(village_cadre).get(f"/exit/{VILLAGE}/?year=2018").content.decode()
    assert "县级退出指标" not in village
    assert not re.search(r"最近评估：[^<]*户", village)
    assert "最近一次全县评估" in village
    township = _client(township_cadre).get(f"/exit/{TOWNSHIP}/?year=2018").content.decode()
    assert "溪口镇退出指标（按县级口径计算，供参考）" in township and "县级退出指标" not in township


def test_the_standard_page_has_no_operator_jargon(standard, county_admin):
    page = _client(county_admin).get(f"/standards/{standard.pk}/").content.decode()
    _no_dev_notes(page)
    assert '<th style="width:10rem">运算</th>' not in page
    assert _visible(page).count("默认口径，可配置") == 1
    assert re.search(
        r"收入稳定超过扶贫标准(<sup[^>]*>\*</sup>)? <span class=\"small text-muted\">H-INCOME</span>", page
    )
    assert "已通硬化路" in page and "通硬化路为是" not in page


def test_the_village_checklist_says_the_road_is_hardened(standard, county_admin):
    Region.objects.filter(code=VILLAGE).update(is_poor_village=True, hardened_road=True, broadband=False)
    page = _client(county_admin).get(f"/regions/{VILLAGE}/?year=2018").content.decode()
    assert "已通硬化路" in page and "通硬化路为是" not in page
    assert "未通宽带" in page


def test_the_change_history_shows_labels_and_the_helpers_name(admin_actor, county_admin, helper_user):
    from jingzhun.assistance import services

    helper_user.display_name = "王帮扶"
    helper_user.save()
    household = register(admin_actor)
    services.helper_assign(
        actor=admin_actor, household=household, helper=helper_user, started_on=date(2018, 1, 1)
    )
    page = _client(county_admin).get(f"/households/{household.pk}/").content.decode()
    trail = re.search(r'data-testid="audit-trail">(.*?)</table>', page, re.S).group(1)
    assert "helper_name" not in trail and "helper" not in trail
    assert re.search(r"帮扶责任人：</span>(<span[^>]*>)?王帮扶", trail)
    assert not re.search(r"帮扶责任人：</span>(<span[^>]*>)?\d", trail)
