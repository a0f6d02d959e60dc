"""A village cadre on a 390 px phone checks a clue from 我的待办, marks it 属实 with a photo; the county
admin opens it on a desk and applies the proposed 自然减少 in one click; the member leaves the household
and the precision table counts the check."""

from __future__ import annotations

import pytest

from tests.assistance.conftest import png_bytes
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_assistance_pages import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15000)
    tab = context.new_page()
    yield tab
    context.close()


def test_a_village_cadre_confirms_a_death_and_the_county_applies_the_decrease(
    phone, browser, live_server, village_cadre, county_admin, household, tmp_path, request
):
    from jingzhun.accounts.access import actor_for
    from jingzhun.registry.models import HouseholdEvent, Member
    from jingzhun.verification.clue_store import store_hits
    from jingzhun.verification.models import Clue
    from tests.verification.conftest import death_hit

    spouse = household.members.get(relation="配偶")
    store_hits(
        hits=[death_hit(household, spouse)], rules_run={"X-DEATH"}, year=2018, actor=actor_for(county_admin)
    )
    clue = Clue.objects.get()
    photo = tmp_path / "visit.png"
    photo.write_bytes(png_bytes(8, 8))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    page = phone
    login(page, live_server, "village")
    page.goto(f"{live_server.url}/ledger/inbox/")
    page.click(f"text={clue.item.code}")
    page.wait_for_selector("[data-testid=record-table]:has-text('2018-06-02')")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    page.click("[data-testid=move-start] button")
    page.wait_for_selector("[data-testid=item-status]:has-text('核查中')")
    close = page.locator("[data-testid=move-close_true]")
    close.locator("textarea").fill("入户核实：本人已于6月去世，见火化证明")
    close.locator("input[type=file]").set_input_files(str(photo))
    page.screenshot(path=str(ARTIFACTS / "clue-390-checking.png"), full_page=True)
    close.locator("button").click()
    page.wait_for_selector("[data-testid=item-status]:has-text('属实')")
    page.wait_for_selector("[data-testid=timeline] img")
    assert page.locator("[data-testid=apply]").count() == 0  # the village cadre does not apply it
    page.screenshot(path=str(ARTIFACTS / "clue-390-confirmed.png"), full_page=True)

    desk_context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    request.addfinalizer(desk_context.close)
    desk = desk_context.new_page()
    desk.set_default_timeout(15000)
    login(desk, live_server, "admin")
    desk.goto(f"{live_server.url}/verification/clues/{clue.item_id}/")
    desk.wait_for_selector("[data-testid=followup]:has-text('自然减少（死亡）')")
    desk.click("[data-testid=apply]")
    desk.wait_for_selector("[data-testid=followup-done]")
    desk.screenshot(path=str(ARTIFACTS / "clue-desk-applied.png"), full_page=True)
    spouse = Member.objects.get(pk=spouse.pk)
    assert not spouse.is_active and spouse.removed_reason == "死亡"
    assert HouseholdEvent.objects.filter(member=spouse).count() == 1
    assert desk.locator("[data-testid=apply]").count() == 0  # once only
    desk.goto(f"{live_server.url}/verification/")
    row = desk.locator("[data-testid=precision-table] tr[data-rule=X-DEATH]")
    assert row.locator("[data-testid=precision]").inner_text().strip() == "100%"
    assert "发现疑点 1 条，已核实 1 条，属实 1 条" in desk.locator("[data-testid=clue-sentence]").inner_text()
