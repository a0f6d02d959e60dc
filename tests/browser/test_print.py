"""Print (打印): every record page prints on A4 without navigation or buttons, its tables within the
page width; the 打印 button (static JS, no inline handler) opens the browser's print dialog."""

from __future__ import annotations

import pytest

from tests.browser.test_assistance_pages import login
from tests.browser.test_phone_width import county  # noqa: F401  (the fixture)
from tests.conftest import TOWNSHIP
from tests.factories import VILLAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A4_CONTENT_PX = 703  # 210 mm − 2 × 12 mm margins at 96 px per inch


@pytest.fixture
def paper(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": A4_CONTENT_PX, "height": 1000})
    context.set_default_timeout(15000)
    # record the print call instead of opening a dialog the headless browser cannot close
    context.add_init_script("window.print = function () { window.__printed = (window.__printed || 0) + 1; };")
    tab = context.new_page()
    yield tab
    context.close()


def _record_pages(live_server, household) -> list[str]:
    from jingzhun.assistance.models import Visit

    visit = Visit.objects.filter(household=household).first()
    return [
        f"/households/{household.pk}/",
        f"/regions/{VILLAGE}/",
        f"/regions/{TOWNSHIP}/",
        f"/visits/{visit.pk}/",
        f"/assistance/helpers/{household.pairings.get().helper_id}/",
    ]


def test_record_pages_print_without_buttons_and_tables_fit_a4(paper, live_server, county):  # noqa: F811
    page = paper
    login(page, live_server, "admin")
    for path in _record_pages(live_server, county):
        page.goto(f"{live_server.url}{path}")
        page.emulate_media(media="screen")
        assert page.locator("[data-testid=print]").is_visible(), path
        page.click("[data-testid=print]")
        assert page.evaluate("window.__printed") == 1, path
        page.emulate_media(media="print")
        assert not page.locator(".jz-nav").is_visible(), path
        visible_buttons = page.locator(".btn").evaluate_all(
            "els => els.filter(e => getComputedStyle(e).display !== 'none').length"
        )
        assert visible_buttons == 0, path
        too_wide = page.evaluate(
            f"""() => [...document.querySelectorAll('table')]
                 .filter(t => t.getBoundingClientRect().right > {A4_CONTENT_PX} + 1)
                 .map(t => t.dataset.testid || t.className)"""
        )
        assert too_wide == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= A4_CONTENT_PX, path
