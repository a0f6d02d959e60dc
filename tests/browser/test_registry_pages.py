"""The foundation in a real browser: a village cadre edits a member; the county admin navigates and searches."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login
from tests.factories import OTHER_VILLAGE, VILLAGE, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_village_cadre_edit_a_member_and_see_it_in_the_history(
    page, live_server, village_cadre, admin_actor
):
    mine = register(admin_actor, village=VILLAGE)
    theirs = register(admin_actor, village=OTHER_VILLAGE)
    login(page, live_server, "village")

    page.goto(f"{live_server.url}/households/")
    table = page.locator("[data-testid=household-table]")
    assert mine.code in table.inner_text()
    assert theirs.code not in table.inner_text()

    response = page.goto(f"{live_server.url}/households/{theirs.pk}/")
    assert response is not None and response.status == 404

    page.goto(f"{live_server.url}/households/{mine.pk}/")
    page.click("[data-testid='edit-张小明']")
    page.select_option("#id_school_status", "非在校生")
    page.click("[data-testid=member-form] button[type=submit]")

    page.wait_for_selector("[data-testid=household-title]")
    assert (
        "非在校生" in page.locator("[data-testid='member-张小明'] [data-testid=school-status]").inner_text()
    )
    history = page.locator("[data-testid=audit-trail]").inner_text()
    assert "修改成员" in history and "在校生状况" in history and "初中" in history and "非在校生" in history
    assert "village" in history


def test_it_shows_field_errors_in_chinese_and_saves_nothing(page, live_server, village_cadre, admin_actor):
    mine = register(admin_actor, village=VILLAGE)
    login(page, live_server, "village")
    page.goto(f"{live_server.url}/households/{mine.pk}/")
    page.click("[data-testid='edit-张小明']")
    page.fill("#id_id_number", "430821200609010011")  # wrong check character
    page.click("[data-testid=member-form] button[type=submit]")
    error = page.locator("[data-testid=error-id_number]").inner_text()
    assert "校验码" in error
    mine.refresh_from_db()
    assert mine.members.get(name="张小明").id_number != "430821200609010011"


def test_it_lets_the_county_admin_drill_down_and_find_a_household_by_pinyin(
    page, live_server, county_admin, admin_actor
):
    household = register(admin_actor, village=VILLAGE)
    login(page, live_server, "admin")

    page.goto(f"{live_server.url}/")
    assert "慈利县" in page.locator("[data-testid=region-name]").inner_text()
    page.locator("[data-testid=children]").get_by_role("link", name="溪口镇").click()
    assert page.locator("[data-testid=region-name]").inner_text() == "溪口镇"
    page.locator("[data-testid=children]").get_by_role("link", name="杜坪村委会").click()
    assert page.locator("[data-testid=region-name]").inner_text() == "杜坪村委会"
    totals = page.locator("[data-testid=region-totals]").inner_text()
    assert "1 / 3" in totals  # one household of three people

    page.goto(f"{live_server.url}/households/")
    page.fill("input[name=q]", "zs")
    page.click("[data-testid=household-filters] button[type=submit]")
    page.get_by_role("link", name="张三").first.click()
    assert household.code in page.locator("[data-testid=household-title]").inner_text()
