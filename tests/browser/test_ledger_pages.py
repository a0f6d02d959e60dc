"""A township cadre gets a problem, records progress with a photo on a phone and applies for 销号; the
county admin sends it back, then accepts it after the cadre applies again; the summary counts change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.assistance.conftest import png_bytes
from tests.browser.conftest import login as browser_login
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


def _summary_problem_total(page, live_server) -> list[str]:
    page.goto(f"{live_server.url}/ledger/summary/")
    row = page.locator("[data-testid=summary-table] tr", has_text="问题整改").filter(has_text="合计")
    return [c.strip() for c in row.locator("td").all_inner_texts()]


def test_a_problem_from_assignment_to_accepted_closing(
    phone, browser, live_server, township_cadre, county_admin, tmp_path, request
):
    from jingzhun.accounts.access import actor_for
    from jingzhun.assistance.models import HelpUnit
    from jingzhun.ledger.models import Item
    from jingzhun.ledger.services import item_create
    from jingzhun.regions.models import Region

    unit = HelpUnit.objects.create(name="县水利局", affiliation="县直")
    item = item_create(
        actor=actor_for(county_admin),
        kind="problem",
        code="WT-B1",
        source="省级督查",
        assigned_on=date.today() - timedelta(days=5),
        deadline=date.today() + timedelta(days=25),
        region=Region.objects.get(code="430821102000"),
        description="安全饮水管网未通到组",
        unit=unit,
        responsible_name="王干事",
        responsible=township_cadre,
    )
    photo = tmp_path / "progress.png"
    photo.write_bytes(png_bytes(8, 8))

    page = phone
    login(page, live_server, "township")
    page.goto(f"{live_server.url}/ledger/inbox/")
    page.click("text=WT-B1")
    page.click("[data-testid=move-start] button")
    page.wait_for_selector("[data-testid=item-status]:has-text('整改中')")
    note = page.locator("[data-testid=move-note]")
    note.locator("textarea").fill("已完成主管铺设")
    note.locator("input[type=file]").set_input_files(str(photo))
    note.locator("button").click()
    page.wait_for_selector("[data-testid=timeline] img")
    apply = page.locator("[data-testid=move-apply_close]")
    apply.locator("textarea").fill("管网已通到各组")
    apply.locator("input[type=file]").set_input_files(str(photo))
    apply.locator("button").click()
    page.wait_for_selector("[data-testid=item-status]:has-text('申请销号')")

    desk_context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    request.addfinalizer(desk_context.close)
    desk = desk_context.new_page()
    desk.set_default_timeout(15000)
    login(desk, live_server, "admin")
    assert _summary_problem_total(desk, live_server)[2:5] == ["1", "0", "1"]
    desk.goto(f"{live_server.url}/ledger/items/{item.pk}/")
    back = desk.locator("[data-testid=move-send_back]")
    back.locator("textarea").fill("照片看不到入户水龙头")
    back.locator("button").click()
    desk.wait_for_selector("[data-testid=item-status]:has-text('退回整改')")

    page.reload()
    assert "照片看不到入户水龙头" in page.content()
    page.click("[data-testid=move-restart] button")
    page.wait_for_selector("[data-testid=item-status]:has-text('整改中')")
    apply = page.locator("[data-testid=move-apply_close]")
    apply.locator("textarea").fill("补充入户照片")
    apply.locator("input[type=file]").set_input_files(str(photo))
    apply.locator("button").click()
    page.wait_for_selector("[data-testid=item-status]:has-text('申请销号')")
    assert page.locator("[data-testid=move-accept]").count() == 0  # never their own acceptance

    desk.reload()
    accept = desk.locator("[data-testid=move-accept]")
    accept.locator("textarea").fill("现场核查合格")
    accept.locator("input[name=evidence]").fill("核查记录")
    accept.locator("button").click()
    desk.wait_for_selector("[data-testid=item-status]:has-text('已销号')")
    assert Item.objects.get(pk=item.pk).status == "已销号"
    assert _summary_problem_total(desk, live_server)[2:5] == ["1", "1", "0"]


def test_the_directive_form_offers_only_the_chosen_issuers_subordinates(
    phone, page, live_server, township_cadre, county_leader
):
    """A township cadre on a phone sees only their 指挥部's village 作战室; a county leader at the desk
    switches the issuing post and the recipient list follows (htmx), then issues the directive."""
    from playwright.sync_api import expect

    from jingzhun.ledger.models import Item, Post

    county = Post.objects.create(name="县脱贫攻坚指挥部", level="县", region_id="430821000000")
    town = Post.objects.create(name="溪口镇指挥部", level="乡镇", region_id="430821102000", parent=county)
    Post.objects.create(name="杜坪村作战室", level="村", region_id="430821102204", parent=town)
    other = Post.objects.create(name="零阳街道指挥部", level="乡镇", region_id="430821001000", parent=county)
    town.members.add(township_cadre)

    browser_login(phone, live_server, "township", whoami_state="attached")
    phone.goto(f"{live_server.url}/ledger/directive/new/")
    boxes = phone.locator("#recipients label")
    assert boxes.all_inner_texts() == ["杜坪村作战室"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/ledger/directive/new/?post={town.pk}")
    assert page.locator("#recipients label").all_inner_texts() == ["杜坪村作战室"]
    page.select_option("#f-post", str(county.pk))
    expect(page.locator("#recipients label")).to_have_count(3)  # swapped in place, the rest kept
    labels = set(page.locator("#recipients label").all_inner_texts())
    assert labels == {"溪口镇指挥部", "零阳街道指挥部", "杜坪村作战室"}
    page.fill("#f-code", "ZL-B1")
    page.fill("#f-description", "十月底前完成遍访")
    page.fill("#f-deadline", (date.today() + timedelta(days=30)).isoformat())
    page.check(f"#r-{other.pk}")
    page.click("[data-testid=submit]")
    page.wait_for_url("**/ledger/items/**")
    assert list(Item.objects.get(code="ZL-B1").recipients.values_list("post__name", flat=True)) == [
        "零阳街道指挥部"
    ]
