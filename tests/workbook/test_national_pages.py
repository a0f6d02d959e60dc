"""Households imported from a national list, with their unknown values, open on the registry's pages for
every role that may see them (masked for the leader), and stay out of sight of an outsider."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingzhun.registry.models import Household
from jingzhun.workbook.importer import import_path
from tests.workbook.national_files import golden_list


@pytest.fixture
def imported(system_actor):
    assert import_path(golden_list("national/2016-utf8.csv"), actor=system_actor).ok
    assert import_path(golden_list("national/2021-gb18030.csv"), actor=system_actor).ok
    return Household.objects.get(code="4308211022040001")  # 溪口镇 杜坪村委会, 识别年度 unknown


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["county_admin", "county_leader", "township_cadre", "village_cadre"])
def test_the_pages_of_an_imported_household_open(client, request, imported, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    detail = client.get(reverse("registry:household_detail", args=[imported.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "向国强" in page
    full_id = imported.head_id_number
    assert (full_id in page) == (persona != "county_leader")  # the leader sees it masked
    listing = client.get(reverse("registry:household_list")).content.decode()
    assert "4308211022040001" in listing


@pytest.mark.django_db
def test_an_outsider_gets_404(client, imported, other_village_cadre):
    client.force_login(other_village_cadre)
    assert client.get(reverse("registry:household_detail", args=[imported.pk])).status_code == 404
