"""A helper on a phone (390×844) logs a visit with a photo; it appears on the household page and the
household leaves the "not visited" list."""

from __future__ import annotations

from datetime import date

import pytest

from tests.assistance.conftest import png_bytes
from tests.factories import register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username: str, password: str = "Pass-word-123") -> None:
    """Both factors (conftest.login); on a phone the navigation is collapsed, so wait for the user's name to
    be in the page, not visible."""
    from tests.browser.conftest import login as sign_in

    sign_in(page, live_server, username, password, whoami_state="attached")


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


def test_a_helper_logs_a_visit_with_a_photo_on_a_phone(
    phone, live_server, helper_user, admin_actor, tmp_path
):
    from jingzhun.assistance.services import helper_assign

    mine = register(admin_actor)
    helper_assign(actor=admin_actor, household=mine, helper=helper_user, started_on=date(2018, 1, 1))
    photo = tmp_path / "visit.png"
    photo.write_bytes(png_bytes(8, 8))
    page = phone
    login(page, live_server, "helper")

    page.goto(f"{live_server.url}/assistance/alerts/not-visited/")
    assert page.locator(f"[data-testid='alert-row-{mine.code}']").count() == 1

    page.goto(f"{live_server.url}/households/{mine.pk}/")
    page.click("[data-testid=visit-new]")
    form = page.locator("[data-testid=visit-form]")
    assert form.bounding_box()["width"] <= 390
    page.fill("#id_activities", "宣讲政策，核实务工收入")
    page.fill("#id_problems", "屋顶漏雨")
    page.set_input_files("#id_photos", str(photo))
    submit = page.locator("[data-testid=visit-form] button[type=submit]")
    box = submit.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    submit.click()

    page.wait_for_selector("[data-testid=household-title]")
    visits = page.locator("[data-testid=visits]")
    assert "宣讲政策" in visits.inner_text()
    image = page.locator("[data-testid=visit-photo]").first
    image.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth", image.element_handle()) == 8

    page.goto(f"{live_server.url}/assistance/alerts/not-visited/")
    assert page.locator(f"[data-testid='alert-row-{mine.code}']").count() == 0
    assert page.locator("[data-testid=alert-total]").inner_text() == "0"
