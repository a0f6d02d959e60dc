"""Datasets page, upload → background job, error report; scope and masking as restricted roles."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhun.accounts.access import actor_for
from jingzhun.core.models import AuditEntry
from jingzhun.jobs.models import Job
from jingzhun.jobs.runner import run
from jingzhun.lib.masking import mask_text
from jingzhun.verification import jobs as _registers_handler  # noqa: F401 - registers "dataset_import"
from jingzhun.verification.models import Dataset, DatasetRecord
from jingzhun.verification.selectors import present_record

pytestmark = pytest.mark.django_db
ID1 = "430821197005010011"
DEATHS = f"证件号码,姓名,死亡日期\n{ID1},张三,2024-03-05\n".encode()
DISABLED = f"证件号码,姓名,残疾类别,残疾等级\n{ID1}41,张三,肢体,四级\n".encode()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(client, user, name: str, content: bytes):
    client.force_login(user)
    return client.post(reverse("verification:datasets"), {"file": SimpleUploadedFile(name, content)})


def test_county_admin_uploads_a_csv_as_a_job(client, county_admin, settings):
    response = _upload(client, county_admin, "死亡人口.csv", DEATHS)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    job = run(job)
    assert job.status == "succeeded" and job.result["ok"] and job.result["datasets"] == {"死亡人口": 1}
    assert not list((settings.MEDIA_ROOT / "imports").iterdir())  # the upload is not kept
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "死亡人口：1 条（已替换原有数据）" in page
    listing = client.get(reverse("verification:datasets")).content.decode()
    assert 'data-testid="dataset-死亡人口"' in listing and "admin" in listing
    assert AuditEntry.objects.filter(action="verification.dataset_import", job_id=job.pk).count() == 1


def test_a_bad_upload_writes_nothing_and_offers_the_report(client, county_admin):
    _upload(client, county_admin, "死亡人口.csv", f"证件号码,姓名,死亡日期\n{ID1},张三,2024-02-30\n".encode())
    job = run(Job.objects.get())
    assert (
        not job.result["ok"]
        and job.result["errors"][0]["row"] == 2
        and job.result["errors"][0]["column"] == "死亡日期"
    )
    assert Dataset.objects.count() == 0 and DatasetRecord.objects.count() == 0
    report = client.get(reverse("verification:report", args=[job.pk, "csv"]))
    assert report.status_code == 200
    assert "2024-02-30" in b"".join(report.streaming_content).decode("utf-8-sig")
    assert AuditEntry.objects.filter(action="verification.error_report_download").count() == 1


def test_only_the_county_admin_imports(client, county_leader, township_cadre, village_cadre, helper_user):
    assert _upload(client, county_leader, "死亡人口.csv", DEATHS).status_code == 404
    for user in (township_cadre, village_cadre, helper_user):
        client.force_login(user)
        assert client.get(reverse("verification:datasets")).status_code == 404
        assert _upload(client, user, "死亡人口.csv", DEATHS).status_code == 404
    assert Job.objects.count() == 0


def test_raw_datasets_are_county_level_and_masked_for_the_leader(
    client, county_admin, county_leader, township_cadre, village_cadre
):
    _upload(client, county_admin, "残疾人.csv", DISABLED)
    run(Job.objects.get())
    url = reverse("verification:dataset", args=["残疾人"])
    full = client.get(url).content.decode()  # the admin sees the full values
    assert ID1 + "41" in full and "肢体" in full
    client.force_login(county_leader)
    masked = client.get(url).content.decode()
    assert ID1 not in masked and "肢体" not in masked and "四级" not in masked
    assert "430821********0011" in masked and "***" in masked
    assert "upload-form" not in client.get(reverse("verification:datasets")).content.decode()
    for user in (township_cadre, village_cadre):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(county_leader)
    assert client.get(reverse("verification:dataset", args=["车辆登记"])).status_code == 404  # not imported
    views = AuditEntry.objects.filter(action="verification.dataset_view").order_by("id")
    assert [v.after["masked"] for v in views] == [False, True]


def test_a_record_beside_a_clue_is_masked_by_the_one_policy(village_cadre, county_leader):
    record = {"证件号码": ID1 + "41", "姓名": "张三", "残疾类别": "肢体", "残疾等级": "四级"}
    assert present_record(actor_for(village_cadre), record) == record  # 村干部 holds view_sensitive
    assert present_record(actor_for(county_leader), record) == {
        "证件号码": "430821********0011",
        "姓名": "张三",
        "残疾类别": "***",
        "残疾等级": "***",
    }
    text = "张三 在残联名单中（残疾类别为肢体、残疾等级为四级），健康状况为健康"
    assert "肢体" not in mask_text(text) and "四级" not in mask_text(text)
