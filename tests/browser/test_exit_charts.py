"""The 脱贫攻坚 charts draw under the strict CSP, with no console error, on a desktop and on a 390 px
phone (where the category charts turn horizontal and follow the window's size)."""

from __future__ import annotations

import re

import pytest

from jingzhun.regions.models import Region
from jingzhun.standards import services
from jingzhun.standards.defaults import ensure_defaults
from tests.browser.conftest import ARTIFACTS, login
from tests.factories import register, register_exit_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# a few more townships, so the charts have the spread of a real county: (village, ready, failing)
MORE = [
    ("430821101001", 4, 1),  # 岩泊渡镇
    ("430821107001", 2, 3),  # 江垭镇
    ("430821200201", 5, 0),  # 南山坪乡
    ("430821211201", 1, 2),  # 三官寺土家族乡
]

RECORD_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""

CHARTS_DRAWN = """() => {
  const canvases = [...document.querySelectorAll("[data-chart] canvas")];
  return canvases.length === 3 && canvases.every((c) => {
    if (!c.width || !c.height || !c.getBoundingClientRect().width) return false;
    const pixels = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) return true;  // something is painted
    return false;
  });
}"""


@pytest.fixture
def county(admin_actor):
    ensure_defaults()
    register_exit_plan(admin_actor)
    for village, ready, failing in MORE:
        for _ in range(ready):
            register(admin_actor, village=village)
        for _ in range(failing):
            register(admin_actor, village=village, water_safe="否", medical_insurance="否")
        Region.objects.filter(code=village).update(registered_population=150)
    services.assess(year=2018)


def _chart_sizes(page) -> dict[str, tuple[float, float]]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("[data-chart]")].map((el) => {
             const c = el.querySelector("canvas").getBoundingClientRect();
             return [el.dataset.chart, [c.width, c.height]];
           }))"""
    )


def test_it_draws_the_exit_charts_under_the_csp_on_desktop_and_phone(page, live_server, county):
    problems: list[str] = []
    # errors only: the readback in CHARTS_DRAWN itself draws Chromium's willReadFrequently warning
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.add_init_script(RECORD_CSP)
    # bars drawn at once (the page honours this setting): clicking one mid-animation could miss it
    page.emulate_media(reduced_motion="reduce")

    login(page, live_server, "admin")
    response = page.goto(f"{live_server.url}/exit/?year=2018")
    assert response is not None
    directives = [d.strip() for d in response.headers["content-security-policy"].split(";")]
    assert "script-src 'self'" in directives  # no inline script, no eval: the page's CSP is not relaxed

    page.wait_for_function(CHARTS_DRAWN)
    desktop = _chart_sizes(page)
    assert all(w > 300 and h >= 220 for w, h in desktop.values()), desktop
    assert page.locator("[data-chart=plan]").get_attribute("data-layout") == "vertical"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "exit-charts-desktop.png"), full_page=True)
    page.locator("[data-testid=chart-plan]").screenshot(path=str(ARTIFACTS / "exit-charts-desktop-plan.png"))

    page.set_viewport_size({"width": 390, "height": 844})
    # the category charts turn horizontal, a row per township
    page.wait_for_selector("[data-chart=plan][data-layout=horizontal]")
    page.wait_for_selector("[data-chart=incidence][data-layout=horizontal]")
    page.wait_for_function(CHARTS_DRAWN)
    phone = _chart_sizes(page)
    assert all(0 < w < 390 for w, _ in phone.values()), phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "exit-charts-390.png"), full_page=True)
    for kind in ("plan", "incidence"):  # one phone screen each, to look at
        page.locator(f"[data-testid=chart-{kind}]").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"exit-charts-390-{kind}.png"))

    # and straight onto a phone, without the resize path
    page.reload()
    page.wait_for_function(CHARTS_DRAWN)
    assert _chart_sizes(page) == phone

    # the tables are still there, with the same figures
    assert page.locator("[data-testid=plan] tbody tr").count() == 6
    assert page.locator("[data-testid=townships] tbody tr").count() == 26
    assert page.evaluate("window.__csp") == []
    assert problems == []

    # a township's bar leads to that township's page
    el = page.locator("[data-chart=plan]")
    el.scroll_into_view_if_needed()
    x, y = page.evaluate(
        """() => echarts.getInstanceByDom(document.querySelector("[data-chart=plan]"))
                   .convertToPixel({ seriesIndex: 1 }, [0.5, 0])"""
    )  # 零阳街道: horizontal, its one not-ready household spans 0–1
    box = el.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(re.compile(r"/exit/430821001000/\?year=2018$"))
    assert "零阳街道" in page.locator("[data-testid=dashboard-title]").inner_text()
