"""The mapping step of a national list (docs/national-list.md): the upload page shows the layout, each column's
mapping and the ignored columns; a hand mapping is remembered for the county's next file (audited); the dry
run prints the same mapping."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhun.accounts.access import actor_for
from jingzhun.core.models import AuditEntry
from jingzhun.jobs.models import Job
from jingzhun.jobs.runner import run
from jingzhun.registry.models import Household
from jingzhun.workbook import jobs as _registers_handler  # noqa: F401 - registers "registry_import"
from jingzhun.workbook.commands import run_import
from jingzhun.workbook.importer import import_path
from jingzhun.workbook.mapping import header_mappings_remember
from jingzhun.workbook.models import HeaderMapping
from tests.workbook.national_files import golden_list, table, write_csv


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _renamed(tmp_path, old="人数", new="家庭人口数") -> Path:
    headers, rows = table("2016")
    headers[headers.index(old)] = new
    return Path(write_csv(tmp_path / "名单.csv", headers, rows, encoding="gb18030"))


def _upload(client, user, path: Path, **extra):
    client.force_login(user)
    return client.post(
        reverse("workbook:upload"), {"file": SimpleUploadedFile(path.name, path.read_bytes()), **extra}
    )


@pytest.mark.django_db
def test_the_upload_shows_layout_mapping_and_ignored_columns(client, county_admin, tmp_path):
    response = _upload(client, county_admin, _renamed(tmp_path))
    assert response.status_code == 302 and "/registry/import/national/" in response["Location"]
    assert not Job.objects.exists()  # nothing runs before the columns are confirmed
    page = client.get(response["Location"]).content.decode()
    assert "2016–2019 全国扶贫开发信息系统 建档立卡人员名单" in page
    assert 'data-header="身份证"' in page and "证件号码（身份证）" in page
    assert "忽略的列：家庭人口数、备注" in page
    assert 'name="map-8"' in page  # 家庭人口数 (9th column) can be mapped by hand
    assert 'data-testid="mapping-remember"' in page


@pytest.mark.django_db
def test_a_hand_mapping_is_used_remembered_and_audited(client, county_admin, tmp_path):
    page = _upload(client, county_admin, _renamed(tmp_path))["Location"]
    response = client.post(page, {"map-8": "人数", "map-20": "", "remember": "1"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.params["header_map"] == {"家庭人口数": "人数", "备注": ""}
    job = run(job)
    assert job.status == "succeeded" and job.result["ok"], job.result
    mapped = {c["header"]: (c["key"], c["how"]) for c in job.result["national"]["columns"]}
    assert mapped["家庭人口数"] == ("人数", "手工映射")
    assert Household.objects.count() == 2
    assert list(HeaderMapping.objects.values_list("county", "header", "target")) == [
        ("430821", "家庭人口数", "人数")
    ]
    entry = AuditEntry.objects.get(action="workbook.header_mapping")
    assert (entry.actor_id, entry.before, entry.after) == (
        county_admin.pk,
        {"家庭人口数": ""},
        {"家庭人口数": "人数"},
    )
    detail = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert 'data-testid="national-mapping"' in detail and "家庭人口数 → 人数（手工映射）" in detail

    # the county's next file: the remembered mapping applies, on the page and in the import
    second = _upload(client, county_admin, _renamed(tmp_path))["Location"]
    page_text = client.get(second).content.decode()
    assert "已记住的映射" in page_text and "忽略的列：备注" in page_text


@pytest.mark.django_db
def test_a_mapped_header_checks_as_its_column(client, county_admin, tmp_path):
    """Mapped by hand, 家庭人口数 is 人数: a wrong count is then the 人数 error, on the file's own header."""
    headers, rows = table("2016")
    headers[headers.index("人数")] = "家庭人口数"
    for row in rows[:3]:
        row[headers.index("家庭人口数")] = 5
    result = import_path(
        write_csv(tmp_path / "x.csv", headers, rows),
        actor=actor_for(county_admin),
        header_map={"家庭人口数": "人数"},
    )
    assert [(e.column, e.row) for e in result.errors] == [("家庭人口数", 2)]


@pytest.mark.django_db
def test_a_missing_required_column_keeps_the_page_and_queues_nothing(client, county_admin, tmp_path):
    page = _upload(client, county_admin, _renamed(tmp_path, "身份证", "公民身份号码"))["Location"]
    response = client.post(page, {"map-7": ""})
    assert response.status_code == 400 and "还缺少必填列：证件号码" in response.content.decode()
    assert not Job.objects.exists()
    response = client.post(page, {"map-7": "证件号码"})
    assert response.status_code == 302 and Job.objects.count() == 1


@pytest.mark.django_db
def test_a_township_cadre_maps_for_this_file_only(client, township_cadre, tmp_path):
    headers, rows = table("2016")
    headers[headers.index("人数")] = "家庭人口数"
    path = Path(write_csv(tmp_path / "t.csv", headers, rows[:3]))  # 溪口镇 only
    page = _upload(client, township_cadre, path)["Location"]
    assert 'data-testid="mapping-remember"' not in client.get(page).content.decode()
    client.post(page, {"map-8": "人数", "remember": "1"})
    assert run(Job.objects.get()).result["ok"]
    assert not HeaderMapping.objects.exists()
    with pytest.raises(PermissionError):
        header_mappings_remember(actor=actor_for(township_cadre), county="430821", mappings={"a": "人数"})


@pytest.mark.django_db
def test_someone_elses_pending_upload_is_not_found(
    client, county_admin, township_cadre, village_cadre, tmp_path
):
    page = _upload(client, county_admin, _renamed(tmp_path))["Location"]
    client.force_login(township_cadre)  # a new session: the upload is the admin's
    assert client.get(page).status_code == 404
    assert client.post(page, {"map-8": "人数"}).status_code == 404
    client.force_login(village_cadre)  # no import permission at all
    assert client.get(page).status_code == 404
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_csv_that_is_no_national_list_is_refused(client, county_admin, tmp_path):
    path = tmp_path / "户.csv"
    path.write_text("户编号,行政区划代码\nA1,430821102204\n", encoding="utf-8")
    response = _upload(client, county_admin, path)
    assert response.status_code == 400 and "不是全国系统人员名单" in response.content.decode()


@pytest.mark.django_db
def test_the_dry_run_prints_the_mapping(capsys, regions):
    HeaderMapping.objects.create(county="430821", header="备注", target="人联系电话")
    assert (
        run_import(
            path=golden_list("national/2021.xlsx"),
            dry_run=True,
            username=None,
            errors_out=None,
            progress=None,
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "识别为全国系统人员名单：2021年起 防返贫监测系统 人员名单" in out
    assert "第10列 证件号码 → 证件号码（身份证）" in out
    assert "第33列 备注 → 人联系电话（已记住的映射）" not in out  # 人联系电话 is taken by its own column
    assert "忽略的列：备注" in out
    assert "导入年度：2024（数据日期）" in out
    assert "校验通过（--dry-run，未写入）：户：新增 2" in out
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_the_cli_year_option(capsys, regions):
    assert (
        run_import(
            path=golden_list("national/2016-utf8.csv"),
            dry_run=True,
            username=None,
            errors_out=None,
            progress=None,
            year=2018,
        )
        == 0
    )
    assert "导入年度：2018（--year）" in capsys.readouterr().out


@pytest.mark.django_db
def test_two_columns_mapped_to_one_is_an_error(tmp_path, system_actor):
    headers, rows = table("2016")
    headers[headers.index("备注")] = "户主身份证"
    result = import_path(
        write_csv(tmp_path / "d.csv", headers, rows),
        actor=system_actor,
        header_map={"户主身份证": "证件号码"},
    )
    assert not result.ok and not Household.objects.exists()
    error = result.errors[0]
    assert (error.row, error.column) == (1, "户主身份证")
    assert error.message == "列名重复：已有一列对应“证件号码（身份证）”"
