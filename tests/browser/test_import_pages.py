"""Registry import in a real browser: upload → progress → error report download; a good file's households
appear in the list."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from jingzhun.jobs.models import Job
from jingzhun.jobs.runner import claim_next, run
from jingzhun.registry.models import Household
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def _zip_of(folder: str, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as zf:
        for csv_file in sorted((GOLDEN / folder).glob("*.csv")):
            zf.write(csv_file, csv_file.name)
    return target


def _upload(page, live_server, path: Path) -> None:
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/registry/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("[data-testid=upload-submit]")
    page.wait_for_selector("[data-testid=job-progress]")
    assert page.locator("[data-testid=job-status]").inner_text() == "排队中"


def _run_queued_job() -> Job:
    # The worker process of `jingzhun serve`, run here in the test's thread so it shares the test database.
    job = claim_next()
    assert job is not None
    return run(job)


def test_it_imports_a_bad_file_shows_the_errors_and_offers_the_report(
    page, live_server, county_admin, tmp_path
):
    _upload(page, live_server, _zip_of("gender_mismatch", tmp_path / "性别不符.zip"))
    job = _run_queued_job()
    page.wait_for_selector("[data-testid=import-failed]", timeout=20000)
    assert Household.objects.count() == 0
    errors = page.locator("[data-testid=import-errors]").inner_text()
    assert "性别" in errors
    with page.expect_download() as download_info:
        page.click("[data-testid=report-xlsx]")
    report = Path(download_info.value.path())
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    assert any("性别" in " ".join(str(c) for c in row) for row in rows)
    assert job.status == "succeeded" and job.result["ok"] is False


def test_it_imports_a_good_file_and_the_households_appear_in_the_list(
    page, live_server, county_admin, tmp_path
):
    _upload(page, live_server, _zip_of("valid_utf8", tmp_path / "登记簿.zip"))
    _run_queued_job()
    page.wait_for_selector("[data-testid=import-succeeded]", timeout=20000)
    assert int(page.locator("[data-testid=households-new]").inner_text()) == Household.objects.count() > 0
    page.click("[data-testid=to-household-list]")
    listing = page.locator("[data-testid=household-table]").inner_text()
    assert "G0001" in listing and "向国强" in listing
