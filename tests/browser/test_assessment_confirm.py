"""运行全县评估 asks first: dismissing the dialog runs nothing, accepting it queues the job."""

from __future__ import annotations

import pytest

from jingzhun.jobs.models import Job
from jingzhun.standards.defaults import ensure_defaults
from jingzhun.standards.loading import clear_cache
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_county_assessment_runs_only_after_confirming(page, live_server, county_admin):
    clear_cache()
    ensure_defaults()
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/exit/?year=2018")
    messages: list[str] = []

    def dismiss(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("[data-testid=run-assessment]")
    page.wait_for_timeout(300)
    assert messages and messages[0].startswith("运行2018年全县评估？")
    assert not Job.objects.filter(kind="assessment").exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=run-assessment]")
    page.wait_for_url("**/jobs/*/")
    assert Job.objects.filter(kind="assessment").count() == 1
