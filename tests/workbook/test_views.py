"""Upload → background job → result page and error report; template and filtered export downloads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jingzhun.core.models import AuditEntry
from jingzhun.jobs.models import Job
from jingzhun.jobs.runner import run
from jingzhun.registry.models import Household
from jingzhun.workbook import jobs as _registers_handler  # noqa: F401 - registers "registry_import"
from jingzhun.workbook.importer import import_path


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _zip_of(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in Path(folder).iterdir():
            zf.write(path, path.name)
    return buffer.getvalue()


def _upload(client, user, name: str, content: bytes, **extra):
    client.force_login(user)
    return client.post(reverse("workbook:upload"), {"file": SimpleUploadedFile(name, content), **extra})


@pytest.mark.django_db
def test_the_upload_page_is_for_importers_only(client, village_cadre, township_cadre):
    client.force_login(village_cadre)
    assert client.get(reverse("workbook:upload")).status_code == 404
    client.force_login(township_cadre)
    page = client.get(reverse("workbook:upload"))
    assert page.status_code == 200
    assert 'data-testid="upload-form"' in page.content.decode()


@pytest.mark.django_db
def test_an_upload_runs_as_a_job_and_shows_the_counts(client, county_admin, golden):
    response = _upload(client, county_admin, "县登记簿.xlsx", Path(golden("libreoffice.xlsx")).read_bytes())
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    job = run(job)
    assert job.status == "succeeded" and job.result["ok"] and job.result["households_new"] == 2
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert 'data-testid="import-succeeded"' in page
    assert 'data-testid="households-new">2<' in page
    assert Household.objects.count() == 2
    assert AuditEntry.objects.filter(job_id=job.pk, action="import.create").count() == 2
    # its re-assessment is a job of its own (jobs.outbox), already run by the import job, as the importer
    [reaction] = Job.objects.filter(kind="reassess_import")
    assert reaction.status == "succeeded" and reaction.created_by_id == county_admin.pk


@pytest.mark.django_db
def test_a_bad_upload_offers_the_error_report(client, county_admin, golden):
    _upload(client, county_admin, "有错.zip", _zip_of(golden("gender_mismatch")))
    job = run(Job.objects.get())
    assert job.result["total_errors"] == 1 and not Household.objects.exists()
    assert not Job.objects.filter(kind="reassess_import").exists()
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert 'data-testid="import-failed"' in page and "与证件号码不符" in page
    xlsx = client.get(reverse("workbook:report", args=[job.pk, "xlsx"]))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert [c.value for c in sheet[3]][:4] == ["错误", "成员", 3, "性别"]
    csv_body = b"".join(client.get(reverse("workbook:report", args=[job.pk, "csv"])).streaming_content)
    assert "与证件号码不符" in csv_body.decode("utf-8-sig")
    # the report quotes the file's values (ID numbers): each download is audited
    downloads = AuditEntry.objects.filter(action="registry.error_report_download", actor=county_admin)
    assert downloads.count() == 2 and downloads.first().after == {"errors": 1}


@pytest.mark.django_db
def test_the_error_report_of_someone_elses_job_is_not_found(client, county_admin, township_cadre, golden):
    _upload(client, township_cadre, "有错.zip", _zip_of(golden("gender_mismatch")))
    job = run(Job.objects.get())
    # a fresh password (else the password-age check would send this user to change it first)
    other = township_cadre.__class__.objects.create(username="somebody", password_changed_at=timezone.now())
    client.force_login(other)
    assert client.get(reverse("workbook:report", args=[job.pk, "xlsx"])).status_code == 404


@pytest.mark.django_db
def test_a_township_cadres_upload_is_limited_to_the_township(client, township_cadre, golden):
    _upload(client, township_cadre, "两个乡镇.zip", _zip_of(golden("valid_utf8")))
    job = run(Job.objects.get())
    assert any("不在您的管辖范围内" in e["message"] for e in job.result["errors"])
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_a_non_workbook_upload_is_refused(client, county_admin):
    response = _upload(client, county_admin, "notes.txt", b"hello")
    assert response.status_code == 400 and not Job.objects.exists()
    assert "只能导入 .xlsx" in response.content.decode()


@pytest.mark.django_db
def test_the_template_has_dropdowns_text_ids_and_instructions(client, county_admin):
    client.force_login(county_admin)
    response = client.get(reverse("workbook:template"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["户", "成员", "村", "帮扶责任人", "帮扶措施", "填表说明"]
    members = book["成员"]
    assert members["C1"].value == "证件号码"
    assert members.column_dimensions["C"].number_format == "@" or members["C2"].number_format == "@"
    sources = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in members.data_validations.dataValidation}
    assert "户主" in sources["D2"]  # 与户主关系 dropdown
    notes = [row[1] for row in book["填表说明"].iter_rows(min_row=2, values_only=True)]
    assert "证件号码" in notes and "户籍人口" in notes


@pytest.mark.django_db
def test_the_export_follows_the_list_filters_and_is_audited(client, county_admin, village_cadre, golden):
    from jingzhun.workbook.commands import county_actor

    assert import_path(golden("valid_utf8"), actor=county_actor()).ok
    client.force_login(county_admin)
    response = client.get(reverse("workbook:export"), {"exit_status": "已脱贫"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [row[0] for row in book["户"].iter_rows(min_row=2, values_only=True)] == ["G0002"]
    entry = AuditEntry.objects.get(action="registry.export")
    assert entry.after["households"] == 1 and entry.after["filters"] == {"exit_status": "已脱贫"}
    client.force_login(village_cadre)  # 杜坪村: sees only G0001
    book = load_workbook(io.BytesIO(b"".join(client.get(reverse("workbook:export")).streaming_content)))
    assert [row[0] for row in book["户"].iter_rows(min_row=2, values_only=True)] == ["G0001"]
