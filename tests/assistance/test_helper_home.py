"""A 帮扶责任人's home is 我的结对户: their households with last visit, days since, open measures and a
登记走访 button each; the county's alerts that are not about them and API 令牌 are not in their menu."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from jingzhun.assistance import services

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _measure(actor, household, status: str) -> None:
    services.measure_add(
        actor=actor,
        household=household,
        data={
            "category": "产业",
            "content": "猕猴桃苗",
            "funds": "100",
            "started_on": "2018-03-01",
            "status": status,
        },
    )


def test_it_sends_a_helper_home_to_their_own_households(paired, helper_user, admin_actor):
    ten_days_ago = date.today() - timedelta(days=10)
    services.visit_log(
        actor=admin_actor,
        household=paired["mine"],
        visited_on=ten_days_ago,
        activities="走访",
        problems="",
        photos=[],
    )
    _measure(admin_actor, paired["mine"], "实施中")
    _measure(admin_actor, paired["mine"], "计划")
    _measure(admin_actor, paired["mine"], "已完成")
    client = _client(helper_user)

    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == f"/assistance/helpers/{helper_user.pk}/"
    page = client.get(home["Location"]).content.decode()
    assert "我的结对户" in page
    assert f'data-testid="helper-household-{paired["mine"].code}"' in page
    assert paired["theirs"].code not in page
    assert f"{ten_days_ago:%Y-%m-%d}（10 天前）" in page
    assert "在办措施：2 项" in page
    assert (
        f'href="/households/{paired["mine"].pk}/visits/new/" data-testid="visit-{paired["mine"].code}"'
        in page
    )
    assert 'data-testid="status">未脱贫<' in page


def test_it_marks_a_never_visited_household_and_shows_an_empty_home(paired, helper_user, other_helper):
    page = _client(helper_user).get(f"/assistance/helpers/{helper_user.pk}/").content.decode()
    assert "从未走访" in page and "text-danger fw-bold" in page
    # a helper without households still has a home (not a 404); another helper's page is out of scope
    from jingzhun.accounts.services import role_grant, user_create
    from tests.factories import VILLAGE

    lonely, _ = user_create(username="lonely", password="Pass-word-123", display_name="新帮扶人")
    role_grant(user=lonely, role="helper", region_code=VILLAGE)
    client = _client(lonely)
    assert client.get(f"/assistance/helpers/{lonely.pk}/").status_code == 200
    assert client.get(f"/assistance/helpers/{helper_user.pk}/").status_code == 404


def test_a_helpers_menu_has_my_households_and_no_api_tokens(paired, helper_user, county_admin, village_cadre):
    helper_page = _client(helper_user).get(f"/households/{paired['mine'].pk}/").content.decode()
    assert 'data-testid="nav-mine"' in helper_page and "API 令牌" not in helper_page
    for user in (county_admin, village_cadre):
        page = _client(user).get("/households/").content.decode()
        assert "API 令牌" in page and 'data-testid="nav-mine"' not in page


def test_a_helper_sees_only_the_alert_about_their_own_households(paired, helper_user, county_admin):
    helper = _client(helper_user)
    overview = helper.get("/assistance/").content.decode()
    assert 'data-testid="alert-not-visited"' in overview
    for kind in ("no-helper", "overloaded", "villages", "attendance"):
        assert f'data-testid="alert-{kind}"' not in overview
        assert helper.get(f"/assistance/alerts/{kind}/").status_code == 404
        assert helper.get(f"/assistance/alerts/{kind}/count/").status_code == 404
    assert helper.get("/assistance/alerts/not-visited/").status_code == 200
    admin_overview = _client(county_admin).get("/assistance/").content.decode()
    assert 'data-testid="alert-no-helper"' in admin_overview
