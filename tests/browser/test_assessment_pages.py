"""The household checklist follows the data: a child leaving school flips the household to 未达标 with the
reason named, and back."""

from __future__ import annotations

from datetime import date

import pytest

from jingzhun.standards.defaults import ensure_defaults
from tests.browser.conftest import login
from tests.factories import VILLAGE, member_row, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _set_school_status(page, value: str) -> None:
    page.click("[data-testid='edit-张小明']")
    page.select_option("#id_school_status", value)
    page.click("[data-testid=member-form] button[type=submit]")
    page.wait_for_selector("[data-testid=household-checklist]")


def test_it_flips_the_verdict_when_a_child_leaves_school_and_back(
    page, live_server, village_cadre, admin_actor
):
    ensure_defaults()
    household = register(
        admin_actor,
        village=VILLAGE,
        wage="15000",
        members=[
            member_row("张三", "户主", date(1970, 5, 1)),
            member_row("李四", "配偶", date(1972, 3, 9), male=False),
            member_row("张小明", "之子", date(2008, 9, 1), school_status="小学", education="小学"),
        ],
    )
    login(page, live_server, "village")
    page.goto(f"{live_server.url}/households/{household.pk}/")
    overall = page.locator("[data-testid=checklist-overall]")
    education = page.locator("[data-testid=rule-H-EDUCATION]")
    assert overall.inner_text() == "达标"
    assert education.get_attribute("data-status") == "pass"

    _set_school_status(page, "非在校生")
    assert overall.inner_text() == "未达标"
    assert education.get_attribute("data-status") == "fail"
    reason = education.inner_text()
    assert "张小明" in reason and "非在校生" in reason and "小学" in reason

    _set_school_status(page, "初中")
    assert overall.inner_text() == "达标"
    assert education.get_attribute("data-status") == "pass"
