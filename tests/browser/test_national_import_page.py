"""A national person list in a real browser (docs/national-list.md): a county admin uploads a 2021+ list with
one renamed header, maps it on the page, imports, and finds a household by its village name."""

from __future__ import annotations

import pytest

from jingzhun.jobs.models import Job
from jingzhun.jobs.runner import claim_next, run
from jingzhun.registry.models import Household
from jingzhun.workbook.models import HeaderMapping
from tests.browser.conftest import login
from tests.workbook.national_files import table, write_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_county_admin_maps_a_renamed_header_imports_and_finds_the_household_by_village(
    page, live_server, county_admin, tmp_path
):
    headers, rows = table("2021")
    headers[headers.index("证件号码")] = "身份证号码"  # the county's file calls it so
    path = write_xlsx(tmp_path / "已脱贫人口名单.xlsx", headers, rows)

    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/registry/import/")
    page.set_input_files("input[type=file]", path)
    page.click("[data-testid=upload-submit]")

    page.wait_for_selector("[data-testid=mapping-table]")
    assert "防返贫监测系统" in page.locator("[data-testid=national-layout]").inner_text()
    assert "证件号码" in page.locator("[data-testid=mapping-missing]").inner_text()
    ignored = page.locator("[data-testid=ignored-columns]").inner_text()
    assert "身份证号码" in ignored and "备注" in ignored
    page.select_option("[data-testid='map-身份证号码']", label="证件号码（身份证）")
    page.click("[data-testid=mapping-submit]")

    page.wait_for_selector("[data-testid=job-progress]")
    job = claim_next()  # the worker of `jingzhun serve`, here in the test's thread and database
    assert job is not None
    job = run(job)
    assert job.status == "succeeded" and job.result["ok"], job.result
    page.wait_for_selector("[data-testid=import-succeeded]", timeout=20000)
    assert page.locator("[data-testid=households-new]").inner_text() == "2"
    assert Household.objects.count() == 2
    assert HeaderMapping.objects.get().target == "证件号码"  # remembered for the county's next file

    page.click("[data-testid=to-household-list]")
    page.select_option("[data-testid=picker-region-township]", label="象市镇")
    page.wait_for_selector("[data-testid=picker-region-village] option:text('白马村委会')", state="attached")
    page.select_option("[data-testid=picker-region-village]", label="白马村委会")
    page.click("[data-testid=household-filters] button[type=submit]")
    page.wait_for_url("**region=430821106210**")
    listing = page.locator("[data-testid=household-table]").inner_text()
    assert "4308211062100007" in listing and "覃正华" in listing
    assert "4308211030010011" not in listing  # 东市社区's household is not in 白马村
    assert Job.objects.filter(kind="registry_import").count() == 1  # and its re-assessment, run with it
    assert Job.objects.get(kind="reassess_import").status == "succeeded"
