"""A large export in a real browser: the list's export button → the job page's progress bar → the download
link, as 县领导 (masked) — the request never waits for the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from jingzhun.workbook import export_jobs
from tests.browser.conftest import login
from tests.factories import register, work_one

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_large_export_shows_progress_then_a_masked_download(
    page, live_server, monkeypatch, settings, tmp_path, admin_actor, county_leader
):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(export_jobs, "SYNC_LIMIT", 0)  # the live server runs in this process
    register(admin_actor, code="L001", phone="13812345678")
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/households/")
    page.click("[data-testid=export-filtered]")
    page.wait_for_selector("[data-testid=job-progress]")
    assert page.locator("[data-testid=job-status]").inner_text() == "排队中"
    job = work_one()  # the worker: the registration's reaction, then the export
    assert job.status == "succeeded", job.error
    page.wait_for_selector("[data-testid=export-download]", timeout=20000)  # htmx polling, then refresh
    with page.expect_download() as download_info:
        page.click("[data-testid=export-download]")
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(Path(download_info.value.path())))
    rows = book.get_sheet_by_name("户").to_python()
    headers, first = rows[0], rows[1]
    assert first[0] == "L001" and first[headers.index("联系电话")] == "138****5678"
