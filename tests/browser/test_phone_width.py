"""Every role on a phone (390×844): no main page is wider than the screen, tables scroll inside their
card, and the actions a user came for sit at the top."""

from __future__ import annotations

import os
from datetime import date

import pytest

from jingzhun.accounts.models import User
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
        "/account/users/{admin}/",
        "/households/{hh}/helper/?q=helper",
        "/assistance/alerts/not-visited/",
        "/assistance/alerts/no-helper/",
        "/assistance/coverage/",
        "/assistance/attendance/",
        "/assistance/structure/",
        f"/assistance/villages/{VILLAGE}/",
        "/assistance/helpers/{helper}/",
        "/households/?sort=head_name&assessed=未达标",
    ],
    "leader": ["/households/{hh}/", f"/regions/{TOWNSHIP}/", f"/exit/{TOWNSHIP}/?year=2018"],
    "township": ["/households/{hh}/", f"/regions/{TOWNSHIP}/", f"/exit/{TOWNSHIP}/?year=2018"],
    "village": [
        "/households/{hh}/",
        f"/regions/{VILLAGE}/",
        "/households/{hh}/visits/new/",
        "/households/new/",
        "/assistance/checkin/",
    ],
    "helper": ["/households/{hh}/", "/households/{hh}/visits/new/"],
}


@pytest.mark.parametrize("username", list(ROLE_PAGES))
def test_it_fits_every_main_page_of_each_role_into_390_px(phone, live_server, county, username):
    page = phone
    login(page, live_server, username)
    helper = county.pairings.get().helper_id
    admin = User.objects.get(username="admin").pk
    pages = main_pages(page, live_server) + [
        p.format(hh=county.pk, helper=helper, admin=admin) for p in ROLE_PAGES[username]
    ]
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


def _noisy_jpeg(path, width: int = 3000, height: int = 2000) -> int:
    """A camera-sized photo: noise does not compress, so it is several megabytes like a real one."""
    from PIL import Image

    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(path, "JPEG", quality=95)
    return path.stat().st_size


def test_a_helper_uploads_a_large_photo_compressed_on_the_phone_and_sees_its_thumbnail(
    phone, live_server, county, tmp_path
):
    from PIL import Image

    from jingzhun.assistance.models import VisitPhoto

    photo = tmp_path / "IMG_0001.jpg"
    original_size = _noisy_jpeg(photo)
    assert original_size > 5 * 1024 * 1024  # over the server's limit: only the phone's compression lets it in
    page = phone
    login(page, live_server, "helper")
    page.goto(f"{live_server.url}/")  # 我的结对户: the big 登记走访 button of the household is on screen
    button = page.locator(f"[data-testid=visit-{county.code}]")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["y"] + box["height"] <= 844
    button.click()
    page.fill("#id_activities", "查看新房")
    page.set_input_files("#id_photos", str(photo))
    page.wait_for_selector("#id_photos[data-compressed]", state="attached")
    assert "照片已压缩" in page.locator("[data-testid=photo-status]").inner_text()
    page.click("[data-testid=visit-form] button[type=submit]")
    page.wait_for_selector("[data-testid=household-title]")

    saved = VisitPhoto.objects.get(visit__activities="查看新房")
    assert saved.kind == "jpeg" and saved.size < original_size
    with saved.file.open("rb") as handle:
        assert max(Image.open(handle).size) == 1920
    thumb = page.locator("[data-testid=visit-photo]").first
    thumb.scroll_into_view_if_needed()
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    assert page.evaluate("(img) => img.naturalWidth", thumb.element_handle()) == 320
    # tap to enlarge: the thumbnail links to the original
    href = page.evaluate("(img) => img.closest('a').getAttribute('href')", thumb.element_handle())
    assert href == f"/visits/photos/{saved.pk}/"
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_the_township_village_picker_fills_the_villages_on_a_phone(phone, live_server, county):
    page = phone
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/households/new/")
    village = page.locator("[data-testid=picker-village_code-village]")
    assert village.locator("option").count() == 1  # nothing until a township is chosen
    page.select_option("[data-testid=picker-village_code-township]", TOWNSHIP)
    page.wait_for_selector(
        f"[data-testid=picker-village_code-village] option[value='{VILLAGE}']", state="attached"
    )
    codes = village.locator("option").evaluate_all("els => els.map(e => e.value).filter(Boolean)")
    assert VILLAGE in codes and all(c.startswith(TOWNSHIP[:9]) for c in codes)
    page.select_option("[data-testid=picker-village_code-village]", VILLAGE)
    page.fill("#id_m0-name", "陈一")
    page.click("[data-testid=add-member]")
    page.wait_for_selector("[data-testid=household-form]")
    assert page.locator("fieldset").count() == 4
    assert page.input_value("#id_m0-name") == "陈一"
    assert page.input_value("[data-testid=picker-village_code-village]") == VILLAGE
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
