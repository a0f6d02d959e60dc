"""Every alert list has an xlsx download (issue 11): all rows, scoped, masked per role, audited; a large
list is written by a background job downloadable by its owner only."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jingzhun.assistance import services, xlsx_lists
from jingzhun.core.lists import LISTS
from jingzhun.core.models import AuditEntry
from jingzhun.jobs.models import Job
from jingzhun.workbook import list_export
from tests.factories import OTHER_VILLAGE, register, work_one

ALERT_LISTS = ("no-helper", "not-visited", "overloaded", "villages", "attendance")


@pytest.fixture
def alerts(admin_actor, helper_user):
    """Three unpaired poor households (two in 杜坪村, one in 琵琶村) and one paired to the helper."""
    register(admin_actor, code="N001", phone="13812345678")
    register(admin_actor, code="N002")
    register(admin_actor, code="N003", village=OTHER_VILLAGE)
    paired = register(admin_actor, code="P001")
    helper_user.phone = "13987654321"
    helper_user.save(update_fields=["phone"])
    services.helper_assign(
        actor=admin_actor, household=paired, helper=helper_user, started_on=date(2018, 1, 1)
    )


def _sheet(response) -> tuple[list[str], list[tuple]]:
    body = response.getvalue() if hasattr(response, "getvalue") else b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(values_only=True))
    return list(rows[0]), [tuple(r) for r in rows[1:]]


def _url(kind: str) -> str:
    return reverse("workbook:list_xlsx", args=[f"alert-{kind}"])


@pytest.mark.django_db
def test_the_no_helper_list_downloads_every_row_masked_for_the_leader(
    client, monkeypatch, county_leader, village_cadre, alerts
):
    monkeypatch.setattr(xlsx_lists, "CHUNK", 1)  # one household per keyset chunk: all chunks are read
    client.force_login(county_leader)
    headers, rows = _sheet(client.get(_url("no-helper")))
    assert headers[:3] == ["户编号", "户主", "联系电话"]
    assert sorted(r[0] for r in rows) == ["N001", "N002", "N003"]
    n001 = next(r for r in rows if r[0] == "N001")
    assert n001[2] == "138****5678" and n001[7] == "未结对"
    entry = AuditEntry.objects.get(action="list.export")
    assert entry.actor_id == county_leader.pk and entry.object_id == "alert-no-helper"
    assert entry.after == {"rows": 3, "masked": True}

    client.force_login(village_cadre)  # 杜坪村 only, phones in full
    _, rows = _sheet(client.get(_url("no-helper")))
    assert sorted(r[0] for r in rows) == ["N001", "N002"]
    assert next(r for r in rows if r[0] == "N001")[2] == "13812345678"


@pytest.mark.django_db
def test_a_helpers_phone_is_masked_for_the_leader_in_the_not_visited_list(client, county_leader, alerts):
    client.force_login(county_leader)
    headers, rows = _sheet(client.get(_url("not-visited")))
    p001 = next(r for r in rows if r[0] == "P001")
    assert p001[headers.index("帮扶责任人手机号")] == "139****4321"
    assert p001[headers.index("最近走访")] == "从未走访"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ALERT_LISTS)
def test_every_alert_list_has_its_xlsx_linked_from_its_page(client, township_cadre, alerts, kind):
    client.force_login(township_cadre)
    page = client.get(reverse("assistance:alert", args=[kind])).content.decode()
    assert f'href="{_url(kind)}"' in page
    response = client.get(_url(kind))
    assert response.status_code == 200
    headers, _ = _sheet(response)
    assert headers == list(LISTS[f"alert-{kind}"].headers)
    assert AuditEntry.objects.filter(action="list.export", object_id=f"alert-{kind}").count() == 1


@pytest.mark.django_db
def test_a_helper_has_no_list_download(client, helper_user, alerts):
    client.force_login(helper_user)
    assert client.get(_url("not-visited")).status_code == 404
    assert (
        'data-testid="alert-xlsx"'
        not in client.get(reverse("assistance:alert", args=["not-visited"])).content.decode()
    )
    assert client.get(reverse("workbook:list_xlsx", args=["no-such-list"])).status_code == 404


@pytest.mark.django_db
def test_a_large_list_is_written_by_a_job_for_its_owner_only(
    client, monkeypatch, county_leader, county_admin, alerts
):
    monkeypatch.setattr(list_export, "SYNC_LIMIT", 1)
    client.force_login(county_leader)
    response = client.get(_url("no-helper"))
    job = Job.objects.get(kind=list_export.KIND)
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    job = work_one()
    assert job.status == "succeeded", job.error
    assert job.result["rows"] == 3
    link = reverse("workbook:export_file", args=[job.pk])
    assert f'href="{link}"' in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    _, rows = _sheet(client.get(link))
    assert next(r for r in rows if r[0] == "N001")[2] == "138****5678"
    assert AuditEntry.objects.get(action="list.export").job_id == job.pk
    download = AuditEntry.objects.get(action="list.export_download")
    assert download.actor_id == county_leader.pk and download.after == {"rows": 3}
    client.force_login(county_admin)
    assert client.get(link).status_code == 404
