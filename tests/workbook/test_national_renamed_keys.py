"""A renamed key header (户编号, 与户主关系, 行政村 — the headers detection looks for) does not hide a national
list: the sheet is recognised by its share of the layouts' headers, the missing column is named on the page and
in the dry run, the importer maps it by hand, and the mapping is remembered for the county's next file."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhun.jobs.models import Job
from jingzhun.jobs.runner import run
from jingzhun.registry.models import Household
from jingzhun.workbook import jobs as _registers_handler  # noqa: F401 - registers "registry_import"
from jingzhun.workbook import national_layout as L
from jingzhun.workbook.columns import MEMBER_SHEET
from jingzhun.workbook.commands import run_import
from jingzhun.workbook.models import HeaderMapping
from tests.workbook.national_files import table, write_csv

RENAMED = [("户编号", "户号"), ("与户主关系", "与户主的关系"), ("行政村", "所在村")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _renamed(tmp_path: Path, old: str, new: str, name: str = "名单.csv") -> tuple[Path, int]:
    headers, rows = table("2016")
    at = headers.index(old)
    headers[at] = new
    return Path(write_csv(tmp_path / name, headers, rows)), at


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), RENAMED)
def test_the_dry_run_recognises_the_list_and_names_the_missing_column(capsys, regions, tmp_path, old, new):
    path, at = _renamed(tmp_path, old, new)
    code = run_import(path=str(path), dry_run=True, username=None, errors_out=None, progress=None)
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert code != 0 and not Household.objects.exists()
    assert "识别为全国系统人员名单：2016–2019 全国扶贫开发信息系统 建档立卡人员名单" in out
    assert f"缺少的必填列：{old}" in out
    assert f"忽略的列：{new}、备注" in out
    assert f"缺少必填列“{old}”" in out  # the error itself, with the hint to map it on the upload page


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), RENAMED)
def test_the_page_maps_the_renamed_key_header_and_remembers_it(
    client, county_admin, capsys, tmp_path, old, new
):
    path, at = _renamed(tmp_path, old, new)
    client.force_login(county_admin)
    response = client.post(
        reverse("workbook:upload"), {"file": SimpleUploadedFile(path.name, path.read_bytes())}
    )
    assert response.status_code == 302 and "/registry/import/national/" in response["Location"]
    page = response["Location"]
    text = client.get(page).content.decode()
    assert 'data-testid="mapping-missing"' in text and f"缺少必填列：{old}。" in text
    assert f'name="map-{at}"' in text and f'value="{old}"' in text  # the missing key is a choice
    # confirming without the mapping keeps the page and queues nothing
    refused = client.post(page, {})
    assert refused.status_code == 400 and f"还缺少必填列：{old}" in refused.content.decode()
    assert not Job.objects.exists()
    client.post(page, {f"map-{at}": old, "remember": "1"})
    job = run(Job.objects.get())
    assert job.status == "succeeded" and job.result["ok"], job.result
    assert Household.objects.count() == 2
    assert list(HeaderMapping.objects.values_list("header", "target")) == [(new, old)]
    mapped = {c["header"]: (c["key"], c["how"]) for c in job.result["national"]["columns"]}
    assert mapped[new] == (old, L.HOW_MANUAL)
    # the county's next file, on the command line without any hand mapping: the remembered mapping applies
    again, _ = _renamed(tmp_path, old, new, name="下一份.csv")
    capsys.readouterr()
    assert run_import(path=str(again), dry_run=True, username=None, errors_out=None, progress=None) == 0
    out = capsys.readouterr().out
    assert f"{new} → {L.LABELS[old]}（已记住的映射）" in out
    assert "户：新增 0，更新 0，未变 2" in out  # the same households, found by their 户编号 again


def test_the_registry_workbooks_member_sheet_is_not_taken_for_a_national_list():
    from jingzhun.workbook.columns import SHEET_BY_NAME

    colmap = L.map_columns(MEMBER_SHEET, SHEET_BY_NAME[MEMBER_SHEET].headers)
    assert not colmap.is_national()


def test_a_sheet_of_few_known_headers_is_not_a_national_list():
    headers, _ = table("2016")
    few = [
        h if h in ("县(市、区、旗)", "乡(镇)", "自然村", "人编号") else f"列{i}"
        for i, h in enumerate(headers)
    ]
    assert not L.map_columns("Sheet1", few).is_national()
