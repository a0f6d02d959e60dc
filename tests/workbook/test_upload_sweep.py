"""The sweep of abandoned uploads (workbook/upload_sweep.py): a national list uploaded for the mapping step and
never imported is deleted once older than JINGZHUN_UPLOAD_RETENTION_HOURS, unless a queued or running import
job still references it; error reports stay; each sweep that removes something is audited."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jingzhun.core.models import AuditEntry
from jingzhun.jobs import schedule
from jingzhun.jobs.models import Job, JobStatus
from jingzhun.jobs.queue import enqueue
from jingzhun.jobs.runner import run
from jingzhun.workbook.upload_store import import_dir
from jingzhun.workbook.upload_sweep import SWEEP_KIND, sweep_uploads
from tests.workbook.national_files import table, write_csv


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JINGZHUN_UPLOAD_RETENTION_HOURS = 24


def _abandoned_upload(client, user, tmp_path) -> Path:
    """A national list uploaded through the page and left on its mapping step."""
    headers, rows = table("2016")
    path = Path(write_csv(tmp_path / "名单.csv", headers, rows))
    client.force_login(user)
    response = client.post(
        reverse("workbook:upload"), {"file": SimpleUploadedFile(path.name, path.read_bytes())}
    )
    assert "/registry/import/national/" in response["Location"]
    (stored,) = import_dir().iterdir()
    return stored


def _age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


@pytest.mark.django_db
def test_an_abandoned_upload_older_than_the_retention_is_deleted_and_audited(client, county_admin, tmp_path):
    stored = _abandoned_upload(client, county_admin, tmp_path)
    report = import_dir() / "job-7-错误报告.xlsx"  # a job's error report is not an upload
    report.write_bytes(b"PK")
    _age(stored, 25)
    _age(report, 25)
    result = sweep_uploads()
    assert result["removed"] == [stored.name]
    assert not stored.exists() and report.exists()
    entry = AuditEntry.objects.get(action="workbook.upload_sweep")
    assert entry.actor_id is None and entry.actor_name
    assert entry.after == {"removed": [stored.name], "retention_hours": 24}
    # the mapping page of the swept upload is gone, as for a missing one
    assert client.get(reverse("workbook:national_mapping", args=[stored.stem])).status_code == 404


@pytest.mark.django_db
def test_a_recent_upload_is_kept_and_nothing_is_audited(client, county_admin, tmp_path):
    stored = _abandoned_upload(client, county_admin, tmp_path)
    _age(stored, 23)
    assert sweep_uploads()["removed"] == []
    assert stored.exists()
    assert not AuditEntry.objects.filter(action="workbook.upload_sweep").exists()


@pytest.mark.django_db
def test_the_retention_is_the_setting(client, county_admin, tmp_path, settings):
    stored = _abandoned_upload(client, county_admin, tmp_path)
    _age(stored, 3)
    settings.JINGZHUN_UPLOAD_RETENTION_HOURS = 2
    assert sweep_uploads()["removed"] == [stored.name]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.RUNNING])
def test_an_upload_a_pending_or_running_job_references_is_kept(client, county_admin, tmp_path, status):
    stored = _abandoned_upload(client, county_admin, tmp_path)
    _age(stored, 48)
    job = enqueue(kind="registry_import", created_by=county_admin, params={"path": stored.name})
    Job.objects.filter(pk=job.pk).update(status=status)
    assert sweep_uploads()["removed"] == []
    assert stored.exists()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)  # done with it: now it goes
    assert sweep_uploads()["removed"] == [stored.name]


@pytest.mark.django_db
def test_the_sweep_is_a_recurring_job(client, county_admin, tmp_path):
    stored = _abandoned_upload(client, county_admin, tmp_path)
    _age(stored, 30)
    assert SWEEP_KIND in {s.kind for s in schedule.schedules()}
    queued = [j for j in schedule.schedule_due() if j.kind == SWEEP_KIND]
    assert len(queued) == 1
    Job.objects.filter(pk=queued[0].pk).update(run_at=timezone.now() - timedelta(seconds=1))
    done = run(Job.objects.get(pk=queued[0].pk))
    assert done.status == JobStatus.SUCCEEDED and done.result["removed"] == [stored.name]
    assert not stored.exists()
