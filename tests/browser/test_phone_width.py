"""Every role on a phone (390×844): no main page is wider than the screen, tables scroll inside their
card, and the actions a user came for sit at the top."""

from __future__ import annotations

import os
from datetime import date

import pytest

from tests.browser.test_assistance_pages import login
from tests.conftest import COUNTY, TOWNSHIP
from tests.factories import VILLAGE, register, register_exit_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
SHOTS = os.environ.get("JINGZHUN_PHONE_SHOTS")  # set to keep a screenshot of every page


@pytest.fixture
def phone(browser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    context = browser.new_context(
        locale="zh-CN", viewport={"width": WIDTH, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def county(county_admin, county_leader, township_cadre, village_cadre, helper_user, admin_actor):
    """One household with everything a household page can show: incomes, a visit, a measure, a helper."""
    from jingzhun.assistance.services import helper_assign, measure_add, visit_log
    from jingzhun.standards import services
    from jingzhun.standards.defaults import ensure_defaults

    ensure_defaults()
    household = register(admin_actor)
    register_exit_plan(admin_actor)
    helper_assign(actor=admin_actor, household=household, helper=helper_user, started_on=date(2018, 1, 1))
    visit_log(
        actor=admin_actor,
        household=household,
        visited_on=date(2018, 6, 1),
        activities="宣讲政策，核实务工收入，帮助联系县城建筑工地的务工岗位" * 2,
        problems="屋顶漏雨，需要危房改造",
        photos=[],
    )
    measure_add(
        actor=admin_actor,
        household=household,
        data={
            "category": "产业",
            "content": "发放猕猴桃苗 200 株并安排技术员上门指导种植",
            "funds": "3000",
            "expected_income_gain": "2000",
            "started_on": "2018-03-01",
            "ended_on": "",
            "status": "实施中",
        },
    )
    services.assess(year=2018)
    return household


def main_pages(page, live_server) -> list[str]:
    """The pages a role reaches from its menu (the nav's links), plus home."""
    hrefs = page.eval_on_selector_all("#mainnav a.nav-link", "els => els.map(e => e.getAttribute('href'))")
    return ["/", *dict.fromkeys(h for h in hrefs if h and h.startswith("/"))]


def width_of(page, live_server, path: str, name: str) -> int:
    page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    if SHOTS is not None or width > WIDTH:
        from tests.browser.conftest import ARTIFACTS

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        slug = path.strip("/").replace("/", "_").replace("?", "_") or "home"
        page.screenshot(path=str(ARTIFACTS / f"phone-{name}-{slug}.png"), full_page=True)
    return width


ROLE_PAGES = {
    "admin": [
        "/households/{hh}/",
        f"/regions/{COUNTY}/",
        f"/regions/{TOWNSHIP}/",
        f"/regions/{VILLAGE}/",
        "/households/{hh}/visits/new/",
        "/households/new/",
        "/account/users/",
        "/account/users/new/",
    ],
    "leader": ["/households/{hh}/", f"/regions/{TOWNSHIP}/", f"/exit/{TOWNSHIP}/?year=2018"],
    "township": ["/households/{hh}/", f"/regions/{TOWNSHIP}/", f"/exit/{TOWNSHIP}/?year=2018"],
    "village": ["/households/{hh}/", f"/regions/{VILLAGE}/", "/households/{hh}/visits/new/"],
    "helper": ["/households/{hh}/", "/households/{hh}/visits/new/"],
}


@pytest.mark.parametrize("username", list(ROLE_PAGES))
def test_it_fits_every_main_page_of_each_role_into_390_px(phone, live_server, county, username):
    page = phone
    login(page, live_server, username)
    pages = main_pages(page, live_server) + [p.format(hh=county.pk) for p in ROLE_PAGES[username]]
    assert len(pages) >= 3
    widths = {path: width_of(page, live_server, path, username) for path in dict.fromkeys(pages)}
    assert {p: w for p, w in widths.items() if w > WIDTH} == {}, f"{username}: pages wider than {WIDTH} px"


def test_it_puts_the_visit_button_within_the_first_screen_of_the_household_page(phone, live_server, county):
    page = phone
    login(page, live_server, "village")
    page.goto(f"{live_server.url}/households/{county.pk}/")
    box = page.locator("[data-testid=visit-new-top]").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    # the income table scrolls inside its own container, it does not widen the page
    assert (
        page.evaluate(
            "getComputedStyle(document.querySelector('[data-testid=incomes]').parentElement).overflowX"
        )
        == "auto"
    )
