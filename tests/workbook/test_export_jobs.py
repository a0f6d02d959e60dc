"""The household list's export (issue 11): small lists at once, large ones as a background job with a
progress bar and a download link for the asker only, audited, masked per role, deleted after retention;
a filtered export's 村 sheet carries only the villages of its households."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jingzhun.core.models import AuditEntry
from jingzhun.jobs.models import Job
from jingzhun.regions.models import Region
from jingzhun.workbook import export_jobs
from tests.factories import OTHER_VILLAGE, VILLAGE, register, work_one

THIRD_VILLAGE_PREFIX = VILLAGE[:9]  # another village of 溪口镇, with facts but no household


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def county(admin_actor):
    """Two households in 杜坪村 (溪口镇), one in 琵琶村 (零阳街道); three villages with facts."""
    register(admin_actor, code="A001", phone="13812345678")
    register(admin_actor, code="A002", exit_status="已脱贫", exit_year="2017")
    register(admin_actor, code="B001", village=OTHER_VILLAGE)
    third = (
        Region.objects.filter(level="village", code__startswith=THIRD_VILLAGE_PREFIX)
        .exclude(code=VILLAGE)
        .order_by("code")
        .first()
    )
    Region.objects.filter(code__in=[VILLAGE, OTHER_VILLAGE, third.code]).update(registered_population=300)
    return third.code


def _book(response):
    body = response.getvalue() if hasattr(response, "getvalue") else b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(body), read_only=True)


def _rows(book, sheet: str) -> list[tuple]:
    return [tuple(r) for r in book[sheet].iter_rows(min_row=2, values_only=True)]


def _villages(book) -> list[str]:
    return [r[0] for r in _rows(book, "村")]


@pytest.mark.django_db
def test_a_filtered_export_carries_only_the_villages_of_its_households(client, county_admin, county):
    client.force_login(county_admin)
    by_region = _book(client.get(reverse("workbook:export"), {"region": VILLAGE}))
    assert [r[0] for r in _rows(by_region, "户")] == ["A001", "A002"]
    assert _villages(by_region) == [VILLAGE]
    by_status = _book(client.get(reverse("workbook:export"), {"exit_status": "未脱贫"}))
    assert sorted(r[0] for r in _rows(by_status, "户")) == ["A001", "B001"]
    assert _villages(by_status) == sorted([VILLAGE, OTHER_VILLAGE])
    nothing = _book(client.get(reverse("workbook:export"), {"q": "没有这个人"}))
    assert _rows(nothing, "户") == [] and _villages(nothing) == []
    # unfiltered: every village with facts in scope, so the file re-imports the 村 sheet completely
    whole = _book(client.get(reverse("workbook:export")))
    assert _villages(whole) == sorted([VILLAGE, OTHER_VILLAGE, county])


@pytest.mark.django_db
def test_a_small_export_is_sent_at_once_and_audited(client, village_cadre, county):
    client.force_login(village_cadre)
    response = client.get(reverse("workbook:export"))
    assert response.status_code == 200 and not Job.objects.filter(kind=export_jobs.KIND).exists()
    assert [r[0] for r in _rows(_book(response), "户")] == ["A001", "A002"]
    entry = AuditEntry.objects.get(action="registry.export")
    assert entry.actor_id == village_cadre.pk and entry.after["households"] == 2
    assert entry.after["filters"] == {} and entry.after["masked"] is False


def _enqueue_as(client, user, params):
    client.force_login(user)
    response = client.get(reverse("workbook:export"), params)
    job = Job.objects.get(kind=export_jobs.KIND)
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    return job


def _work_one() -> Job:
    """What the worker does: claim the oldest queued job and run it (the registrations' reactions first)."""
    return work_one()


@pytest.mark.django_db
def test_a_large_export_runs_as_a_job_downloadable_only_by_its_owner(
    client, monkeypatch, county_leader, county_admin, village_cadre, county
):
    monkeypatch.setattr(export_jobs, "SYNC_LIMIT", 1)  # 2 households count as large here
    job = _enqueue_as(client, county_leader, {"region": VILLAGE})
    assert job.status == "queued" and job.params["filters"] == {"region": VILLAGE}
    assert not AuditEntry.objects.filter(action="registry.export").exists()  # nothing written yet
    waiting = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert 'data-testid="job-progress"' in waiting and "export-download" not in waiting

    job = _work_one()
    assert job.status == "succeeded", job.error
    assert job.result["households"] == 2 and job.progress_total == 2
    path = export_jobs.export_dir() / job.result["path"]
    assert path.is_file() and path.parent == export_jobs.export_dir()
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    link = reverse("workbook:export_file", args=[job.pk])
    assert f'href="{link}"' in page and 'data-testid="export-download"' in page

    written = AuditEntry.objects.get(action="registry.export")
    assert written.actor_id == county_leader.pk and written.job_id == job.pk
    assert written.after == {
        "households": 2,
        "members": 6,
        "filters": {"region": VILLAGE},
        "masked": True,
    }

    book = _book(client.get(link))
    assert [r[0] for r in _rows(book, "户")] == ["A001", "A002"] and _villages(book) == [VILLAGE]
    download = AuditEntry.objects.get(action="registry.export_download")
    assert download.actor_id == county_leader.pk and download.job_id == job.pk
    assert download.after["households"] == 2 and download.after["filters"] == {"region": VILLAGE}

    for other in (county_admin, village_cadre):  # not even the county admin gets someone else's file
        client.force_login(other)
        assert client.get(link).status_code == 404
    assert AuditEntry.objects.filter(action="registry.export_download").count() == 1


@pytest.mark.django_db
def test_the_leaders_job_file_is_masked_exactly_like_the_direct_export(
    client, monkeypatch, county_leader, county
):
    """县领导 lacks registry.view_sensitive: ID numbers and phones masked, in the job's file as in the
    synchronous export (the same masking function, registry.presenters.masker)."""
    client.force_login(county_leader)
    direct = _book(client.get(reverse("workbook:export")))
    monkeypatch.setattr(export_jobs, "SYNC_LIMIT", 0)
    job = _enqueue_as(client, county_leader, {})
    _work_one()
    from_job = _book(client.get(reverse("workbook:export_file", args=[job.pk])))
    for sheet in ("户", "成员", "村"):
        assert _rows(from_job, sheet) == _rows(direct, sheet)
    headers = [c.value for c in next(from_job["户"].iter_rows(max_row=1))]
    a001 = next(r for r in _rows(from_job, "户") if r[0] == "A001")
    id_number, phone = a001[headers.index("户主证件号码")], a001[headers.index("联系电话")]
    assert "*" in id_number and len(id_number) == 18 and phone == "138****5678"
    member_headers = [c.value for c in next(from_job["成员"].iter_rows(max_row=1))]
    ids = [r[member_headers.index("证件号码")] for r in _rows(from_job, "成员")]
    assert ids and all(i[6:14] == "********" for i in ids)


@pytest.mark.django_db
def test_an_export_file_is_deleted_and_refused_after_the_retention_period(
    client, monkeypatch, settings, township_cadre, county
):
    settings.JINGZHUN_EXPORT_RETENTION_HOURS = 24
    monkeypatch.setattr(export_jobs, "SYNC_LIMIT", 0)
    job = _enqueue_as(client, township_cadre, {})
    job = _work_one()
    path = export_jobs.export_dir() / job.result["path"]
    link = reverse("workbook:export_file", args=[job.pk])
    assert client.get(link).status_code == 200
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    assert client.get(link).status_code == 404  # too old: not served even before the cleanup ran
    assert export_jobs.cleanup_expired() == 1
    assert not path.exists()
    job.refresh_from_db()
    assert job.result["expired"] is True
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert 'data-testid="export-expired"' in page and link not in page


@pytest.mark.django_db
def test_the_export_job_acts_with_the_scope_its_owner_has(client, monkeypatch, village_cadre, county):
    """The worker has no request: the job re-derives the owner's scope, so a village cadre's job
    exports their village only (B001 of 零阳街道 stays out)."""
    monkeypatch.setattr(export_jobs, "SYNC_LIMIT", 0)
    job = _enqueue_as(client, village_cadre, {})
    assert _work_one().result["households"] == 2
    book = _book(client.get(reverse("workbook:export_file", args=[job.pk])))
    assert [r[0] for r in _rows(book, "户")] == ["A001", "A002"]


@pytest.mark.django_db
def test_a_helper_cannot_export(client, helper_user, county):
    client.force_login(helper_user)
    assert client.get(reverse("workbook:export")).status_code == 404
    assert not Job.objects.filter(kind=export_jobs.KIND).exists()
