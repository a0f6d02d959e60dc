"""The 疑似错退 list's xlsx carries every suspected household in scope, not the page's display cap, and is
audited for each role that may download it (issue 11)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from jingzhun.core.models import AuditEntry
from jingzhun.registry.models import Household
from jingzhun.standards import reports, services
from tests.conftest import TOWNSHIP
from tests.factories import OTHER_VILLAGE, VILLAGE, register


@pytest.fixture
def suspected(standard, admin_actor):
    """Three households marked 已脱贫 without safe water: two in 杜坪村, one in 琵琶村."""
    for code, village in (("S001", VILLAGE), ("S002", VILLAGE), ("S003", OTHER_VILLAGE)):
        household = register(admin_actor, code=code, village=village)
        Household.objects.filter(pk=household.pk).update(
            exit_status="已脱贫", exit_year=2017, water_safe=False
        )
    services.assess(year=2018)


def _download(client, user, region: str = "430821000000"):
    client.force_login(user)
    response = client.get(reverse("standards:dashboard_xlsx", args=[region, "suspected"]) + "?year=2018")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.mark.django_db
def test_the_suspected_xlsx_is_not_cut_at_the_display_cap(client, monkeypatch, county_leader, suspected):
    monkeypatch.setattr(reports, "SUSPECTED_DISPLAY_LIMIT", 1)
    client.force_login(county_leader)
    page = client.get(reverse("standards:dashboard") + "?year=2018").content.decode()
    assert page.count('href="/households/') >= 1 and "S002" not in page  # the page shows one row
    assert sorted(_download(client, county_leader)) == ["S001", "S002", "S003"]
    entry = AuditEntry.objects.get(action="standards.export")
    assert entry.actor_id == county_leader.pk and entry.after == {"rows": 3, "table": "suspected"}


@pytest.mark.django_db
def test_the_suspected_xlsx_is_scoped(client, township_cadre, helper_user, suspected):
    assert sorted(_download(client, township_cadre, TOWNSHIP)) == ["S001", "S002"]
    client.force_login(helper_user)
    url = reverse("standards:dashboard_xlsx", args=["430821000000", "suspected"]) + "?year=2018"
    assert client.get(url).status_code == 404
